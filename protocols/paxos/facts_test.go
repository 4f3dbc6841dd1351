package paxos

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/sim"
)

func TestFactDescriptions(t *testing.T) {
	tests := []struct {
		fact *Fact
		want string
	}{
		{NewFact(checker.PaxosRequest, 0, Ballot{}, "c1#7"), "request c1#7"},
		{NewFact(checker.PaxosPropose, 4, Ballot{Round: 2, Node: 1}, "c1#7"), "propose 4 2.1 c1#7"},
		{NewFact(checker.PaxosAccept, 4, Ballot{Round: 2, Node: 1}, "c1#7"), "accept 4 2.1 c1#7"},
		{NewFact(checker.PaxosApply, 4, Ballot{}, checker.PaxosNoop), "apply 4 noop"},
		{&Fact{Kind: checker.PaxosApply, Slot: 9, Value: "c2#1"}, "apply 9 c2#1"}, // not built by NewFact
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, tc.fact.String())
		assert.Equal(t, tc.want, sim.Describe(tc.fact))
	}
}

func TestFactCacheSharesEqualFactsOnly(t *testing.T) {
	var c factCache
	a, b := &Cmd{ID: "c1#1"}, &Cmd{ID: "c2#1"}
	f := c.accept(3, Ballot{1, 0}, a)
	assert.Same(t, f, c.accept(3, Ballot{1, 0}, a), "the same acceptance: one fact")
	g := c.accept(3, Ballot{2, 1}, b)
	assert.NotSame(t, f, g)
	assert.Equal(t, "accept 3 1.0 c1#1", f.String(), "a recorded fact never changes")
	assert.Equal(t, "accept 3 2.1 c2#1", g.String())
	assert.Same(t, c.apply(3, b), c.apply(3, b))
	assert.Equal(t, "apply 3 c1#1", c.apply(3, a).String())
	assert.Equal(t, "apply 2000000 c1#1", c.apply(2_000_000, a).String(), "past the cache's bound")
}

// TestFactsAreTheTrace checks that the Paxos events the checks read are
// exactly the facts the nodes recorded in the trace, in order, by the
// nodes that recorded them.
func TestFactsAreTheTrace(t *testing.T) {
	s := calmSpec()
	s.cfg.Workload.Ops = 60
	w, err := sim.New(sim.Config{Seed: 3, Trace: true, Link: s.link})
	require.NoError(t, err)
	cl, err := NewCluster(w, s.cfg)
	require.NoError(t, err)
	w.At(sim.Time(100*time.Millisecond), func(w *sim.World) { w.Crash(cl.Servers()[0]) })
	w.At(sim.Time(400*time.Millisecond), func(w *sim.World) { w.Restart(cl.Servers()[0]) })
	w.RunUntil(sim.Time(s.duration))
	var want []checker.PaxosEvent
	kinds := map[checker.PaxosEventKind]int{}
	for _, e := range w.Trace() {
		if e.Kind != sim.KindRecord {
			continue
		}
		f, ok := e.Msg.(*Fact)
		require.True(t, ok, "a fact of type %T", e.Msg)
		assert.Equal(t, f.String(), e.Description())
		kinds[f.Kind]++
		want = append(want, f.event(&e, cl.ids))
	}
	assert.Equal(t, want, cl.Trace().Events)
	assert.Equal(t, 60, kinds[checker.PaxosRequest])
	assert.GreaterOrEqual(t, kinds[checker.PaxosAccept], 3*kinds[checker.PaxosPropose], "a majority accepts each proposal")
	assert.GreaterOrEqual(t, kinds[checker.PaxosApply], 4*60)
}
