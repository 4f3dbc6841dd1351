package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"
)

// durationFlag is a pflag.Value for a Go duration with an error message
// that shows the expected form.
type durationFlag struct{ d time.Duration }

func (f *durationFlag) String() string {
	if f.d == 0 {
		return ""
	}
	return f.d.String()
}

func (f *durationFlag) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return fmt.Errorf("%q is not a duration (want e.g. 30s, 2m)", s)
	}
	f.d = d
	return nil
}

func (f *durationFlag) Type() string { return "duration" }

// exactArgs is cobra.ExactArgs with a message that says what the argument is.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return fmt.Errorf("%s takes %s (got %d arguments); see dsim %s --help", cmd.Name(), what, len(args), cmd.Name())
		}
		return nil
	}
}
