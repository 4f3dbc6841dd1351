package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/labs"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/reports"
	"github.com/dsimlab/dsim/scenarios/library"
)

// Config says what a dsim command knows beyond the built-in protocols and
// scenarios, and what it is called.
type Config struct {
	// Name is the command as its users type it, used in help and in every
	// replay line it prints, e.g. "regsim" or "go run ./cmd/regsim". Empty
	// means "dsim".
	Name string
	// Protocols are added to the built-in ones (a name clash is an error
	// at start-up).
	Protocols []protocols.Protocol
	// Scenarios, if not nil, holds more named scenarios (NAME.yaml at its
	// root), e.g. an embed.FS; ScenarioDir names it in messages
	// ("scenarios", the default).
	Scenarios   fs.FS
	ScenarioDir string
	// Lab, if set, names the lab (package labs) whose student code this
	// command runs: its lab test subcommand grades the protocol the lab
	// names (one of Protocols), e.g. "raft" for a command that adds
	// "raft-lab".
	Lab string
}

// Exit statuses scripts can rely on.
const (
	exitOK     = 0 // every check held
	exitFailed = 1 // a check failed (violated, or inconclusive unless allowed)
	exitUsage  = 2 // bad input or usage
)

// ErrFailed is returned by a command whose run completed but whose checks
// did not all hold; Execute maps it to exit status 1 and prints nothing
// more, since the command has reported the verdicts. A subcommand of one's
// own (see New) returns it, wrapped or not, to fail the same way.
var ErrFailed = errors.New("a check did not hold")

// Main runs the command on os.Args[1:] with the process's stdio and
// returns the exit status, for os.Exit. Unless the environment sets GOGC,
// it raises the garbage collector's target to 400: runs allocate many
// small, short-lived objects on a small heap, which the default target
// collects constantly. This never changes a run's result.
func Main(cfg Config) int {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	ctx, stop := withSignals(context.Background(), shortName(cfg.Name), os.Stderr)
	defer stop()
	return Run(ctx, cfg, os.Args[1:], os.Stdout, os.Stderr)
}

// Run runs the command on args with the given output streams, in this
// process, and returns the exit status.
func Run(ctx context.Context, cfg Config, args []string, stdout, stderr io.Writer) int {
	root, err := New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", shortName(cfg.Name), err)
		return exitUsage
	}
	return Execute(ctx, root, args, stdout, stderr)
}

// Execute runs root (from New, with commands of one's own added) on args
// with the given output streams and returns the exit status: 0 when the
// command succeeded, 1 when it returned ErrFailed, 130 or 143 when a signal
// interrupted it (Interrupted), and 2, after printing the error, for
// anything else (bad input or usage).
func Execute(ctx context.Context, root *cobra.Command, args []string, stdout, stderr io.Writer) int {
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	var ie *Interrupted
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, ErrFailed):
		return exitFailed
	case errors.As(err, &ie):
		fmt.Fprintf(stderr, "%s: %v\n", root.Name(), err)
		return ie.status()
	default:
		fmt.Fprintf(stderr, "%s: %v\n", root.Name(), err)
		return exitUsage
	}
}

// New builds the whole command for cfg, for programs that add commands of
// their own before running it with Execute. It fails if a protocol or a
// scenario of cfg has the name of one the catalog has already.
func New(cfg Config) (*cobra.Command, error) {
	f, err := newFactory(cfg)
	if err != nil {
		return nil, err
	}
	root := &cobra.Command{
		Use:   shortName(f.name),
		Short: "A deterministic distributed-systems simulator",
		Long: f.sprintf(`$0 simulates nodes, a lossy network and crashes in one deterministic event
loop, runs protocols inside it, and checks the recorded histories. The same
seed always gives the same run, byte for byte.

Exit status: 0 every check held, 1 a check failed, 2 bad input or usage.`),
		Example: f.examples("list --verbose", "run paxos-nemesis --seed 1",
			"sweep echo-faults --seeds 1-10000", "completion bash   # a completion script; also zsh, fish, powershell"),
		Version:       version(shortName(f.name)),
		Annotations:   map[string]string{cobra.CommandDisplayNameAnnotation: f.name},
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("{{.Version}}")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%w (see %s --help)", err, c.CommandPath())
	})
	root.AddCommand(newCmdRun(f, nil), newCmdSweep(f, nil), newCmdValidate(f, nil), newCmdList(f, nil),
		newCmdCheck(f, nil), newCmdCompare(f, nil), newCmdDemo(f, nil), newCmdDebug(f, nil), newCmdShrink(f, nil),
		newCmdDiff(f), newCmdMerge(f), newCmdFuzz(f), newCmdExplore(f, nil), newCmdLab(f))
	return root, nil
}

// factory is what every command is built from: the program's name and the
// catalog of protocols and scenarios it knows.
type factory struct {
	name    string // as users type it: "dsim", "go run ./cmd/regsim"
	catalog *library.Catalog
	lab     *labs.Lab // the lab whose student code the command runs, or nil
}

// newFactory builds the catalog of cfg.
func newFactory(cfg Config) (*factory, error) {
	name := cfg.Name
	if name == "" {
		name = "dsim"
	}
	dir := cfg.ScenarioDir
	if dir == "" {
		dir = "scenarios"
	}
	cat, err := library.Builtin().With(cfg.Protocols, cfg.Scenarios, dir)
	if err != nil {
		return nil, err
	}
	f := &factory{name: name, catalog: cat}
	if cfg.Lab != "" {
		if f.lab, err = labs.Find(cfg.Lab); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// shortName is the last word of a command's name, without directories:
// "regsim" for "go run ./cmd/regsim". Cobra names the root command with it
// (and shell completion scripts after it); help shows the whole name.
func shortName(name string) string {
	fields := strings.Fields(name)
	if len(fields) == 0 {
		return "dsim"
	}
	return path.Base(fields[len(fields)-1])
}

// sprintf writes the program's name where text has "$0", as a shell
// script names itself.
func (f *factory) sprintf(text string) string {
	return strings.ReplaceAll(text, "$0", f.name)
}

// examples formats command lines for a command's Example: each indented
// and preceded by the program's name.
func (f *factory) examples(lines ...string) string {
	for i, l := range lines {
		lines[i] = "  " + f.name + " " + f.sprintf(l)
	}
	return strings.Join(lines, "\n")
}

// reportOptions are the options every report the program prints is written
// with: its replay lines name the program.
func (f *factory) reportOptions() []reports.Option {
	return []reports.Option{reports.Program(f.name)}
}
