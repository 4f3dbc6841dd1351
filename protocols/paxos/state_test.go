package paxos

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/sim"
)

// TestSingleDescribeState: equal states describe alike, a step changes the
// description, and the description does not depend on how maps iterate.
func TestSingleDescribeState(t *testing.T) {
	started := func() (*sim.World, *Single) {
		w, err := sim.New(sim.Config{Seed: 3})
		require.NoError(t, err)
		s, err := NewSingle(w, SingleConfig{Nodes: 3, Proposers: 2, Variant: Correct, Retry: 10 * time.Millisecond})
		require.NoError(t, err)
		w.RunEvents(3)
		return w, s
	}
	describe := func(w *sim.World, s *Single) []string {
		var out []string
		for _, id := range s.Nodes() {
			out = append(out, w.Node(id).(sim.Describer).DescribeState())
		}
		return out
	}
	w1, s1 := started()
	w2, s2 := started()
	assert.Equal(t, describe(w1, s1), describe(w2, s2))
	assert.Equal(t, "acc 0 0 -; prop v-n1 ballot 0 seen 0 promised 0 best 0 - phase2 false; votes; learned -", describe(w1, s1)[0])
	assert.Equal(t, "acc 0 0 -; seen 0; votes; learned -", describe(w1, s1)[2])

	w1.RunUntil(sim.Time(time.Second))
	after := describe(w1, s1)
	assert.NotEqual(t, describe(w2, s2), after)
	assert.Contains(t, after[0], "learned v-n", "a run learns a value")
	for range 20 {
		assert.Equal(t, after, describe(w1, s1), "votes are listed in ballot order, not map order")
	}
}
