package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/tracediff"
)

// diffLong is the diff command's help; "$0" is the program's name.
const diffLong = `diff compares two JSON Lines traces (from '$0 run --trace FILE') event by
event and prints the first event where they part: the few events before it,
which both traces share, then each trace's version of it and what follows,
marked - for the first trace and + for the second, and the fields in which the
two events differ.

Two runs of the same scenario and seed write the same trace, byte for byte; a
difference means the code depends on something besides the seed (map
iteration order, the wall clock, a goroutine, the global random source), and
the first diverging event is where to look. Traces of two different seeds or
versions part where their runs do.

Exit status: 0 the traces are the same, 1 they differ, 2 bad input.`

// newCmdDiff builds the diff command.
func newCmdDiff(f *factory) *cobra.Command {
	context := 0
	cmd := &cobra.Command{
		Use:   "diff A.jsonl B.jsonl",
		Short: "Print where two traces part: the first diverging event and its context",
		Long:  f.sprintf(diffLong),
		Example: f.examples("diff a.jsonl b.jsonl   # after $0 run SCENARIO --seed N --trace a.jsonl, and again into b.jsonl",
			"diff a.jsonl b.jsonl --context 10"),
		Args: exactArgs(2, "two trace files"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if context < 0 {
				return fmt.Errorf("--context %d: want 0 or more", context)
			}
			return runDiff(cmd, args[0], args[1], context)
		},
	}
	cmd.Flags().IntVarP(&context, "context", "C", 3, "events to show before and after the first difference")
	return cmd
}

// runDiff diffs the files and prints the divergence, if any.
func runDiff(cmd *cobra.Command, pathA, pathB string, context int) error {
	a, err := os.Open(pathA)
	if err != nil {
		return err
	}
	defer a.Close()
	b, err := os.Open(pathB)
	if err != nil {
		return err
	}
	defer b.Close()
	d, err := tracediff.Diff(a, b, context)
	if err != nil {
		return fmt.Errorf("diff %s %s: %w", pathA, pathB, err)
	}
	if d == nil {
		fmt.Fprintf(cmd.OutOrStdout(), "the traces are the same\n")
		return nil
	}
	if err := d.WriteText(cmd.OutOrStdout(), pathA, pathB); err != nil {
		return err
	}
	return ErrFailed
}
