package twopc

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// TestDescribeState: every node of two-phase commit describes its state,
// equal states alike, and a run's progress shows in the descriptions.
func TestDescribeState(t *testing.T) {
	build := func() *sim.World {
		w, err := sim.New(sim.Config{Seed: 2})
		require.NoError(t, err)
		wl := protocols.Workload{Ops: 2, Keys: 4, Mix: []protocols.MixEntry{{Op: "put", Weight: 1}}}
		_, err = setup(&protocols.Env{World: w, Params: protocols.NewParams(params(false), map[string]any{"txn_ops": 2}),
			Nodes: 2, Clients: 1, Workload: wl, Duration: time.Second}, false, nil)
		require.NoError(t, err)
		return w
	}
	describe := func(w *sim.World) []string {
		var out []string
		for _, id := range w.Nodes() {
			out = append(out, w.Node(id).(sim.Describer).DescribeState())
		}
		return out
	}
	a, b := build(), build()
	a.RunEvents(4)
	b.RunEvents(4)
	assert.Equal(t, describe(a), describe(b))
	assert.Equal(t, []string{"", "locks", "locks", "seq 0 idle"}, describe(a))
	a.RunUntil(sim.Time(time.Second))
	done := describe(a)
	assert.Contains(t, done[0], "c1-1: phase 2", "the coordinator committed the first transaction")
	assert.Contains(t, done[3], "seq 2 idle", "the client ran both")
	assert.NotEqual(t, describe(b), done)
}
