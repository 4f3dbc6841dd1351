package main

import (
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
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/scenarios/library"
)

func newSweep() *cobra.Command {
	var (
		seedsFlag string
		jobs      int
		shardFlag string
		failFast  bool
		format    string
		budget    durationFlag
		allowInc  bool
	)
	cmd := &cobra.Command{
		Use:   "sweep SCENARIO --seeds A-B",
		Short: "Run many seeds of a scenario on all cores and summarise",
		Long: `sweep runs every seed of a range, one single-threaded deterministic run per
goroutine and as many goroutines as --jobs (default: all cores). It shows a
progress bar on stderr when stderr is a terminal, then prints a summary: runs,
passes, violations, inconclusive checks, events/s and seeds/s, and for every
failing seed the exact 'dsim run' command that replays it.

--shard I/N keeps every N-th seed of the range starting at the I-th (0 <= I < N),
so N machines can split a range and the union of their shards is the whole sweep.
--fail-fast stops starting new seeds after the first failure; which failures are
found then depends on timing, so use it for quick feedback, not for summaries.

Exit status: 0 every run passed, 1 some run failed, 2 bad input or usage.`,
		Example: `  dsim sweep echo-faults --seeds 1-1000
  dsim sweep paxos-nemesis --seeds 1-10000 --shard 0/4 --format json`,
		Args: exactArgs(1, "a scenario name or file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return fmt.Errorf("--format %q: want text or json", format)
			}
			if seedsFlag == "" {
				return fmt.Errorf("--seeds is required, e.g. --seeds 1-1000")
			}
			seeds, err := runner.ParseSeeds(seedsFlag)
			if err != nil {
				return err
			}
			if err := seeds.SetShard(shardFlag); err != nil {
				return err
			}
			if jobs < 1 {
				return fmt.Errorf("--jobs %d: want at least 1", jobs)
			}
			s, err := library.Load(args[0])
			if err != nil {
				return err
			}
			opts := runner.Options{Jobs: jobs, FailFast: failFast,
				Run: scenarios.RunOptions{CheckBudget: budget.d, AllowInconclusive: allowInc}}
			tick := progress(cmd.ErrOrStderr(), int(min(seeds.Count(), 1<<62)))
			var sum reports.Sweep
			start := time.Now()
			err = runner.Run(cmd.Context(), s, seeds.All(), opts, func(r runner.Result) {
				r.Outcome.File = args[0]
				sum.Add(r.Outcome)
				tick()
			})
			sum.Elapsed = time.Since(start)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				err = sum.WriteJSON(out)
			} else {
				err = sum.WriteText(out)
			}
			if err != nil {
				return err
			}
			if rep := sum.Report(); rep.Runs != rep.Passed {
				return errViolated
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&seedsFlag, "seeds", "", "seed range A-B (inclusive) or a single seed")
	cmd.Flags().IntVar(&jobs, "jobs", runtime.NumCPU(), "runs side by side")
	cmd.Flags().StringVar(&shardFlag, "shard", "", "run only shard I/N of the seeds, e.g. 0/4")
	cmd.Flags().BoolVar(&failFast, "fail-fast", false, "stop starting new seeds after the first failure")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().Var(&budget, "budget", "wall-clock budget of each budgeted check, e.g. 30s (default: the scenario's)")
	cmd.Flags().BoolVar(&allowInc, "allow-inconclusive", false, "let inconclusive checks pass")
	return cmd
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
