package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/dsimlab/dsim/reports"
	"github.com/dsimlab/dsim/runner"
)

// sweepOptions is what the sweep command was asked to do.
type sweepOptions struct {
	f      *factory
	Ctx    context.Context
	Out    io.Writer
	ErrOut io.Writer // the progress bar, when it is a terminal

	Scenario    string
	Seeds       string // --seeds A-B or N
	Shard       string // --shard I/N, or ""
	Jobs        int
	FailFast    bool
	Checks      []string
	ChecksGiven bool
	Format      string
	Check       checkFlags
}

// sweepLong is the sweep command's help; "$0" is the program's name.
const sweepLong = `sweep runs every seed of a range, one single-threaded deterministic run per
goroutine and as many goroutines as --jobs (default: all cores). It shows a
progress bar on stderr when stderr is a terminal, then prints a summary: runs,
passes, violations, inconclusive checks, events/s and seeds/s, a digest of every
run's fingerprint, and for every failing seed the exact '$0 run' command that
replays it.

--shard I/N keeps every N-th seed of the range starting at the I-th (0 <= I < N),
so N machines can split a range and the union of their shards is the whole sweep.
--fail-fast stops starting new seeds after the first failure; which failures are
found then depends on timing, so use it for quick feedback, not for summaries.

Exit status: 0 every run passed, 1 some run failed, 2 bad input or usage.`

// newCmdSweep builds the sweep command; runF, if not nil, is called with
// the parsed options instead of running.
func newCmdSweep(f *factory, runF func(*sweepOptions) error) *cobra.Command {
	opts := &sweepOptions{f: f}
	cmd := &cobra.Command{
		Use:   "sweep SCENARIO --seeds A-B",
		Short: "Run many seeds of a scenario on all cores and summarise",
		Long:  f.sprintf(sweepLong),
		Example: f.examples("sweep echo-faults --seeds 1-1000",
			"sweep paxos-nemesis --seeds 1-10000 --shard 0/4 --format json",
			"sweep my-scenario.yaml --seeds 1-500 --fail-fast --checks linearizability"),
		Args:              exactArgs(1, "a scenario name or file"),
		ValidArgsFunction: f.completeScenario,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ctx, opts.Out, opts.ErrOut = cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr()
			opts.Scenario = args[0]
			opts.ChecksGiven = cmd.Flags().Changed("checks")
			if runF != nil {
				return runF(opts)
			}
			return runSweep(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Seeds, "seeds", "", "seed range A-B (inclusive) or a single seed (required)")
	cmd.Flags().IntVar(&opts.Jobs, "jobs", runtime.NumCPU(), "runs side by side")
	cmd.Flags().StringVar(&opts.Shard, "shard", "", "run only shard I/N of the seeds, e.g. 0/4")
	cmd.Flags().BoolVar(&opts.FailFast, "fail-fast", false, "stop starting new seeds after the first failure")
	addChecksFlag(f, cmd, &opts.Checks)
	addFormatFlag(cmd, &opts.Format)
	addCheckFlags(cmd, &opts.Check, "the scenario's check_budget")
	_ = cmd.RegisterFlagCompletionFunc("seeds", cobra.NoFileCompletions)
	_ = cmd.RegisterFlagCompletionFunc("shard", cobra.NoFileCompletions)
	return cmd
}

// runSweep runs the seeds and prints the summary.
func runSweep(opts *sweepOptions) error {
	opts.Check.apply()
	seeds, err := opts.seeds()
	if err != nil {
		return err
	}
	s, err := opts.f.catalog.Load(opts.Scenario)
	if err != nil {
		return err
	}
	if err := selectChecks(s, opts.Checks, opts.ChecksGiven); err != nil {
		return err
	}
	ropts := runner.Options{Jobs: opts.Jobs, FailFast: opts.FailFast, Run: opts.Check.runOptions()}
	tick := progress(opts.ErrOut, int(min(seeds.Count(), 1<<62)))
	var sum reports.Sweep
	start := time.Now()
	err = runner.Run(opts.Ctx, s, seeds.All(), ropts, func(r runner.Result) {
		r.Outcome.File = opts.Scenario // replay lines name what the user typed
		sum.Add(r.Outcome)
		tick()
	})
	sum.Elapsed = time.Since(start)
	if err != nil {
		return err
	}
	if opts.Format == formatJSON {
		err = sum.WriteJSON(opts.Out, opts.f.reportOptions()...)
	} else {
		err = sum.WriteText(opts.Out, opts.f.reportOptions()...)
	}
	if err != nil {
		return err
	}
	if rep := sum.Report(); rep.Runs != rep.Passed {
		return ErrFailed
	}
	return nil
}

// seeds checks --seeds, --shard and --jobs.
func (opts *sweepOptions) seeds() (runner.Seeds, error) {
	if opts.Seeds == "" {
		return runner.Seeds{}, fmt.Errorf("--seeds is required, e.g. --seeds 1-1000")
	}
	seeds, err := runner.ParseSeeds(opts.Seeds)
	if err != nil {
		return runner.Seeds{}, err
	}
	if err := seeds.SetShard(opts.Shard); err != nil {
		return runner.Seeds{}, err
	}
	if opts.Jobs < 1 {
		return runner.Seeds{}, fmt.Errorf("--jobs %d: want at least 1", opts.Jobs)
	}
	return seeds, nil
}

// progress returns a function to call after each run: a progress bar on w
// if w is a terminal, nothing otherwise.
func progress(w io.Writer, total int) func() {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return func() {}
	}
	bar := progressbar.NewOptions(total, progressbar.OptionSetWriter(w), progressbar.OptionShowCount(),
		progressbar.OptionShowIts(), progressbar.OptionSetItsString("seeds"), progressbar.OptionThrottle(100_000_000),
		progressbar.OptionClearOnFinish())
	return func() { _ = bar.Add(1) }
}
