package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
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

--path FILE starts from a saved branch (its scenario and seed). Stop with ^C.`

// newCmdDebug builds the debug command; runF, if not nil, is called with
// the parsed options instead of serving.
func newCmdDebug(f *factory, runF func(*debugOptions) error) *cobra.Command {
	opts := &debugOptions{f: f}
	cmd := &cobra.Command{
		Use:   "debug SCENARIO",
		Short: "Step through a run in a web page: state, messages, branches, the first violation",
		Long:  f.sprintf(debugLong),
		Example: f.examples("debug twopc-calm --seed 1",
			"debug my-scenario.yaml --seed 8812 --port 8080 --save branch.json",
			"debug --path branch.json"),
		Args: func(cmd *cobra.Command, args []string) error {
			if cmd.Flags().Changed("path") && len(args) == 0 {
				return nil
			}
			return exactArgs(1, "a scenario name or file (or --path FILE)")(cmd, args)
		},
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
	addCheckFlags(cmd, &opts.Check, "the scenario's check_budget")
	return cmd
}

// runDebug serves the page until the command is interrupted.
func runDebug(opts *debugOptions) error {
	opts.Check.apply()
	ro := &runOptions{f: opts.f, Scenario: opts.Scenario, Seed: opts.Seed, SeedGiven: opts.SeedGiven, PathFile: opts.PathFile}
	if err := ro.readPath(); err != nil {
		return err
	}
	s, err := opts.f.catalog.Load(ro.Scenario)
	if err != nil {
		return err
	}
	run := &debugger.Run{Scenario: s, Name: ro.Scenario, Seed: ro.Seed, Steps: ro.steps, Budget: opts.Check.Budget}
	if opts.Port < 0 || opts.Port > 65535 {
		return fmt.Errorf("--port %d: want 0 to 65535", opts.Port)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(opts.Port)))
	if err != nil {
		return fmt.Errorf("debug: %w", err)
	}
	srv := &http.Server{Handler: debugger.NewServer(run, debugger.Options{SaveTo: opts.SaveFile}).Handler(),
		ReadHeaderTimeout: 10 * time.Second}
	url := "http://" + ln.Addr().String() + "/"
	fmt.Fprintf(opts.Out, "debugging %s seed %d at %s (^C stops)\n", ro.Scenario, ro.Seed, url)
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
