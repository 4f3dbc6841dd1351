package paxos

import (
	"github.com/dsimlab/dsim/checker"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCalmRun: on a calm network every operation completes, every replica
// applies the whole log, and the stats say so.
func TestCalmRun(t *testing.T) {
	w, cl, rep := calmSpec().run(t, 1)
	require.Empty(t, rep.Failed())
	stats := map[string]float64{}
	for _, s := range rep.Stats {
		stats[s.Name] = s.Value
	}
	assert.Equal(t, 1000.0, stats["operations"])
	assert.Equal(t, 1000.0, stats["operations completed"])
	assert.Equal(t, 0.0, stats["operations with unknown outcome"])
	assert.GreaterOrEqual(t, stats["elections started"], 1.0)
	assert.GreaterOrEqual(t, stats["slots applied"], 1000.0)
	assert.Greater(t, stats["latency p99"], stats["latency p50"])
	stopped, why := w.Stopped()
	assert.True(t, stopped)
	assert.Equal(t, "workload finished", why)
	// Every replica applied every slot, in order.
	applied := map[int]int64{}
	for _, e := range cl.Trace().Events {
		if e.Kind == checker.PaxosApply {
			assert.Equal(t, applied[e.Node]+1, e.Slot)
			applied[e.Node] = e.Slot
		}
	}
	assert.Len(t, applied, 5)
}
