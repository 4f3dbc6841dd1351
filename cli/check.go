package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/checker"
)

// checkOptions is what the check command was asked to check.
type checkOptions struct {
	f   *factory
	Out io.Writer

	History string // the history file
	Model   string // --model, or "" for the file's
	Check   checkFlags
}

// checkLong is the check command's help; "$0" is the program's name.
const checkLong = `check reads a history file (the JSON format of package checker: a version, a
model and a list of operations with call and return times, inputs, outputs and
ok/unknown outcomes; '$0 run --history' writes one) and checks it for
linearizability against the register or key-value model. Operations with
unknown outcomes may or may not have taken effect. Running out of --budget is
inconclusive, which fails unless --allow-inconclusive is given.

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
			"check history.json --model kv --budget 1m",
			"run paxos-lossy --seed 7 --history h.json && $0 check h.json"),
		Args: exactArgs(1, "a history file"),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			return []cobra.Completion{"json"}, cobra.ShellCompDirectiveFilterFileExt
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
	addCheckFlags(cmd, &opts.Check, "none")
	return cmd
}

// runCheck reads the history and checks it.
func runCheck(opts *checkOptions) error {
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
	fmt.Fprintf(opts.Out, "%s: %d operations\n%s\n", opts.History, len(ops), res.Result)
	if res.Verdict == checker.Holds || (res.Verdict == checker.Inconclusive && opts.Check.AllowInconclusive) {
		return nil
	}
	return ErrFailed
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
	ops, fileModel, err := checker.ReadHistory(f)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	if model == "" {
		return ops, fileModel, nil
	}
	if fileModel != "" && model != fileModel {
		return nil, "", fmt.Errorf("--model %s, but %s is a %s history", model, path, fileModel)
	}
	return ops, model, nil
}
