package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/reports"
	"github.com/dsimlab/dsim/runner"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/shrink"
)

// sweepOptions is what the sweep command was asked to do.
type sweepOptions struct {
	f      *factory
	Ctx    context.Context
	Out    io.Writer
	ErrOut io.Writer // the progress bar, when it is a terminal

	Scenario      string
	Seeds         string // --seeds A-B or N
	Shard         string // --shard I/N, or ""
	Jobs          int
	FailFast      bool
	Checks        []string
	ChecksGiven   bool
	Format        string
	Check         checkFlags
	OutFile       string        // --out: the journal of finished runs
	Resume        string        // --resume: a journal to carry on from, and append to
	ProgressEvery time.Duration // between progress lines, when stderr is not a terminal
	Hunt          huntFlags
	// CheckDeterminism is the share of seeds run twice and compared.
	CheckDeterminism float64
	ShrinkDir        string // --shrink: where the failing seeds' minimal scenarios go
	ShrinkMax        int    // --shrink-max: how many failing seeds to shrink
}

// sweepLong is the sweep command's help; "$0" is the program's name.
const sweepLong = `sweep runs every seed of a range, one single-threaded deterministic run per
goroutine and as many goroutines as --jobs (default: all cores). It shows a
progress bar on stderr when stderr is a terminal, and a progress line every
--progress-every otherwise, then prints a summary: runs, passes, violations,
inconclusive checks, crashes, events/s and seeds/s, a digest of every run's
fingerprint, and for every failing seed the exact '$0 run' command that
replays it. Seeds are drawn one at a time, so a range may be as wide as
0-18446744073709551615.

--shard I/N keeps every N-th seed of the range starting at the I-th (0 <= I < N),
so N machines can split a range and the union of their shards is the whole sweep.
--swarm has each seed draw its own mix within the scenario's swarm bounds,
and --online stops each run at its first violating event; the replay lines
of failures carry them.
--fail-fast stops starting new seeds after the first failure; which failures are
found then depends on timing, so use it for quick feedback, not for summaries.

--check-determinism SHARE runs that share of the seeds (0.1: one in ten, picked
by a hash of the seed, so the same ones in every shard) twice and compares the
two traces event by event, like FoundationDB's unseed check: a seed whose runs
part fails the sweep, and the summary shows the first event that differs, in
both versions. --shrink DIR shrinks the first --shrink-max failing seeds after
the sweep (see '$0 shrink') and writes their minimal scenarios to DIR.

The summary records the seed range, the shard and the program's version
(text, JSON, and --format junit: JUnit XML, which CI systems display), so that
'$0 merge' can combine the shards of a range into the summary of the whole.

Nothing found is lost. ^C (SIGINT) or SIGTERM stops the sweep: runs in progress
are abandoned, and the summary of the runs that finished is printed, marked
interrupted (complete JSON with --format json); a second signal exits at once.
--out FILE writes a JSON line per run as it finishes, so even a killed sweep
leaves every finished run in FILE, and --resume FILE carries on from it: it runs
only the seeds missing and prints the summary an uninterrupted sweep would.

Exit status: 0 every run passed, 1 some run failed (a check violated or
inconclusive, or a crash), 2 bad input or usage, 130 or 143 interrupted by
SIGINT or SIGTERM.`

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
			"sweep my-scenario.yaml --seeds 1-500 --fail-fast --checks linearizability",
			"sweep paxos-nemesis --seeds 1-100000 --out runs.jsonl   # then, if stopped: --resume runs.jsonl"),
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
	addFormatFlag(cmd, &opts.Format, formatJUnit)
	addCheckFlags(cmd, &opts.Check, "the scenario's check_budget")
	cmd.Flags().Float64Var(&opts.CheckDeterminism, "check-determinism", 0, "run this share of the seeds (0 to 1) twice and compare their traces")
	cmd.Flags().StringVar(&opts.ShrinkDir, "shrink", "", "shrink failing seeds and write their minimal scenarios to this directory")
	cmd.Flags().IntVar(&opts.ShrinkMax, "shrink-max", 5, "shrink at most this many failing seeds (the lowest)")
	cmd.Flags().StringVar(&opts.OutFile, "out", "", "write one JSON line per finished run to this file, as runs finish")
	cmd.Flags().StringVar(&opts.Resume, "resume", "", "carry on from the --out file of an interrupted sweep, appending to it")
	cmd.Flags().DurationVar(&opts.ProgressEvery, "progress-every", 10*time.Second, "how often to print a progress line when stderr is not a terminal (0: never)")
	addHuntFlags(cmd, &opts.Hunt)
	cmd.MarkFlagsMutuallyExclusive("out", "resume")
	_ = cmd.RegisterFlagCompletionFunc("seeds", cobra.NoFileCompletions)
	_ = cmd.RegisterFlagCompletionFunc("shard", cobra.NoFileCompletions)
	return cmd
}

// runSweep runs the seeds and prints the summary. An interrupted sweep
// prints the summary of the runs that finished, marked as such, and
// returns the interruption.
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
	sum := reports.Sweep{Seeds: opts.Seeds, Shard: opts.Shard, Version: toolVersion(shortName(opts.f.name))}
	j, todo, err := opts.openJournal(seeds, &sum)
	if err != nil {
		return err
	}
	ropts := runner.Options{Jobs: opts.Jobs, FailFast: opts.FailFast, Run: opts.Check.runOptions(), CheckDeterminism: opts.CheckDeterminism}
	opts.Hunt.apply(&ropts.Run)
	meter := newProgress(opts.ErrOut, seeds.Count(), opts.ProgressEvery)
	var werr error
	start := time.Now()
	err = runner.Run(opts.Ctx, s, todo, ropts, func(r runner.Result) {
		r.Outcome.File = opts.Scenario // replay lines name what the user typed
		rec := reports.NewRunRecord(r.Outcome)
		rec.Replayed, rec.Divergence = r.Replayed, r.Divergence
		sum.AddRecord(rec)
		meter.add(!rec.Failed())
		if j != nil && werr == nil {
			werr = j.write(rec)
		}
	})
	meter.stop()
	sum.Elapsed, sum.Interrupted = time.Since(start), opts.Ctx.Err() != nil
	if err == nil && werr == nil && !sum.Interrupted {
		err = opts.shrinkFailures(s, &sum)
	}
	return opts.finish(&sum, j, errors.Join(err, werr))
}

// openJournal opens --out or --resume, if given, and returns the seeds
// still to run; a resumed sweep's finished runs are added to sum.
func (opts *sweepOptions) openJournal(seeds runner.Seeds, sum *reports.Sweep) (*journal, iter.Seq[uint64], error) {
	h := journalHeader{Version: 1, Scenario: opts.Scenario, Seeds: opts.Seeds, Shard: opts.Shard, Tool: sum.Version}
	switch {
	case opts.Resume != "":
		j, runs, err := resumeJournal(opts.Resume, h, seeds)
		if err != nil {
			return nil, nil, err
		}
		done := make(map[uint64]bool, len(runs))
		for _, r := range runs {
			sum.AddRecord(r)
			done[r.Seed] = true
		}
		return j, func(yield func(uint64) bool) {
			for seed := range seeds.All() {
				if !done[seed] && !yield(seed) {
					return
				}
			}
		}, nil
	case opts.OutFile != "":
		j, err := createJournal(opts.OutFile, h)
		return j, seeds.All(), err
	}
	return nil, seeds.All(), nil
}

// finish prints the summary and says how the sweep ended.
func (opts *sweepOptions) finish(sum *reports.Sweep, j *journal, err error) error {
	if j != nil {
		err = errors.Join(err, j.close())
	}
	if err != nil && !sum.Interrupted {
		return err
	}
	err = writeSweep(opts.Out, sum, opts.Format, opts.f.reportOptions())
	switch {
	case err != nil:
		return err
	case sum.Interrupted:
		return context.Cause(opts.Ctx)
	case !sum.Report().AllPassed:
		return ErrFailed
	}
	return nil
}

// writeSweep writes a sweep's summary in a format.
func writeSweep(w io.Writer, sum *reports.Sweep, format string, ropts []reports.Option) error {
	switch format {
	case formatJSON:
		return sum.WriteJSON(w, ropts...)
	case formatJUnit:
		return sum.WriteJUnit(w, ropts...)
	}
	return sum.WriteText(w, ropts...)
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
	if opts.CheckDeterminism < 0 || opts.CheckDeterminism > 1 {
		return runner.Seeds{}, fmt.Errorf("--check-determinism %v: want a share from 0 to 1, e.g. 0.1", opts.CheckDeterminism)
	}
	if opts.ShrinkMax < 0 {
		return runner.Seeds{}, fmt.Errorf("--shrink-max %d: want 0 or more", opts.ShrinkMax)
	}
	return seeds, nil
}

// shrinkFailures shrinks the lowest failing seeds that violated a check or
// panicked (--shrink, up to --shrink-max), writes each minimal scenario to
// the directory and adds it to the summary. A signal stops it; what was
// shrunk by then is kept.
func (opts *sweepOptions) shrinkFailures(s *scenarios.Scenario, sum *reports.Sweep) error {
	if opts.ShrinkDir == "" {
		return nil
	}
	if err := os.MkdirAll(opts.ShrinkDir, 0o755); err != nil {
		return fmt.Errorf("--shrink: %w", err)
	}
	done := 0
	for _, f := range sum.Report().Failing {
		if done == opts.ShrinkMax || opts.Ctx.Err() != nil {
			break
		}
		if len(f.Violated) == 0 && !f.Crashed {
			continue // nothing to keep: inconclusive, or nondeterministic
		}
		so := shrink.Options{Run: opts.Check.runOptions(), OtherSeeds: 20}
		opts.Hunt.apply(&so.Run) // a swarm run is shrunk from its seed's mix
		res, err := shrinkRun(opts.Ctx, s, f.Seed, so)
		if err != nil {
			return err
		}
		file := filepath.Join(opts.ShrinkDir, fmt.Sprintf("%s-seed-%d-shrunk.yaml", s.Name, f.Seed))
		if err := writeMinimal(file, res); err != nil {
			return err
		}
		sr := newShrunk(res, file, opts.Scenario, opts.f.reportOptions())
		sum.AddShrunk(reports.ShrunkRun{Seed: f.Seed, Keeps: sr.Keeps, Before: runSize(res.Before), After: runSize(res.After),
			File: file, Replay: sr.Replay})
		done++
	}
	return nil
}

// runSize is a shrink's size as a sweep reports it.
func runSize(z shrink.Size) reports.RunSize {
	return reports.RunSize{Faults: z.Faults, Ops: z.Ops, Events: z.Events}
}
