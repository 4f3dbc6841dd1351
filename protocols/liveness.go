package protocols

import (
	"time"

	"github.com/dsimlab/dsim/sim"
)

// Recovery is what an Instance implements to say what liveness mode needs
// of it. Liveness mode (a scenario's liveness block) ends the fault phase
// by healing the network, restarting and resuming the protocol's core, and
// then wants progress within a bound: a protocol that stops making progress
// although the nodes it declared it needs are up and connected fails a
// liveness check, reported apart from safety. An instance that does not
// implement Recovery is healed whole (its Servers) and judged by its
// clients' history: some operation must complete.
type Recovery interface {
	// Core returns the nodes the protocol needs up to make progress, for
	// example a majority of its replicas, or every participant and the
	// coordinator of a commit protocol.
	Core() []sim.NodeID
	// Progress returns how much useful work the protocol has done so far
	// (writes committed, transactions decided, jobs finished; any count
	// that only grows with progress), and whether work remains that it
	// owes progress on.
	Progress(w *sim.World) (done int, pending bool)
	// LivenessBound is how soon after the core is healed the protocol
	// must make progress.
	LivenessBound() time.Duration
}
