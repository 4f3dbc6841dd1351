package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/debugger"
)

// debugOptions is what the debug command was asked to serve.
type debugOptions struct {
	f   *factory
	Ctx context.Context
	Out io.Writer

	Scenario  string // a catalog name or a file
	Seed      uint64
	SeedGiven bool
	PathFile  string // --path: start from a branch
	Port      int    // --port: 0 picks a free one
	SaveFile  string // --save: where the page's "save branch" writes
	TraceFile string // --trace: show a trace file instead of a run
	Records   int    // --max-records: the most records of it read
	Check     checkFlags

	// ready, if set, is called with the page's address once it listens
	// (for tests).
	ready func(url string)
}

// debugLong is the debug command's help; "$0" is the program's name.
const debugLong = `debug serves a web page on this machine (127.0.0.1 only; nothing on the page
is fetched from elsewhere) that steps through one seed of a scenario:

  - a scrubber over the run's events, with its faults, the choices of the branch
    and the first violation marked; step forward and back (every step re-runs
    the scenario from its start, deterministically, to the event asked for);
  - the space-time diagram of the events up to the position;
  - each node's state (what it describes of itself, else the facts it recorded
    last), its pending timers and the messages in flight to it;
  - branching: deliver a chosen message now, drop it, duplicate it, fire a
    timer early, crash or restart a node, and go on from there; the branch is
    a path file ('save branch' writes it to --save; '$0 run --path FILE'
    replays it);
  - each safety check's verdict at the position, and a jump to the first event
    after which one is violated (found by re-running);
  - porcupine's view of the history so far, opened at its first error.

--path FILE starts from a saved branch (its scenario and seed).

--trace FILE shows a trace instead of running a scenario: the JSON Lines file
'$0 run NAME --seed N --trace FILE' writes, such as one a CI job kept, without
the scenario or the code that made it. The page is read-only. Its scrubber
steps record by record, with the trace's faults marked; it draws the diagram
up to the position, and shows each node up, down or paused, the facts it
recorded, its last events, and the messages in flight to it (sends not yet
delivered or dropped). A trace carries no code, so it cannot be branched or
checked, and porcupine is not offered: operations are in a trace only as text.
The first --max-records records are read (a million take about 120 MB of
memory); the page says when the file holds more. A line that is not a trace record is
an error naming the file and the line.

Stop with ^C.`

// newCmdDebug builds the debug command; runF, if not nil, is called with
// the parsed options instead of serving.
func newCmdDebug(f *factory, runF func(*debugOptions) error) *cobra.Command {
	opts := &debugOptions{f: f}
	cmd := &cobra.Command{
		Use:   "debug SCENARIO | --path FILE | --trace FILE",
		Short: "Step through a run, or a saved trace, in a web page: state, messages, branches, the first violation",
		Long:  f.sprintf(debugLong),
		Example: f.examples("debug twopc-calm --seed 1",
			"debug my-scenario.yaml --seed 8812 --port 8080 --save branch.json",
			"debug --path branch.json",
			"debug --trace run.jsonl   # after $0 run NAME --seed N --trace run.jsonl"),
		Args:              debugArgs,
		ValidArgsFunction: f.completeScenario,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ctx, opts.Out = cmd.Context(), cmd.OutOrStdout()
			if len(args) > 0 {
				opts.Scenario = args[0]
			}
			opts.SeedGiven = cmd.Flags().Changed("seed")
			if runF != nil {
				return runF(opts)
			}
			return runDebug(opts)
		},
	}
	cmd.Flags().Uint64Var(&opts.Seed, "seed", 1, "root seed of the run")
	cmd.Flags().StringVar(&opts.PathFile, "path", "", "start from a branch saved as a path file (its scenario, seed and steps)")
	cmd.Flags().IntVar(&opts.Port, "port", 7878, "port to serve on, on 127.0.0.1 (0: any free port)")
	cmd.Flags().StringVar(&opts.SaveFile, "save", "", "file the page's 'save branch' writes the branch to, as a path file")
	cmd.Flags().StringVar(&opts.TraceFile, "trace", "", "show a trace file (JSON Lines, from run --trace), read-only, instead of a run")
	cmd.Flags().IntVar(&opts.Records, "max-records", debugger.DefaultTraceLimit, "with --trace: the most records read from the file")
	addCheckFlags(cmd, &opts.Check, "the scenario's check_budget")
	for _, f := range []string{"path", "seed", "save", "budget", "allow-inconclusive", "check-memory"} {
		cmd.MarkFlagsMutuallyExclusive("trace", f)
	}
	return cmd
}

// debugArgs checks the arguments: a scenario, or none with --path or
// --trace (a trace given as the scenario is pointed to --trace).
func debugArgs(cmd *cobra.Command, args []string) error {
	trace := cmd.Flags().Changed("trace")
	switch {
	case trace && len(args) > 0:
		return fmt.Errorf("--trace shows a trace file, which needs no scenario (got %q)", args[0])
	case trace || cmd.Flags().Changed("path") && len(args) == 0:
		return nil
	case len(args) == 1 && strings.HasSuffix(args[0], ".jsonl"):
		return fmt.Errorf("%s looks like a trace: show it with %s --trace %s", args[0], cmd.CommandPath(), args[0])
	}
	return exactArgs(1, "a scenario name or file (or --path FILE, or --trace FILE)")(cmd, args)
}

// runDebug serves the page until the command is interrupted.
func runDebug(opts *debugOptions) error {
	if opts.Port < 0 || opts.Port > 65535 {
		return fmt.Errorf("--port %d: want 0 to 65535", opts.Port)
	}
	var srv *debugger.Server
	var what string
	var err error
	if opts.TraceFile != "" {
		srv, what, err = traceServer(opts)
	} else {
		srv, what, err = runServer(opts)
	}
	if err != nil {
		return err
	}
	return serveDebug(opts, srv, what)
}

// runServer returns the server over the run asked for, and says what it
// shows.
func runServer(opts *debugOptions) (*debugger.Server, string, error) {
	opts.Check.apply()
	ro := &runOptions{f: opts.f, Scenario: opts.Scenario, Seed: opts.Seed, SeedGiven: opts.SeedGiven, PathFile: opts.PathFile}
	if err := ro.readPath(); err != nil {
		return nil, "", err
	}
	s, err := opts.f.catalog.Load(ro.Scenario)
	if err != nil {
		return nil, "", err
	}
	run := &debugger.Run{Scenario: s, Name: ro.Scenario, Seed: ro.Seed, Steps: ro.steps, Budget: opts.Check.Budget}
	return debugger.NewServer(run, debugger.Options{SaveTo: opts.SaveFile}), fmt.Sprintf("debugging %s seed %d", ro.Scenario, ro.Seed), nil
}

// traceServer reads --trace and returns the server over it, and says what
// it shows.
func traceServer(opts *debugOptions) (*debugger.Server, string, error) {
	f, err := os.Open(opts.TraceFile)
	if err != nil {
		return nil, "", fmt.Errorf("--trace: %w", err)
	}
	defer f.Close()
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(100) // the heap lives as long as the page and is as big as the trace: Main's 400 would let it grow five-fold
	}
	t, err := debugger.ReadTrace(f, opts.TraceFile, opts.Records)
	if err != nil {
		return nil, "", err
	}
	what := fmt.Sprintf("showing the trace %s (%d records", opts.TraceFile, len(t.Events))
	if t.More {
		what += ": the first of more; --max-records reads more"
	}
	return debugger.NewTraceServer(t), what + ")", nil
}

// serveDebug serves srv on --port until the command is interrupted,
// printing what it shows and where.
func serveDebug(opts *debugOptions, s *debugger.Server, what string) error {
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(opts.Port)))
	if err != nil {
		return fmt.Errorf("debug: %w", err)
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	url := "http://" + ln.Addr().String() + "/"
	fmt.Fprintf(opts.Out, "%s at %s (^C stops)\n", what, url)
	if opts.ready != nil {
		opts.ready(url)
	}
	stop := context.AfterFunc(opts.Ctx, func() { srv.Close() })
	defer stop()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("debug: %w", err)
	}
	return context.Cause(opts.Ctx)
}
