package transport

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/sim"
)

func TestUnwrap(t *testing.T) {
	for _, tc := range []struct {
		base, wire uint32
		ref, want  uint64
	}{
		{100, 100, 0, 0},
		{100, 105, 3, 5},
		{100, 98, 0, math.MaxUint64 - 1}, // before the ISN: fails every window test
		{math.MaxUint32 - 2, 2, 1, 5},    // across the wrap
		{math.MaxUint32, math.MaxUint32 - 1, 3, math.MaxUint64},
		{7, 7 + 1<<31 - 1, 0, 1<<31 - 1},
		{7, 7, 1 << 33, 1 << 33},
		{7, 8, 1<<32 + 5, 1<<32 + 1},
	} {
		assert.Equal(t, tc.want, unwrap(tc.base, tc.wire, tc.ref), "unwrap(%d, %d, %d)", tc.base, tc.wire, tc.ref)
	}
}

// wrapNode writes n messages to node 1 at start with ISNs just below 2^32.
type wrapNode struct {
	ep  *Endpoint
	n   int
	got []any
}

func (w *wrapNode) Start(ctx *sim.Context) {
	w.ep.Start(ctx)
	if ctx.ID() == 0 {
		c := w.ep.Dial(ctx, 1)
		for i := 0; i < w.n; i++ {
			_ = c.Write(ctx, i)
		}
		c.Close(ctx)
	}
}
func (w *wrapNode) Receive(ctx *sim.Context, from sim.NodeID, msg any) { w.ep.Receive(ctx, from, msg) }
func (w *wrapNode) Timer(ctx *sim.Context, tag any)                    { w.ep.Timer(ctx, tag) }
func (w *wrapNode) Open(*sim.Context, *Conn)                           {}
func (w *wrapNode) Deliver(_ *sim.Context, _ *Conn, m any)             { w.got = append(w.got, m) }
func (w *wrapNode) Closed(*sim.Context, *Conn, error)                  {}

func TestISNNearWrap(t *testing.T) {
	for _, isn := range []uint32{math.MaxUint32 - 5, math.MaxUint32, 1<<31 - 3} {
		w, err := sim.New(sim.Config{Seed: 3, Link: sim.LinkConfig{
			Latency: sim.LogNormal(3*time.Millisecond, 0.8), Drop: 0.2, Duplicate: 0.2}})
		require.NoError(t, err)
		nodes := make([]*wrapNode, 2)
		for i := range nodes {
			n := &wrapNode{n: 300}
			n.ep, err = NewEndpoint(Config{Window: 16}, n)
			require.NoError(t, err)
			n.ep.isn = func(*sim.Context) uint32 { return isn }
			nodes[i] = n
			w.MustAddNode([]string{"a", "b"}[i], func() sim.Node { return n })
		}
		w.Run()
		want := make([]any, 300)
		for i := range want {
			want[i] = i
		}
		assert.Equal(t, want, nodes[1].got, "ISN %d", isn)
	}
}
