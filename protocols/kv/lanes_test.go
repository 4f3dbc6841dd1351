package kv_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols/kv"
	"github.com/dsimlab/dsim/sim"
)

// laneClient is a fake client that allows several operations in flight: it
// matches replies by operation number (Driver.Op) instead of Current.
type laneClient struct {
	d      *kv.Driver
	server sim.NodeID
	log    *[]sent
}

func (c *laneClient) Start(ctx *sim.Context) { c.d.Start(ctx, c) }
func (c *laneClient) Send(ctx *sim.Context, op *kv.Op) {
	*c.log = append(*c.log, sent{at: ctx.Now(), op: *op, attempt: op.Attempt})
	ctx.Send(c.server, &request{N: op.N, In: op.Input})
}
func (c *laneClient) Receive(ctx *sim.Context, _ sim.NodeID, msg any) {
	if r, ok := msg.(*reply); ok {
		c.d.CompleteOp(ctx, r.N, r.Out)
	}
}
func (c *laneClient) Timer(ctx *sim.Context, tag any) {
	if !c.d.Timer(ctx, tag) {
		panic("a timer the driver did not set")
	}
}

// laneRig is newRig's world with lane clients over links of random
// latency, so replies overtake each other.
func laneRig(t *testing.T, clients int, cfg kv.Config) (*rig, []*kv.Driver) {
	t.Helper()
	w, err := sim.New(sim.Config{Seed: 2, Link: sim.LinkConfig{Latency: sim.Uniform(time.Millisecond, 20*time.Millisecond)}})
	require.NoError(t, err)
	r := &rig{w: w}
	r.srv, err = w.AddNode("srv", func() sim.Node { return &store{} })
	require.NoError(t, err)
	cfg.Done = func(ctx *sim.Context) { r.done = append(r.done, ctx.Now()) }
	var drivers []*kv.Driver
	for i := range clients {
		name := "c" + string(rune('1'+i))
		d := kv.NewDriver(w.Stream("workload/"+name), cfg)
		id, err := w.AddNode(name, func() sim.Node { return &laneClient{d: d, server: r.srv, log: &r.sends} })
		require.NoError(t, err)
		r.ids = append(r.ids, id)
		drivers = append(drivers, d)
	}
	return r, drivers
}

// inFlight returns the most operations one client had invoked and not yet
// returned at once, and whether any two of its operations returned out of
// invocation order.
func inFlight(hist []sim.Operation) (most int, reordered bool) {
	type span struct{ from, to sim.Time }
	byClient := map[sim.NodeID][]span{}
	for _, h := range hist {
		byClient[h.Client] = append(byClient[h.Client], span{h.Invoke, h.Return})
	}
	for _, spans := range byClient {
		for i, s := range spans {
			open := 0
			for _, o := range spans {
				if o.from <= s.from && s.from < o.to {
					open++
				}
			}
			most = max(most, open)
			if i > 0 && s.to < spans[i-1].to {
				reordered = true
			}
		}
	}
	return most, reordered
}

func TestDriverKeepsSeveralOperationsInFlight(t *testing.T) {
	wl := workload(300)
	wl.InFlight = 4
	wl.Think = time.Millisecond
	r, _ := laneRig(t, 2, kv.Config{Workload: wl, Ops: 150})
	r.w.Run()
	hist := r.w.History()
	require.Len(t, hist, 300)
	most, reordered := inFlight(hist)
	assert.Equal(t, 4, most, "up to InFlight operations of one client overlap, never more")
	assert.True(t, reordered, "replies complete operations out of order")
	lanes := map[int]int{}
	for _, s := range r.sends {
		lanes[s.op.Lane]++
	}
	assert.Len(t, lanes, 4, "every lane ran operations")
	assert.Len(t, r.done, 2, "each client is done once")
	res, _ := kv.CheckLinearizable(checker.FromSim(hist), time.Minute)
	assert.Equal(t, checker.Holds, res.Verdict, res.Detail)
}

func TestDriverOneInFlightIsTheDefault(t *testing.T) {
	for _, n := range []int{0, 1} {
		wl := workload(100)
		wl.InFlight = n
		r, _ := laneRig(t, 1, kv.Config{Workload: wl, Ops: 100})
		r.w.Run()
		most, reordered := inFlight(r.w.History())
		assert.Equal(t, 1, most, "InFlight %d", n)
		assert.False(t, reordered)
	}
}

func TestDriverReadsBackWhatItWrote(t *testing.T) {
	wl := workload(40)
	wl.Keys, wl.Queries, wl.InFlight = 8, true, 2
	r, ds := laneRig(t, 1, kv.Config{Workload: wl, Ops: 40})
	assert.True(t, ds[0].Busy(), "busy before it starts")
	r.w.Run()
	hist := r.w.History()
	require.Greater(t, len(hist), 40, "read-backs come after the workload's operations")
	wrote := map[string]bool{}
	lastWrite := sim.Time(0)
	for _, h := range hist[:40] {
		if in := h.Input.(checker.KVInput); in.Op != checker.KVGet {
			wrote[in.Key] = true
		}
		lastWrite = max(lastWrite, h.Return)
	}
	var keys []string
	for _, h := range hist[40:] {
		in := h.Input.(checker.KVInput)
		assert.Equal(t, checker.KVGet, in.Op)
		assert.GreaterOrEqual(t, h.Invoke, lastWrite, "a read-back starts once every operation is done")
		keys = append(keys, in.Key)
	}
	assert.Len(t, keys, len(wrote), "one read of each key written")
	for _, k := range keys {
		assert.True(t, wrote[k], k)
	}
	require.Len(t, r.done, 1)
	assert.Equal(t, hist[len(hist)-1].Return, r.done[0], "done after the last read-back")
	assert.Equal(t, len(hist), ds[0].Completed(), "every operation, read-backs included, was answered")
	assert.False(t, ds[0].Busy(), "and the client is done")
}
