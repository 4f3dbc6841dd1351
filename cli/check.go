package cli

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/reports"
	"github.com/dsimlab/dsim/scenarios"
)

// checkOptions is what the check command was asked to check.
type checkOptions struct {
	f   *factory
	Out io.Writer

	History string // the history file
	Model   string // --model, or "" for the file's
	Check   checkFlags
	Format  string // --format: text or json
	HTML    string // --html: the report a run gets, for the history
}

// checkLong is the check command's help; "$0" is the program's name.
const checkLong = `check reads a history file and checks it for linearizability against the
register or key-value model, with porcupine. It reads two formats, told apart by
their first bytes: its own JSON (a version, a model and a list of operations with
call and return times, inputs, outputs and ok/unknown/fail outcomes; '$0 run
--history' writes one; 'go doc checker.HistoryVersion' documents it), and the
EDN histories Jepsen and Knossos write ({:type :invoke, :f :write, :value 3,
:process 0} ...; --model kv for jepsen.independent [key value] pairs, which is
also guessed). An operation with an unknown outcome (:info) may or may not have
taken effect; a failed one (:fail) did not.

The check stops at the first key found not linearizable. It is bounded: by
--budget (default 1m) in time, and by --check-memory (default 4GiB) in the
heap the process may reach. Reaching either is inconclusive, naming the limit,
which fails unless --allow-inconclusive is given.

Exit status: 0 linearizable, 1 not linearizable (or inconclusive), 2 bad input.`

// newCmdCheck builds the check command; runF, if not nil, is called with
// the parsed options instead of checking.
func newCmdCheck(f *factory, runF func(*checkOptions) error) *cobra.Command {
	opts := &checkOptions{f: f}
	cmd := &cobra.Command{
		Use:   "check HISTORY",
		Short: "Check a history file for linearizability with porcupine",
		Long:  f.sprintf(checkLong),
		Example: f.examples("check history.json",
			"check history.json --model kv --budget 5m",
			"check jepsen-history.edn --check-memory 8GiB",
			"run paxos-lossy --seed 7 --history h.json && $0 check h.json"),
		Args: exactArgs(1, "a history file"),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return []cobra.Completion{"json", "edn"}, cobra.ShellCompDirectiveFilterFileExt
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Out, opts.History = cmd.OutOrStdout(), args[0]
			if runF != nil {
				return runF(opts)
			}
			return runCheck(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Model, "model", "", "register or kv (default: the file's model)")
	registerChoices(cmd, "model", "register", "kv")
	addFormatFlag(cmd, &opts.Format)
	cmd.Flags().StringVar(&opts.HTML, "html", "", "write the self-contained HTML report a run gets (checks, porcupine opened at its first error) to this file")
	addCheckFlags(cmd, &opts.Check, "1m")
	opts.Check.Budget = defaultCheckBudget
	return cmd
}

// defaultCheckBudget is how long check gives porcupine unless --budget says.
const defaultCheckBudget = time.Minute

// runCheck reads the history and checks it.
func runCheck(opts *checkOptions) error {
	opts.Check.apply()
	ops, model, err := readHistory(opts.History, opts.Model)
	if err != nil {
		return err
	}
	m, err := checker.ModelByName(model)
	if err != nil {
		return fmt.Errorf("--model: %w", err)
	}
	res, err := checker.CheckLinearizable(m, ops, opts.Check.Budget)
	if err != nil {
		return fmt.Errorf("%s: %w", opts.History, err)
	}
	o := opts.outcome(res, model, len(ops))
	ropts := append(opts.f.reportOptions(), reports.ReplayLine(opts.replay()))
	if opts.HTML != "" {
		if err := writeFile(opts.HTML, func(w io.Writer) error { return reports.WriteHTML(w, o, reports.HTMLOptions{}, ropts...) }); err != nil {
			return err
		}
	}
	if opts.Format == formatJSON {
		if err := reports.WriteJSON(opts.Out, o, ropts...); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(opts.Out, "%s: %d operations\n%s\n", opts.History, len(ops), res.Result)
	}
	if o.Passed {
		return nil
	}
	return ErrFailed
}

// outcome is the check of a history as the outcome of a run, for the
// reports a run gets: the history's file stands for the scenario, and
// the model for the protocol.
func (opts *checkOptions) outcome(res checker.LinResult, model string, ops int) *scenarios.Outcome {
	o := &scenarios.Outcome{Scenario: opts.History, File: opts.History, Protocol: "history (" + model + " model)",
		Checks: []checker.Result{res.Result}, Stats: []protocols.Stat{{Name: "operations", Value: float64(ops)}},
		AllowInconclusive: opts.Check.AllowInconclusive}
	o.Passed = res.Verdict == checker.Holds || (res.Verdict == checker.Inconclusive && opts.Check.AllowInconclusive)
	if res.Verdict == checker.Violated {
		o.Visualization = res.WriteVisualization
	}
	return o
}

// replay is the command that checks the history again.
func (opts *checkOptions) replay() string {
	line := opts.f.name + " check " + reports.ShellQuote(opts.History)
	if opts.Model != "" {
		line += " --model " + opts.Model
	}
	return line
}

// readHistory reads a history file and returns its operations and the
// model to check them against: model if given (it must agree with the
// file's), the file's otherwise.
func readHistory(path, model string) ([]checker.Operation, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	ops, fileModel, _, err := checker.ReadAnyHistory(f, model)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	return ops, fileModel, nil
}
