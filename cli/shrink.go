package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/reports"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/shrink"
)

// shrinkOptions is what the shrink command was asked to do.
type shrinkOptions struct {
	f      *factory
	Ctx    context.Context
	Out    io.Writer
	ErrOut io.Writer // progress, with --verbose

	Scenario   string
	Seed       uint64
	Check      string // --check: the check to keep violated
	OutFile    string // --out: where the minimal scenario goes
	OtherSeeds int
	MaxRuns    int
	Verbose    bool
	Format     string
	Checks     checkFlags
	Hunt       huntFlags // --swarm: shrink the mix the seed draws
}

// shrinkLong is the shrink command's help; "$0" is the program's name.
const shrinkLong = `shrink makes a failing run small. It runs SCENARIO with --seed, picks the
failure to keep (the first violated check, the one --check names, or a
panic), turns the run's whole fault schedule, the nemesis's draws included,
into fixed faults, and then looks for the smallest scenario whose run still
violates that same check, by delta debugging: fewer faults (a fault goes with
its undoing), earlier and closer together, fewer operations, kinds of
operation and keys, fewer clients and nodes, smaller integer parameters (a
MapReduce job's tasks), less loss and duplication, a shorter run.

It writes the smallest scenario found as a YAML file with fixed faults and no
nemesis (--out, by default SCENARIO-seed-N-shrunk.yaml here), which
'$0 run FILE --seed M' replays, and prints the run before and after: fault
events, client operations, events, nodes and clients.

The seed stays fixed while the scenario shrinks; then, unless --other-seeds is
0, the search goes on from the minimal scenario with the next seeds, and the
smallest scenario found with any of them wins: the replay line names its seed.
A liveness failure is only kept by scenarios that heal what the original
healed and go on for a while after their last fault. A seed that failed with
--swarm is shrunk with --swarm: the minimal scenario is the mix the seed
drew, made small, and replays without it.

^C (SIGINT) or SIGTERM stops the shrink: the smallest scenario found so far is
written and printed. Exit status: 0 the minimal scenario was written, 2 bad
input, or a seed that does not fail (nothing to shrink), 130 or 143
interrupted.`

// newCmdShrink builds the shrink command; runF, if not nil, is called with
// the parsed options instead of running.
func newCmdShrink(f *factory, runF func(*shrinkOptions) error) *cobra.Command {
	opts := &shrinkOptions{f: f}
	cmd := &cobra.Command{
		Use:   "shrink SCENARIO --seed N",
		Short: "Shrink a failing run to a small scenario that fails the same way",
		Long:  f.sprintf(shrinkLong),
		Example: f.examples("shrink paxos-nemesis --seed 8812",
			"shrink my-scenario.yaml --seed 3 --check linearizability --out small.yaml",
			"shrink twopc-partition --seed 1 --other-seeds 0   # keep the seed"),
		Args:              exactArgs(1, "a scenario name or file"),
		ValidArgsFunction: f.completeScenario,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ctx, opts.Out, opts.ErrOut = cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr()
			opts.Scenario = args[0]
			if runF != nil {
				return runF(opts)
			}
			return runShrink(opts)
		},
	}
	cmd.Flags().Uint64Var(&opts.Seed, "seed", 1, "the seed of the failing run")
	cmd.Flags().StringVar(&opts.Check, "check", "", "keep this check violated (default: the first violated, or a panic)")
	cmd.Flags().StringVarP(&opts.OutFile, "out", "o", "", "write the minimal scenario here (default SCENARIO-seed-N-shrunk.yaml)")
	cmd.Flags().IntVar(&opts.OtherSeeds, "other-seeds", 20, "then try the minimal scenario with this many next seeds (0: keep the seed)")
	cmd.Flags().IntVar(&opts.MaxRuns, "max-runs", shrink.DefaultMaxRuns, "most runs the shrink makes")
	cmd.Flags().BoolVarP(&opts.Verbose, "verbose", "v", false, "print every smaller scenario found, on stderr")
	addFormatFlag(cmd, &opts.Format)
	addHuntFlags(cmd, &opts.Hunt)
	addCheckFlags(cmd, &opts.Checks, "250ms for the smaller scenarios")
	_ = cmd.RegisterFlagCompletionFunc("check", f.completeChecks)
	return cmd
}

// runShrink shrinks the run and writes the minimal scenario.
func runShrink(opts *shrinkOptions) error {
	opts.Checks.apply()
	s, err := opts.f.catalog.Load(opts.Scenario)
	if err != nil {
		return err
	}
	if opts.MaxRuns < 1 || opts.OtherSeeds < 0 {
		return fmt.Errorf("--max-runs %d and --other-seeds %d: want at least 1 and 0", opts.MaxRuns, opts.OtherSeeds)
	}
	res, err := shrinkRun(opts.Ctx, s, opts.Seed, opts.shrinkOptions())
	if err != nil {
		return err
	}
	file := opts.OutFile
	if file == "" {
		file = fmt.Sprintf("%s-seed-%d-shrunk.yaml", s.Name, opts.Seed)
	}
	if err := writeMinimal(file, res); err != nil {
		return err
	}
	sr := newShrunk(res, file, opts.Scenario, opts.f.reportOptions())
	if opts.Format == formatJSON {
		err = writeIndentedJSON(opts.Out, sr)
	} else {
		err = sr.writeText(opts.Out)
	}
	if err == nil && res.Interrupted {
		return context.Cause(opts.Ctx)
	}
	return err
}

// shrinkOptions are the shrink package's options for the flags.
func (opts *shrinkOptions) shrinkOptions() shrink.Options {
	so := shrink.Options{Check: opts.Check, Run: opts.Checks.runOptions(), MaxRuns: opts.MaxRuns, OtherSeeds: opts.OtherSeeds}
	opts.Hunt.apply(&so.Run)
	if opts.Verbose {
		start := time.Now()
		so.Progress = func(step string, z shrink.Size) {
			fmt.Fprintf(opts.ErrOut, "%8.2fs  %-40s %s\n", time.Since(start).Seconds(), step, z)
		}
	}
	return so
}

// shrinkRun shrinks one seed, naming the run in its error.
func shrinkRun(ctx context.Context, s *scenarios.Scenario, seed uint64, so shrink.Options) (*shrink.Result, error) {
	res, err := shrink.Shrink(ctx, s, seed, so)
	if err != nil {
		return nil, fmt.Errorf("shrink %s --seed %d: %w", s.Name, seed, err)
	}
	return res, nil
}

// writeMinimal writes the minimal scenario to file, named after it.
func writeMinimal(file string, res *shrink.Result) error {
	res.Minimal.Name = strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	return writeFile(file, res.Minimal.WriteYAML)
}

// shrunk is what the shrink command prints, and its JSON form.
type shrunk struct {
	SchemaVersion int         `json:"schema_version"`
	Scenario      string      `json:"scenario"`
	Seed          uint64      `json:"seed"`
	Keeps         string      `json:"keeps"`
	Before        shrink.Size `json:"before"`
	After         shrink.Size `json:"after"`
	File          string      `json:"file"`
	MinimalSeed   uint64      `json:"minimal_seed"`
	Replay        string      `json:"replay"`
	Runs          int         `json:"runs"`
	Interrupted   bool        `json:"interrupted,omitempty"`
	Faults        []string    `json:"faults"`
	result        *shrink.Result
}

// newShrunk describes a shrink's result; target is the scenario as the
// user named it.
func newShrunk(res *shrink.Result, file, target string, ropts []reports.Option) *shrunk {
	o := &scenarios.Outcome{Scenario: res.Minimal.Name, File: file, Seed: res.MinimalSeed}
	sr := &shrunk{SchemaVersion: reports.SchemaVersion, Scenario: target, Seed: res.Seed, Keeps: res.Target.String(),
		Before: res.Before, After: res.After, File: file, MinimalSeed: res.MinimalSeed,
		Replay: reports.ReplayCommand(o, ropts...), Runs: res.Runs, Interrupted: res.Interrupted, Faults: []string{}, result: res}
	for _, f := range res.Minimal.Faults {
		sr.Faults = append(sr.Faults, fmt.Sprintf("%v %s", f.At, reports.FaultText(f)))
	}
	return sr
}

// writeText prints the shrink for a terminal.
func (sr *shrunk) writeText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "scenario\t%s, seed %d\n", sr.Scenario, sr.Seed)
	fmt.Fprintf(tw, "keeps\t%s\n", sr.Keeps)
	if sr.Interrupted {
		fmt.Fprintf(tw, "interrupted\tthe smallest scenario found so far\n")
	}
	fmt.Fprintf(tw, "\t%s\t%s\t%s\t%s\t%s\n", "FAULTS", "OPERATIONS", "EVENTS", "NODES", "CLIENTS")
	for _, row := range []struct {
		name string
		z    shrink.Size
	}{{"before", sr.Before}, {"after", sr.After}} {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\n", row.name, row.z.Faults, row.z.Ops, row.z.Events, row.z.Nodes, row.z.Clients)
	}
	for i, f := range sr.Faults {
		key := ""
		if i == 0 {
			key = "faults"
		}
		fmt.Fprintf(tw, "%s\t%s\n", key, f)
	}
	fmt.Fprintf(tw, "runs\t%d\n", sr.Runs)
	fmt.Fprintf(tw, "written\t%s\n", sr.File)
	fmt.Fprintf(tw, "replay\t%s\n", sr.Replay)
	return tw.Flush()
}

// writeIndentedJSON writes v as indented JSON.
func writeIndentedJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
