package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/dsimlab/dsim/reports"
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
			r, err := parseSeeds(seedsFlag)
			if err != nil {
				return err
			}
			sh, err := parseShard(shardFlag)
			if err != nil {
				return err
			}
			if jobs < 1 {
				return fmt.Errorf("--jobs %d: want at least 1", jobs)
			}
			s, err := library.Load(args[0])
			if err != nil {
				return err
			}
			seeds := r.seeds(sh)
			opts := scenarios.RunOptions{CheckBudget: budget.d, AllowInconclusive: allowInc}
			sum, err := sweep(s, args[0], seeds, jobs, failFast, opts, progress(cmd.ErrOrStderr(), len(seeds)))
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

// sweep runs the seeds on jobs goroutines, each run single-threaded and
// deterministic, and collects the outcomes in a summary. The summary does
// not depend on jobs or on the order runs finish in.
func sweep(s *scenarios.Scenario, arg string, seeds []uint64, jobs int, failFast bool,
	opts scenarios.RunOptions, tick func()) (*reports.Sweep, error) {
	var (
		next   atomic.Int64
		failed atomic.Bool
		mu     sync.Mutex
		wg     sync.WaitGroup
		sum    reports.Sweep
		first  error
	)
	start := time.Now()
	for j := 0; j < min(jobs, len(seeds)); j++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if int(i) >= len(seeds) || (failFast && failed.Load()) {
					return
				}
				o, err := scenarios.Run(s, seeds[i], opts)
				mu.Lock()
				if err != nil {
					if first == nil {
						first = fmt.Errorf("seed %d: %w", seeds[i], err)
					}
					failed.Store(true)
					mu.Unlock()
					return
				}
				o.File = arg
				o.World = nil // keep memory flat over long sweeps
				sum.Add(o)
				if !o.Passed {
					failed.Store(true)
				}
				mu.Unlock()
				tick()
			}
		}()
	}
	wg.Wait()
	sum.Elapsed = time.Since(start)
	return &sum, first
}
