package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/explore"
	"github.com/dsimlab/dsim/reports"
	"github.com/dsimlab/dsim/scenarios"
)

// exploreOptions is what the explore command was asked to do.
type exploreOptions struct {
	f   *factory
	Ctx context.Context
	Out io.Writer

	Scenario    string
	Seed        uint64
	Mode        string
	Search      explore.Options
	Checks      []string
	ChecksGiven bool
	Format      string
	ErrOut      io.Writer
	OutFile     string // --out: where a counterexample's path goes
	HTMLFile    string // --html: the report of the counterexample's run
}

// exploreLong is the explore command's help; "$0" is the program's name.
const exploreLong = `explore searches the runs of one seed of a scenario over the choices the
kernel otherwise makes: which pending message or timer is handled next, which
message is lost or duplicated, which server crashes and when it restarts. A
chosen event is handled at once, at the current virtual time: a message arrives
early, a timer fires early. At every state it reaches, explore runs the
scenario's checks and stops at the first safety check that fails, once running
the path on to the scenario's end confirms it (liveness verdicts mean nothing
in the middle of a run).

--mode bfs (the default) searches breadth-first, so a counterexample is as
short as any; dfs depth-first; random runs --runs random walks, faults
included; pct runs walks under a PCT scheduler (a random priority for each
event, d-1 priority change points, --pct-depth d): the walks are probes for
configurations too large to exhaust. Where every node has a DescribeState
method (sim.Describer), states are hashed and a state seen before is not
explored again; otherwise every path is re-executed from the start (the kernel
is deterministic), and --stateless forces that.

The bounds: --max-drops, --max-duplicates and --max-crashes (0 by default: no
such fault), --max-timers (timer firings on a path), --max-depth (steps on a
path), --max-states, and --budget (wall time; a search cut by it is not
reproducible). The result says how many states were explored, how many were
unique, the longest path, states per second, and whether the space within the
bounds was exhausted.

A counterexample is written as a path file (--out, by default
explore-SCENARIO.path.json) that '$0 run --path FILE' replays to the same
violation, with the same report as a seeded run (add --html FILE for its
message diagram; explore's own --html writes that report at once).

Exit status: 0 no safety check failed, 1 one failed (a counterexample was
written), 2 bad input or usage, 130 or 143 interrupted by SIGINT or SIGTERM.`

// newCmdExplore builds the explore command; runF, if not nil, is called with
// the parsed options instead of running.
func newCmdExplore(f *factory, runF func(*exploreOptions) error) *cobra.Command {
	opts := &exploreOptions{f: f}
	cmd := &cobra.Command{
		Use:   "explore SCENARIO",
		Short: "Search every order of events of a small scenario, and write a counterexample",
		Long:  f.sprintf(exploreLong),
		Example: f.examples("explore paxos-single --max-timers 2",
			"explore twopc-explore --max-crashes 1 --max-timers 1 --format json",
			"explore my-scenario.yaml --mode pct --runs 10000 --max-depth 200",
			"run --path explore-paxos-single.path.json --html cex.html   # the counterexample's report"),
		Args:              exactArgs(1, "a scenario name or file"),
		ValidArgsFunction: f.completeScenario,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ctx, opts.Out, opts.ErrOut, opts.Scenario = cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), args[0]
			opts.ChecksGiven = cmd.Flags().Changed("checks")
			if runF != nil {
				return runF(opts)
			}
			return runExplore(opts)
		},
	}
	addExploreFlags(cmd, opts)
	addChecksFlag(f, cmd, &opts.Checks)
	addFormatFlag(cmd, &opts.Format)
	return cmd
}

// addExploreFlags adds the search's flags.
func addExploreFlags(cmd *cobra.Command, opts *exploreOptions) {
	fl, o := cmd.Flags(), &opts.Search
	fl.Uint64Var(&opts.Seed, "seed", 1, "root seed of the run explored")
	modes := make([]string, len(explore.Modes))
	for i, m := range explore.Modes {
		modes[i] = string(m)
	}
	opts.Mode = modes[0]
	fl.Var(&choiceFlag{value: &opts.Mode, choices: modes}, "mode", "search: "+strings.Join(modes, ", "))
	registerChoices(cmd, "mode", modes...)
	fl.IntVar(&o.MaxDepth, "max-depth", 0, "most steps on a path (0: no bound; walks stop at 1000)")
	fl.Uint64Var(&o.MaxStates, "max-states", 1_000_000, "stop after this many states (0: no bound)")
	fl.Var((*durationFlag)(&o.Budget), "budget", "stop after this much wall time, e.g. 5m (default: no bound)")
	fl.IntVar(&o.MaxDrops, "max-drops", 0, "most messages a path may lose")
	fl.IntVar(&o.MaxDuplicates, "max-duplicates", 0, "most messages a path may duplicate")
	fl.IntVar(&o.MaxCrashes, "max-crashes", 0, "most server crashes on a path (a crashed server may restart at any step)")
	fl.IntVar(&o.MaxTimers, "max-timers", 0, "most timer firings on a path (0: no bound)")
	fl.BoolVar(&o.Stateless, "stateless", false, "re-execute every path, without state hashing")
	fl.IntVar(&o.Runs, "runs", explore.DefaultRuns, "walks of --mode random and pct")
	fl.Uint64Var(&o.SearchSeed, "search-seed", 1, "seed of the walks' own choices")
	fl.IntVar(&o.PCTDepth, "pct-depth", explore.DefaultPCTDepth, "PCT's d: the bug depth it aims at (d-1 priority change points)")
	fl.Var((*durationFlag)(&o.CheckBudget), "check-budget", "wall-clock budget of each budgeted check at each state (default: the scenario's check_budget)")
	fl.DurationVar(&o.ProgressEvery, "progress-every", 10*time.Second, "how often to print a progress line on stderr (0: never)")
	fl.StringVar(&opts.OutFile, "out", "", "write a counterexample's path to this file (default explore-SCENARIO.path.json)")
	fl.StringVar(&opts.HTMLFile, "html", "", "write the report of a counterexample's run, with its message diagram, to this file")
}

// runExplore searches, prints the result, and writes a counterexample.
func runExplore(opts *exploreOptions) error {
	s, err := opts.f.catalog.Load(opts.Scenario)
	if err != nil {
		return err
	}
	if err := selectChecks(s, opts.Checks, opts.ChecksGiven); err != nil {
		return err
	}
	if os.Getenv("GOGC") == "" {
		// A search's tables live as long as it does; Main's target for
		// short-lived runs would let the heap grow to five times them.
		defer debug.SetGCPercent(debug.SetGCPercent(100))
	}
	res, err := explore.Explore(s, opts.Seed, opts.searchOptions())
	if err != nil {
		return err
	}
	var cex *counterexample
	if v := res.Violation; v != nil {
		v.Path.Scenario = opts.Scenario // the replay names what the user typed
		if cex, err = opts.writeCounterexample(s, v); err != nil {
			return err
		}
	}
	if err := opts.print(res, cex); err != nil {
		return err
	}
	switch {
	case res.Stop == explore.StopInterrupted:
		return context.Cause(opts.Ctx)
	case res.Violation != nil:
		return ErrFailed
	}
	return nil
}

// searchOptions are the search's options, with progress lines on stderr.
func (opts *exploreOptions) searchOptions() explore.Options {
	o := opts.Search
	o.Mode, o.Context = explore.Mode(opts.Mode), opts.Ctx
	if o.ProgressEvery > 0 {
		o.Progress = func(r explore.Result) {
			fmt.Fprintf(opts.ErrOut, "%s explore: %s states explored, %s unique, depth %d, %.0f states/s\n",
				time.Now().Format(time.TimeOnly), groupDigits(r.States), groupDigits(r.Unique), r.Depth, r.StatesPerSecond)
		}
	}
	return o
}

// counterexample is a written path and the run that replays it.
type counterexample struct {
	File    string             `json:"path_file"`
	Replay  string             `json:"replay"`
	Outcome *scenarios.Outcome `json:"-"`
	Failed  []string           `json:"replayed_violations"` // the safety checks the replayed run violates
}

// writeCounterexample writes v's path, replays it as run --path would, and
// writes the replay's HTML report if asked.
func (opts *exploreOptions) writeCounterexample(s *scenarios.Scenario, v *explore.Counterexample) (*counterexample, error) {
	file := opts.OutFile
	if file == "" {
		file = "explore-" + strings.TrimSuffix(filepath.Base(opts.Scenario), filepath.Ext(opts.Scenario)) + ".path.json"
	}
	if err := writeFile(file, v.Path.Write); err != nil {
		return nil, fmt.Errorf("--out: %w", err)
	}
	ro := scenarios.RunOptions{Steps: v.Path.Steps, Trace: opts.HTMLFile != "", TraceLimit: htmlWindow}
	o, err := scenarios.Run(s, v.Path.Seed, ro)
	if err != nil {
		return nil, fmt.Errorf("replay of %s: %w", file, err)
	}
	o.File = opts.Scenario
	cex := &counterexample{File: file, Replay: opts.f.name + " run --path " + shellQuote(file), Outcome: o, Failed: []string{}}
	for _, c := range o.Checks {
		if c.Kind == checker.Safety && c.Verdict == checker.Violated {
			cex.Failed = append(cex.Failed, c.Check)
		}
	}
	if o.Crash != nil {
		cex.Failed = append(cex.Failed, explore.PanicCheck)
	}
	if opts.HTMLFile != "" {
		err = writeFile(opts.HTMLFile, func(w io.Writer) error {
			return reports.WriteHTML(w, o, reports.HTMLOptions{}, opts.f.reportOptions()...)
		})
	}
	return cex, err
}

// print writes the result, as text or JSON, with the counterexample's
// file and replay.
func (opts *exploreOptions) print(res *explore.Result, cex *counterexample) error {
	if opts.Format == formatJSON {
		enc := json.NewEncoder(opts.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			*explore.Result
			Counterexample *counterexample `json:"counterexample,omitempty"`
		}{res, cex})
	}
	if err := res.WriteText(opts.Out); err != nil || cex == nil {
		return err
	}
	replayed := "passes: the path does not replay to the violation (a bug: please report it)"
	if len(cex.Failed) > 0 {
		replayed = "fails " + strings.Join(cex.Failed, ", ") + ", as found (" + cex.Outcome.Fingerprint + ")"
	}
	_, err := fmt.Fprintf(opts.Out, "\npath      %s (%d steps)\nreplay    %s\nreplayed  %s\n",
		cex.File, len(res.Violation.Path.Steps), cex.Replay, replayed)
	return err
}

// groupDigits formats n with thousands separators: 16,668.
func groupDigits(n uint64) string {
	s := strconv.FormatUint(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// shellQuote quotes s for a POSIX shell if it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,+@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
