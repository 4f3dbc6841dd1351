package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/scenarios"
)

// errInvalidInput reports that some input was rejected; the details were
// printed already.
var errInvalidInput = errors.New("invalid input")

// validateOptions is what the validate command was asked to check.
type validateOptions struct {
	f      *factory
	Out    io.Writer
	ErrOut io.Writer // every problem found

	Scenarios []string // names or files
}

// validateLong is the validate command's help.
const validateLong = `validate loads each scenario (a path or a name from the list command), checks
every field against the format and the protocol's parameter schema, sets the
protocol up to check node names in faults and links, and prints every problem
as file:line: field: what is wrong (what was expected).

Exit status: 0 all valid, 2 some scenario is invalid.`

// newCmdValidate builds the validate command; runF, if not nil, is called
// with the parsed options instead of validating.
func newCmdValidate(f *factory, runF func(*validateOptions) error) *cobra.Command {
	opts := &validateOptions{f: f}
	return &cobra.Command{
		Use:     "validate SCENARIO...",
		Short:   "Check scenario files without running them",
		Long:    validateLong,
		Example: f.examples("validate my-scenario.yaml", "validate scenarios/*.yaml paxos-calm"),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return fmt.Errorf("validate takes one or more scenario names or files; see %s --help", cmd.CommandPath())
			}
			return nil
		},
		ValidArgsFunction: f.completeScenarios,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Out, opts.ErrOut, opts.Scenarios = cmd.OutOrStdout(), cmd.ErrOrStderr(), args
			if runF != nil {
				return runF(opts)
			}
			return runValidate(opts)
		},
	}
}

// runValidate loads and sets up every scenario, printing each problem.
func runValidate(opts *validateOptions) error {
	bad := 0
	for _, arg := range opts.Scenarios {
		s, err := opts.f.catalog.Load(arg)
		if err == nil {
			_, _, _, err = scenarios.Build(s, 1, false)
		}
		if err != nil {
			bad++
			fmt.Fprintln(opts.ErrOut, err)
			continue
		}
		fmt.Fprintf(opts.Out, "%s: ok (%s, protocol %s)\n", arg, s.Name, s.Protocol.Name)
	}
	if bad > 0 {
		return fmt.Errorf("%d of %d scenarios are invalid: %w", bad, len(opts.Scenarios), errInvalidInput)
	}
	return nil
}
