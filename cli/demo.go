package cli

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/studies"
)

// demoOptions is what the demo command was asked to run.
type demoOptions struct {
	Out  io.Writer
	Seed uint64
}

// newCmdDemo builds the demo command; runF, if not nil, is called with the
// parsed options instead of running.
func newCmdDemo(f *factory, runF func(*demoOptions) error) *cobra.Command {
	opts := &demoOptions{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the built-in echo demonstration and print its verdict",
		Long: `demo runs one server and three clients pinging it over a lossy, duplicating
network while the server is partitioned, crashes and restarts. It prints the
echo check's verdict, the trace fingerprint and the run's size.`,
		Example: f.examples("demo", "demo --seed 7"),
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Out = cmd.OutOrStdout()
			if runF != nil {
				return runF(opts)
			}
			return runDemo(opts)
		},
	}
	cmd.Flags().Uint64Var(&opts.Seed, "seed", 1, "root seed of the run")
	return cmd
}

// runDemo runs the demonstration and prints its verdict.
func runDemo(opts *demoOptions) error {
	start := time.Now()
	o, res, err := studies.Demo(opts.Seed)
	if err != nil {
		return err
	}
	fmt.Fprintln(opts.Out, res)
	fmt.Fprintf(opts.Out, "seed %d  fingerprint %s  events %d  simulated %v  wall %v\n",
		opts.Seed, o.Fingerprint, o.Events, o.SimTime, time.Since(start).Round(time.Microsecond))
	if !res.Holds() {
		return ErrFailed
	}
	return nil
}
