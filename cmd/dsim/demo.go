package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/studies"
)

func newDemo() *cobra.Command {
	var seed uint64
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the built-in echo demonstration and print its verdict",
		Long: `demo runs one server and three clients pinging it over a lossy, duplicating
network while the server is partitioned, crashes and restarts. It prints the
echo check's verdict, the trace fingerprint and the run's size.`,
		Example: "  dsim demo\n  dsim demo --seed 7",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			start := time.Now()
			o, res, err := studies.Demo(seed)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintln(out, res)
			fmt.Fprintf(out, "seed %d  fingerprint %s  events %d  simulated %v  wall %v\n",
				seed, o.Fingerprint, o.Events, o.SimTime, time.Since(start).Round(time.Microsecond))
			if !res.Holds() {
				return errViolated
			}
			return nil
		},
	}
	cmd.Flags().Uint64Var(&seed, "seed", 1, "root seed of the run")
	return cmd
}
