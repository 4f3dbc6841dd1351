package cli

import (
	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/scenarios"
)

// huntFlags are the flags of the commands that run seeds to hunt for bugs
// (run, sweep): swarm testing and online checks.
type huntFlags struct {
	// Swarm draws each seed's fault mix, network and workload from the
	// seed, within the scenario's swarm bounds (scenarios.SwarmMix).
	Swarm bool
	// Online checks invariants as the run goes and stops each run at its
	// first violation.
	Online bool
}

// addHuntFlags adds --swarm and --online to cmd.
func addHuntFlags(cmd *cobra.Command, h *huntFlags) {
	cmd.Flags().BoolVar(&h.Swarm, "swarm", false,
		"draw each seed's mix (fault kinds and rates, loss, latency tail, workload, fault points, liveness mode) from the seed, within the scenario's swarm bounds")
	cmd.Flags().BoolVar(&h.Online, "online", false,
		"check invariants as the run goes and stop a run at its first violating event")
}

// apply sets the run options the flags ask for.
func (h huntFlags) apply(ro *scenarios.RunOptions) {
	ro.Swarm, ro.Online = h.Swarm, h.Online
}
