// Command dsim runs deterministic simulations of distributed systems and
// checks what they did. Run `dsim --help` for the subcommands.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// Exit statuses scripts can rely on.
const (
	exitOK       = 0 // every check held
	exitViolated = 1 // a check failed (violated or inconclusive)
	exitUsage    = 2 // bad input or usage
)

// errViolated is returned by a subcommand whose run completed but whose
// checks did not all hold; main maps it to exit status 1.
var errViolated = errors.New("a check did not hold")

func main() {
	// Runs allocate many small, short-lived objects on a small heap, which
	// the default GC target collects constantly; unless the user chose a
	// GOGC, trade some memory for speed. This never changes a run's result.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	os.Exit(run(os.Args[1:]))
}

// run executes the command line args and returns the exit status.
func run(args []string) int {
	root := newRoot()
	root.SetArgs(args)
	err := root.Execute()
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errViolated):
		return exitViolated
	default:
		fmt.Fprintln(os.Stderr, "dsim:", err)
		return exitUsage
	}
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "dsim",
		Short: "A deterministic distributed-systems simulator",
		Long: `dsim simulates nodes, a lossy network and crashes in one deterministic event loop,
runs protocols inside it, and checks the recorded histories. The same seed always
gives the same run, byte for byte.

Exit status: 0 every check held, 1 a check failed, 2 bad input or usage.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newRun(), newSweep(), newValidate(), newList(), newCheck(), newCompare(), newDemo())
	return root
}
