package raft

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// allChecks is every check the protocol offers, in its order.
var allChecks = Protocol().CheckNames()

// spec is a scenario built in Go, for tests that drive the protocol
// without the scenario loader.
type spec struct {
	cfg      Config
	link     sim.LinkConfig
	duration time.Duration
	faults   func(w *sim.World, cl *Cluster)
}

// simulate runs spec with seed.
func (s spec) simulate(tb testing.TB, seed uint64) (*sim.World, *Cluster) {
	tb.Helper()
	w, err := sim.New(sim.Config{Seed: seed, Link: s.link})
	require.NoError(tb, err)
	cl, err := NewCluster(w, s.cfg)
	require.NoError(tb, err)
	if s.faults != nil {
		s.faults(w, cl)
	}
	w.RunUntil(sim.Time(s.duration))
	return w, cl
}

// run runs spec with seed and checks it.
func (s spec) run(tb testing.TB, seed uint64) (*sim.World, *Cluster, protocols.Report) {
	tb.Helper()
	w, cl := s.simulate(tb, seed)
	return w, cl, cl.Check(protocols.CheckRequest{World: w, Checks: allChecks, Budget: 10 * time.Second})
}

func calmSpec() spec {
	return spec{cfg: DefaultConfig(), link: sim.LinkConfig{Latency: sim.Uniform(time.Millisecond, 10*time.Millisecond)},
		duration: 60 * time.Second}
}
