package paxos

import (
	"testing"
	"time"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
	"github.com/stretchr/testify/require"
)

// allChecks is every check the protocol offers, in its order.
var allChecks = Protocol().CheckNames()

// spec is a scenario built in Go, for tests that drive the protocol
// without the scenario loader.
type spec struct {
	name     string
	cfg      Config
	link     sim.LinkConfig
	duration time.Duration
	faults   func(w *sim.World, cl *Cluster)
}

// run runs spec with seed and checks it.
func (s spec) run(tb testing.TB, seed uint64) (*sim.World, *Cluster, protocols.Report) {
	tb.Helper()
	w, err := sim.New(sim.Config{Seed: seed, Link: s.link})
	require.NoError(tb, err)
	cl, err := NewCluster(w, s.cfg)
	require.NoError(tb, err)
	if s.faults != nil {
		s.faults(w, cl)
	}
	w.RunUntil(sim.Time(s.duration))
	rep := cl.Check(protocols.CheckRequest{World: w, Checks: allChecks, Budget: 10 * time.Second})
	return w, cl, rep
}

func calmSpec() spec {
	return spec{name: "calm", cfg: DefaultConfig(), duration: 60 * time.Second}
}
