package cli

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/fuzz"
	"github.com/dsimlab/dsim/reports"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/shrink"
)

// fuzzLong is the fuzz command's help; "$0" is the program's name.
const fuzzLong = `fuzz runs seeds of SCENARIO one after another without end, on all cores, and
keeps what fails in a corpus directory. Failures are grouped by a signature:
the protocol, the check that failed and its verdict, and the shape of the
violation (the first thing the check reports, with numbers and durations
replaced by #; for a panic, its value and the function that panicked). Each
group keeps its fastest-failing seed (the fewest events), and that seed is
shrunk (see '$0 shrink') to a minimal scenario. Every seed draws its own mix
of faults and workload within the scenario's swarm bounds (see '$0 run
--swarm'), so a group's seed replays with --swarm; its minimal scenario is
that mix made small, and replays without it:

  DIR/fuzz.json           the scenario, the version, the next seed, the counts
  DIR/ID/finding.json     a group: signature, seed, events, times seen, sizes
  DIR/ID/minimal.yaml     its shrunk scenario: '$0 run DIR/ID/minimal.yaml --seed N'

It prints each new group, each faster seed and each shrink as they come, a
progress line on stderr every --progress-every, and the corpus when it stops.
^C (SIGINT) or SIGTERM stops it; every file is written whole, so even SIGKILL
loses at most the runs in flight. Run it again with the same --corpus and it
carries on from the lowest seed that had not finished, with every group it
had; a shrink cut short is done again.

Exit status: 0 nothing failed, 1 the corpus holds a failure, 2 bad input,
130 or 143 stopped by SIGINT or SIGTERM.`

// fuzzOptions is what the fuzz command was asked to do.
type fuzzOptions struct {
	f      *factory
	Ctx    context.Context
	Out    io.Writer
	ErrOut io.Writer

	Scenario      string
	Corpus        string
	Jobs          int
	Runs          uint64 // stop after this many runs (0: never)
	Start         uint64 // the first seed of a new corpus
	NoShrink      bool
	ProgressEvery time.Duration
	Check         checkFlags
}

// newCmdFuzz builds the fuzz command.
func newCmdFuzz(f *factory) *cobra.Command {
	opts := &fuzzOptions{f: f}
	cmd := &cobra.Command{
		Use:   "fuzz SCENARIO --corpus DIR",
		Short: "Run seeds without end, group failures by signature, keep the fastest of each, shrunk",
		Long:  f.sprintf(fuzzLong),
		Example: f.examples("fuzz paxos-nemesis --corpus corpus/paxos   # until ^C; again to carry on",
			"fuzz my-scenario.yaml --corpus corpus/mine --runs 100000 --jobs 8"),
		Args:              exactArgs(1, "a scenario name or file"),
		ValidArgsFunction: f.completeScenario,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ctx, opts.Out, opts.ErrOut = cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr()
			opts.Scenario = args[0]
			return runFuzz(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Corpus, "corpus", "", "the corpus directory (required): made if need be, carried on if it exists")
	cmd.Flags().IntVar(&opts.Jobs, "jobs", runtime.NumCPU(), "runs side by side")
	cmd.Flags().Uint64Var(&opts.Runs, "runs", 0, "stop after this many runs (0: never)")
	cmd.Flags().Uint64Var(&opts.Start, "start", 1, "the first seed of a new corpus")
	cmd.Flags().BoolVar(&opts.NoShrink, "no-shrink", false, "do not shrink the groups' seeds")
	cmd.Flags().DurationVar(&opts.ProgressEvery, "progress-every", 10*time.Second, "how often to print a progress line on stderr (0: never)")
	addCheckFlags(cmd, &opts.Check, "the scenario's check_budget")
	_ = cmd.MarkFlagRequired("corpus")
	return cmd
}

// runFuzz fuzzes until stopped, then prints the corpus.
func runFuzz(opts *fuzzOptions) error {
	opts.Check.apply()
	if opts.Jobs < 1 {
		return fmt.Errorf("--jobs %d: want at least 1", opts.Jobs)
	}
	s, err := opts.f.catalog.Load(opts.Scenario)
	if err != nil {
		return err
	}
	c, err := fuzz.Open(opts.Corpus, opts.Scenario, toolVersion(shortName(opts.f.name)), opts.Start)
	if err != nil {
		return err
	}
	st := c.State()
	fmt.Fprintf(opts.Out, "fuzzing %s into %s from seed %d (%d runs and %d groups so far)\n",
		opts.Scenario, opts.Corpus, st.Next, st.Runs, len(c.Findings()))
	stop := opts.progress(c)
	err = fuzz.Run(opts.Ctx, s, c, opts.fuzzOptions(s))
	stop()
	if perr := opts.printCorpus(c); err == nil {
		err = perr
	}
	switch {
	case err != nil: // an interruption among them: 130 or 143
		return err
	case len(c.Findings()) > 0:
		return ErrFailed
	}
	return nil
}

// fuzzOptions are the fuzz package's options for the flags; its callbacks
// print what happens, one line at a time.
func (opts *fuzzOptions) fuzzOptions(s *scenarios.Scenario) fuzz.Options {
	var mu sync.Mutex
	say := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(opts.Out, format, args...)
	}
	return fuzz.Options{Jobs: opts.Jobs, Runs: opts.Runs, Shrink: !opts.NoShrink, Run: opts.Check.runOptions(),
		ShrinkOptions: shrink.Options{OtherSeeds: 20},
		Found: func(f fuzz.Finding) {
			what := "faster"
			if f.Seen == 1 {
				what = "new"
			}
			say("%-6s %s  seed %d, %d events: %s\n", what, f.ID, f.Seed, f.Events, f.Signature)
		},
		Shrunk: func(f fuzz.Finding, res *shrink.Result) {
			say("shrunk %s  seed %d: %s -> %s\n", f.ID, f.Seed, res.Before, res.After)
		},
	}
}

// progress prints a progress line every --progress-every until stopped.
func (opts *fuzzOptions) progress(c *fuzz.Corpus) (stop func()) {
	if opts.ProgressEvery <= 0 {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		start, first := time.Now(), c.State().Runs
		tick := time.NewTicker(opts.ProgressEvery)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				st := c.State()
				rate := float64(st.Runs-first) / time.Since(start).Seconds()
				fmt.Fprintf(opts.ErrOut, "fuzz: seed %d, %d runs (%.1f/s), %d failed, %d groups\n",
					st.Next, st.Runs, rate, st.Failed, len(c.Findings()))
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// printCorpus prints every group of the corpus, then each group's replay
// commands.
func (opts *fuzzOptions) printCorpus(c *fuzz.Corpus) error {
	st := c.State()
	fmt.Fprintf(opts.Out, "\ncorpus %s: %d runs, %d failed, next seed %d\n", opts.Corpus, st.Runs, st.Failed, st.Next)
	findings := c.Findings()
	if len(findings) == 0 {
		_, err := fmt.Fprintf(opts.Out, "no failure found\n")
		return err
	}
	tw := tabwriter.NewWriter(opts.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "GROUP\tSEEN\tSEED\tEVENTS\tSIGNATURE\n")
	for _, f := range findings {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", f.ID, f.Seen, f.Seed, f.Events, f.Signature)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, f := range findings {
		fmt.Fprintf(opts.Out, "\n%s\n  replay  %s\n", f.ID, opts.replay(opts.Scenario, f.Seed, "--swarm"))
		switch {
		case f.Minimal != "" && f.ShrunkFrom == f.Seed:
			cut := ""
			if !f.Shrunk {
				cut = "; cut short, shrunk again next time"
			}
			fmt.Fprintf(opts.Out, "  shrunk  %s   (%s%s)\n", opts.replay(f.Minimal, f.ShrunkSeed), f.After, cut)
		case f.Note != "":
			fmt.Fprintf(opts.Out, "  shrunk  no: %s\n", f.Note)
		}
	}
	return nil
}

// replay is the command that runs a scenario name or file with a seed and
// flags.
func (opts *fuzzOptions) replay(target string, seed uint64, flags ...string) string {
	return reports.ReplayCommand(&scenarios.Outcome{Scenario: target, File: target, Seed: seed, ReplayFlags: flags},
		opts.f.reportOptions()...)
}
