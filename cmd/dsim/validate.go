package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/scenarios/library"
)

// errInvalidInput reports that some input was rejected; the details were
// printed already.
var errInvalidInput = errors.New("invalid input")

func newValidate() *cobra.Command {
	return &cobra.Command{
		Use:   "validate SCENARIO...",
		Short: "Check scenario files without running them",
		Long: `validate loads each scenario (a path or a built-in name), checks every field
against the format and the protocol's parameter schema, sets the protocol up to
check node names in faults and links, and prints every problem as
file:line: field: what is wrong (what was expected).

Exit status: 0 all valid, 2 some scenario is invalid.`,
		Example: "  dsim validate my-scenario.yaml\n  dsim validate scenarios/library/*.yaml",
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return fmt.Errorf("validate takes one or more scenario names or files; see dsim validate --help")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			bad := 0
			for _, arg := range args {
				s, err := library.Load(arg)
				if err == nil {
					_, _, _, err = scenarios.Build(s, 1, false)
				}
				if err != nil {
					bad++
					fmt.Fprintln(cmd.ErrOrStderr(), err)
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s: ok (%s, protocol %s)\n", arg, s.Name, s.Protocol.Name)
			}
			if bad > 0 {
				return fmt.Errorf("%d of %d scenarios are invalid: %w", bad, len(args), errInvalidInput)
			}
			return nil
		},
	}
}
