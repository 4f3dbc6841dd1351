package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/reports"
	"github.com/dsimlab/dsim/runner"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
	"github.com/dsimlab/dsim/tracediff"
)

// runOptions is what the run command was asked to do.
type runOptions struct {
	f      *factory
	Ctx    context.Context
	Out    io.Writer
	ErrOut io.Writer // the determinism check's verdict

	Scenario    string   // a catalog name or a file
	Seed        uint64   // the run's root seed
	Checks      []string // --checks, if ChecksGiven
	ChecksGiven bool
	Format      string
	Check       checkFlags
	TraceFile   string // --trace: the whole trace as JSON Lines
	HTMLFile    string // --html: a self-contained report
	HistoryFile string // --history: the client operations, for the check command
	PathFile    string // --path: a run with choices (scenario, seed, steps)
	Hunt        huntFlags
	Window      string // --window: the HTML diagram's window, FROM-TO
	Perfetto    string // --perfetto: the trace in Chrome's trace-event format
	SeedGiven   bool
	// CheckDeterminism runs the seed twice and compares the traces.
	CheckDeterminism bool
	divergence       *tracediff.Divergence
	steps            []scenarios.Step
	violation        **reports.Focus // the first violation, once searched for
}

// runLong is the run command's help; "$0" is the program's name.
const runLong = `run runs one seed of a scenario (a name from '$0 list', or a path to a YAML
file) and prints each check's verdict, the statistics, the trace fingerprint,
the simulated time, the number of events, the command that replays the run and
the wall time. The same scenario and seed always give the same run and the same
fingerprint.

--checks runs only some of the protocol's checks ('$0 list PROTOCOL' names
them). --check-determinism runs the seed twice and compares the two traces
event by event: if they part, it prints the first event that differs, in both
versions, and the run fails. --format junit writes JUnit XML for CI. --trace writes every event as JSON Lines, --html a self-contained report
with a fault timeline and a message diagram, and --history the clients'
operations in the format '$0 check' reads (for key-value and register
protocols only). The trace is written as the run goes, so a run of any length
can be traced in constant memory. The HTML report's diagram draws a window of
the trace around the first violation of a safety check (found by re-running
the seed), or the first fault when every check holds; --window chooses it, by
times (150ms-340ms) or by trace record numbers (1200-1500).

--perfetto writes the trace in the Chrome trace-event JSON format, as the run
goes: open it at ui.perfetto.dev ("Open trace file"; it stays on your machine)
or in chrome://tracing ("Load"): a track per node, an arrow per message,
faults and facts as instant events, the checks as markers.

--swarm draws the run's mix from its seed (fault kinds and rates, crash
points, loss, latency tail, workload, operations in flight, queries after the
fact, fault points, liveness mode), within the scenario's swarm bounds, and
the report names it; --online stops the run at the first event an online
check finds wrong and points at it. Replay lines carry the flags.

A panic in the protocol's code is a finding: the run fails as CRASHED, naming
the node, the event and the stack. ^C (SIGINT) or SIGTERM stops the run before
its next event: the report says where it stopped, the trace holds every event
up to there, and no check runs.

Exit status: 0 every check held, 1 a check was violated (or inconclusive, unless
allowed) or the run crashed, 2 bad input or usage, 130 or 143 interrupted by
SIGINT or SIGTERM.`

// newCmdRun builds the run command; runF, if not nil, is called with the
// parsed options instead of running (for tests of the flags).
func newCmdRun(f *factory, runF func(*runOptions) error) *cobra.Command {
	opts := &runOptions{f: f}
	cmd := &cobra.Command{
		Use:   "run SCENARIO",
		Short: "Run one seed of a scenario and print the verdict of each check",
		Long:  f.sprintf(runLong),
		Example: f.examples("run echo-faults --seed 1",
			"run my-scenario.yaml --seed 8812 --trace run.jsonl --html run.html",
			"run paxos-nemesis --seed 3 --checks linearizability --history h.json",
			"run echo-calm --format json"),
		Args: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("path") && len(args) == 0 {
				return nil // the path names the scenario
			}
			return exactArgs(1, "a scenario name or file (or --path FILE)")(cmd, args)
		},
		ValidArgsFunction: f.completeScenario,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ctx, opts.Out, opts.ErrOut = cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr()
			if len(args) > 0 {
				opts.Scenario = args[0]
			}
			opts.SeedGiven = cmd.Flags().Changed("seed")
			opts.ChecksGiven = cmd.Flags().Changed("checks")
			if runF != nil {
				return runF(opts)
			}
			return runRun(opts)
		},
	}
	cmd.Flags().Uint64Var(&opts.Seed, "seed", 1, "root seed of the run")
	addChecksFlag(f, cmd, &opts.Checks)
	addFormatFlag(cmd, &opts.Format, formatJUnit)
	addCheckFlags(cmd, &opts.Check, "the scenario's check_budget")
	cmd.Flags().BoolVar(&opts.CheckDeterminism, "check-determinism", false, "run the seed twice and compare the traces event by event")
	cmd.Flags().StringVar(&opts.TraceFile, "trace", "", "write the whole trace to this file as JSON Lines")
	cmd.Flags().StringVar(&opts.HTMLFile, "html", "", "write a self-contained HTML report to this file")
	cmd.Flags().StringVar(&opts.HistoryFile, "history", "", "write the clients' operations to this file, as the check command reads them")
	cmd.Flags().StringVar(&opts.Window, "window", "", "the HTML report's diagram window: times (150ms-340ms) or trace record numbers (1200-1500); default: around the first violation, or the first fault")
	cmd.Flags().StringVar(&opts.Perfetto, "perfetto", "", "write the trace in the Chrome trace-event JSON format to this file, for ui.perfetto.dev or chrome://tracing")
	cmd.Flags().StringVar(&opts.PathFile, "path", "", "replay a run with choices (a path file from explore or debug): its scenario, seed and steps")
	addHuntFlags(cmd, &opts.Hunt)
	return cmd
}

// runRun runs one seed and writes what was asked.
func runRun(opts *runOptions) error {
	opts.Check.apply()
	if err := opts.readPath(); err != nil {
		return err
	}
	window, err := parseWindow(opts.Window)
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
	o, err := opts.run(s)
	if err != nil {
		return err
	}
	o.File = opts.Scenario // the replay line names what the user typed
	if err := opts.writeFiles(s, o, window); err != nil {
		return err
	}
	if err := opts.write(o); err != nil {
		return err
	}
	switch {
	case o.Interrupted:
		return context.Cause(opts.Ctx)
	case !o.Passed || opts.divergence != nil:
		return ErrFailed
	}
	return nil
}

// write prints the run's report in the format asked for, and where the
// determinism check found the two runs to part, if it did.
func (opts *runOptions) write(o *scenarios.Outcome) error {
	ropts := opts.reportOptions()
	var err error
	switch opts.Format {
	case formatJSON:
		err = reports.WriteJSON(opts.Out, o, ropts...)
	case formatJUnit:
		err = reports.WriteJUnit(opts.Out, o, ropts...)
	default:
		err = reports.WriteText(opts.Out, o, ropts...)
	}
	if err != nil || !opts.CheckDeterminism || o.Interrupted {
		return err
	}
	w := opts.Out
	if opts.Format != formatText {
		w = opts.ErrOut // the JSON or XML on stdout stays whole
	}
	return writeDeterminism(w, o.Seed, opts.divergence)
}

// writeDeterminism says whether a seed ran the same twice.
func writeDeterminism(w io.Writer, seed uint64, d *tracediff.Divergence) error {
	if d == nil {
		_, err := fmt.Fprintf(w, "determinism: seed %d ran twice, the same event by event\n", seed)
		return err
	}
	if _, err := fmt.Fprintf(w, "determinism: seed %d did NOT replay the same: ", seed); err != nil {
		return err
	}
	return d.WriteText(w, "first run", "second run")
}

// readPath reads --path, if given: its scenario, seed and steps.
func (opts *runOptions) readPath() error {
	if opts.PathFile == "" {
		return nil
	}
	f, err := os.Open(opts.PathFile)
	if err != nil {
		return fmt.Errorf("--path: %w", err)
	}
	defer f.Close()
	p, err := scenarios.ReadPath(f)
	switch {
	case err != nil:
		return fmt.Errorf("--path %s: %w", opts.PathFile, err)
	case opts.Scenario != "" && opts.Scenario != p.Scenario:
		return fmt.Errorf("--path %s is a path of %s, not of %s", opts.PathFile, p.Scenario, opts.Scenario)
	case opts.SeedGiven && opts.Seed != p.Seed:
		return fmt.Errorf("--path %s is a path of seed %d, not of seed %d", opts.PathFile, p.Seed, opts.Seed)
	}
	opts.Scenario, opts.Seed, opts.steps = p.Scenario, p.Seed, p.Steps
	return nil
}

// htmlWindow is how many events a run records for its HTML report's diagram:
// a bounded window, so that --html costs bounded memory.
const htmlWindow = 20_000

// run runs the seed, streaming the trace to --trace.
func (opts *runOptions) run(s *scenarios.Scenario) (o *scenarios.Outcome, err error) {
	ro := opts.Check.runOptions()
	ro.Context, ro.Steps = opts.Ctx, opts.steps
	opts.Hunt.apply(&ro)
	if opts.HTMLFile != "" {
		ro.Trace, ro.TraceLimit = true, htmlWindow
	}
	if opts.TraceFile != "" {
		f, err := os.Create(opts.TraceFile)
		if err != nil {
			return nil, fmt.Errorf("--trace: %w", err)
		}
		defer closeFile(f, "--trace", &err)
		ro.TraceTo = f
	}
	var chrome *reports.ChromeTrace
	if opts.Perfetto != "" {
		f, err := os.Create(opts.Perfetto)
		if err != nil {
			return nil, fmt.Errorf("--perfetto: %w", err)
		}
		defer closeFile(f, "--perfetto", &err)
		ro.Watch = func(w *sim.World) {
			chrome = reports.NewChromeTrace(f, w, fmt.Sprintf("%s seed %d", opts.Scenario, opts.Seed))
		}
	}
	o, err = opts.runOnce(s, ro)
	if err != nil || chrome == nil {
		return o, err
	}
	if err := chrome.Close(opts.marks(s, o)); err != nil {
		return nil, fmt.Errorf("--perfetto: %w", err)
	}
	return o, nil
}

// closeFile closes f, setting *err to the error if it is the first.
func closeFile(f *os.File, flag string, err *error) {
	if cerr := f.Close(); *err == nil && cerr != nil {
		*err = fmt.Errorf("%s: %w", flag, cerr)
	}
}

// marks are the check markers of a Chrome trace: each check's verdict at
// the end of the run, and the first violation where it happened.
func (opts *runOptions) marks(s *scenarios.Scenario, o *scenarios.Outcome) []reports.ChromeMark {
	var marks []reports.ChromeMark
	if o.Crash != nil || o.Interrupted {
		return nil
	}
	if f, err := opts.firstViolation(s, o); err == nil && f != nil {
		marks = append(marks, reports.ChromeMark{Time: f.Time, Name: f.Label, Detail: f.Detail})
	}
	for _, c := range o.Checks {
		marks = append(marks, reports.ChromeMark{Time: sim.Time(o.SimTime), Name: c.Check + ": " + c.Verdict.String(), Detail: c.Detail})
	}
	return marks
}

// runOnce runs the seed, twice with --check-determinism.
func (opts *runOptions) runOnce(s *scenarios.Scenario, ro scenarios.RunOptions) (*scenarios.Outcome, error) {
	if !opts.CheckDeterminism {
		return scenarios.Run(s, opts.Seed, ro)
	}
	o, d, err := runner.RunTwice(s, opts.Seed, ro)
	opts.divergence = d
	return o, err
}

// writeFiles writes the history, trace and HTML files asked for. The
// history comes first: a run whose history the check command could not
// read fails before any file is written.
func (opts *runOptions) writeFiles(s *scenarios.Scenario, o *scenarios.Outcome, window reports.HTMLOptions) error {
	if opts.HistoryFile != "" {
		var buf bytes.Buffer
		if err := writeHistory(&buf, o); err != nil {
			return fmt.Errorf("--history %s: %w", opts.HistoryFile, err)
		}
		if err := writeFile(opts.HistoryFile, func(w io.Writer) error { _, err := buf.WriteTo(w); return err }); err != nil {
			return err
		}
	}
	if opts.HTMLFile == "" {
		return nil
	}
	ho, err := opts.focus(s, o, window)
	if err != nil {
		return fmt.Errorf("--html: %w", err)
	}
	return writeFile(opts.HTMLFile, func(w io.Writer) error {
		return reports.WriteHTML(w, o, ho, opts.reportOptions()...)
	})
}

// reportOptions are the program's report options; a run of a path file is
// replayed by running the path again, not the seed.
func (opts *runOptions) reportOptions() []reports.Option {
	ropts := opts.f.reportOptions()
	if opts.PathFile != "" {
		ropts = append(ropts, reports.ReplayLine(opts.f.name+" run --path "+reports.ShellQuote(opts.PathFile)))
	}
	return ropts
}

// writeFile creates path and fills it with write, reporting errors with the
// path.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
