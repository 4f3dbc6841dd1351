package kv_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/kv"
	"github.com/dsimlab/dsim/sim"
)

// latency is the one-way delay of every link in these tests.
const latency = time.Millisecond

// request and reply are the fake protocol's messages.
type (
	request struct {
		N  int64
		In checker.KVInput
	}
	reply struct {
		N   int64
		Out checker.KVOutput
	}
)

// store is a fake server: a map that answers every request it does not
// drop.
type store struct {
	data map[string]string
	drop func(n int64) bool // nil: answer everything
}

func (s *store) Start(*sim.Context)      { s.data = map[string]string{} }
func (s *store) Timer(*sim.Context, any) {}
func (s *store) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	r := msg.(*request)
	if s.drop != nil && s.drop(r.N) {
		return
	}
	var out checker.KVOutput
	switch v := s.data[r.In.Key]; r.In.Op {
	case checker.KVGet:
		out.Value = v
	case checker.KVPut:
		s.data[r.In.Key] = r.In.Value
	case checker.KVAppend:
		s.data[r.In.Key] = v + r.In.Value
	case checker.KVCAS:
		if out.OK = v == r.In.Expected; out.OK {
			s.data[r.In.Key] = r.In.Value
		}
	}
	ctx.Send(from, &reply{N: r.N, Out: out})
}

// sent is one Send a fake client saw.
type sent struct {
	at      sim.Time
	op      kv.Op
	attempt int
}

// client is a fake protocol client: it sends each operation to the store
// and completes it with the matching reply.
type client struct {
	d      *kv.Driver
	server sim.NodeID
	log    *[]sent
}

func (c *client) Start(ctx *sim.Context) { c.d.Start(ctx, c) }
func (c *client) Send(ctx *sim.Context, op *kv.Op) {
	*c.log = append(*c.log, sent{at: ctx.Now(), op: *op, attempt: op.Attempt})
	ctx.Send(c.server, &request{N: op.N, In: op.Input})
}
func (c *client) Receive(ctx *sim.Context, _ sim.NodeID, msg any) {
	if r, ok := msg.(*reply); ok && c.d.Current() != nil && r.N == c.d.Current().N {
		c.d.Complete(ctx, r.Out)
	}
}
func (c *client) Timer(ctx *sim.Context, tag any) {
	if !c.d.Timer(ctx, tag) {
		panic("a timer the driver did not set")
	}
}

// rig is a world with one store and some clients, each with its driver.
type rig struct {
	w     *sim.World
	srv   sim.NodeID
	ids   []sim.NodeID
	sends []sent // every client's, in order
	done  []sim.Time
}

func newRig(t *testing.T, clients int, cfg kv.Config, drop func(n int64) bool) *rig {
	t.Helper()
	w, err := sim.New(sim.Config{Seed: 1, Link: sim.LinkConfig{Latency: sim.Constant(latency)}})
	require.NoError(t, err)
	r := &rig{w: w}
	r.srv, err = w.AddNode("srv", func() sim.Node { return &store{drop: drop} })
	require.NoError(t, err)
	cfg.Done = func(ctx *sim.Context) { r.done = append(r.done, ctx.Now()) }
	for i := range clients {
		name := "c" + string(rune('1'+i))
		d := kv.NewDriver(w.Stream("workload/"+name), cfg)
		id, err := w.AddNode(name, func() sim.Node { return &client{d: d, server: r.srv, log: &r.sends} })
		require.NoError(t, err)
		r.ids = append(r.ids, id)
	}
	return r
}

func workload(ops int) protocols.Workload {
	return protocols.Workload{Ops: ops, Keys: 3, Distribution: "uniform", Timeout: time.Second,
		Mix: []protocols.MixEntry{{Op: "append", Weight: 1}, {Op: "cas", Weight: 1}, {Op: "get", Weight: 2}, {Op: "put", Weight: 1}}}
}

func TestDriverPaces(t *testing.T) {
	tests := []struct {
		name  string
		think time.Duration
		rate  float64
	}{
		{"closed loop", 7 * time.Millisecond, 0},
		{"open loop", 0, 50},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wl := workload(20)
			wl.Think, wl.Rate = tc.think, tc.rate
			r := newRig(t, 1, kv.Config{Workload: wl, Ops: 20}, nil)
			r.w.Run()
			// The same draws, in the driver's order: a gap, then an operation.
			gen := protocols.NewGenerator(wl, r.w.Stream("workload/c1"))
			hist := r.w.History()
			require.Len(t, hist, 20)
			prev := sim.Time(0)
			for i, h := range hist {
				gap := gen.Gap()
				next := gen.Next()
				assert.Equal(t, prev.Add(gap), h.Invoke, "op %d starts a gap after the previous one ends", i)
				in := h.Input.(checker.KVInput)
				assert.Equal(t, next.Key, in.Key)
				op, _ := kv.ParseOp(next.Kind)
				assert.Equal(t, op, in.Op)
				require.True(t, h.Returned)
				assert.Equal(t, h.Invoke.Add(2*latency), h.Return)
				prev = h.Return
			}
			assert.Equal(t, []sim.Time{prev}, r.done, "done once, when the last operation returned")
		})
	}
}

func TestDriverRetriesUntilAnswered(t *testing.T) {
	wl := workload(3)
	wl.Think = 5 * time.Millisecond
	drops := map[int64]int{2: 3} // operation 2: the first three sends are lost
	r := newRig(t, 1, kv.Config{Workload: wl, Ops: 3, Retry: 20 * time.Millisecond}, func(n int64) bool {
		drops[n]--
		return drops[n] >= 0
	})
	r.w.Run()
	var second []sent
	for _, s := range r.sends {
		if s.op.N == 2 {
			second = append(second, s)
		}
	}
	require.Len(t, second, 4)
	for i, s := range second {
		assert.Equal(t, i, s.attempt)
		assert.Equal(t, second[0].at.Add(time.Duration(i)*20*time.Millisecond), s.at, "resent every Retry")
	}
	hist := r.w.History()
	require.Len(t, hist, 3)
	assert.True(t, hist[1].Returned)
	assert.Equal(t, second[3].at.Add(2*latency), hist[1].Return)
}

func TestDriverGivesUpAtTheDeadline(t *testing.T) {
	tests := []struct {
		name  string
		retry time.Duration
		sends int // of the lost operation
	}{
		{"with retries", 20 * time.Millisecond, 3}, // at 0, 20 and 40 of a 50ms timeout
		{"without retries", 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wl := workload(2)
			wl.Timeout, wl.Think = 50*time.Millisecond, 5*time.Millisecond
			r := newRig(t, 1, kv.Config{Workload: wl, Ops: 2, Retry: tc.retry}, func(n int64) bool { return n == 1 })
			r.w.Run()
			hist := r.w.History()
			require.Len(t, hist, 2)
			assert.False(t, hist[0].Returned, "abandoned: no return, the outcome is unknown")
			assert.Equal(t, hist[0].Invoke.Add(wl.Timeout+wl.Think), hist[1].Invoke, "the next operation follows the deadline")
			assert.True(t, hist[1].Returned)
			n := 0
			for _, s := range r.sends {
				if s.op.N == 1 {
					n++
					assert.Equal(t, hist[0].Invoke.Add(wl.Timeout), s.op.Deadline)
				}
			}
			assert.Equal(t, tc.sends, n)
		})
	}
}

func TestDriverWritesUniqueValues(t *testing.T) {
	wl := workload(200)
	wl.Think = time.Millisecond
	r := newRig(t, 3, kv.Config{Workload: wl, Ops: 67}, nil)
	r.w.Run()
	seen := map[string]bool{}
	ops := map[checker.KVOp]int{}
	for _, h := range r.w.History() {
		in := h.Input.(checker.KVInput)
		ops[in.Op]++
		if in.Op == checker.KVGet {
			assert.Empty(t, in.Value)
			continue
		}
		assert.False(t, seen[in.Value], "value %q written twice", in.Value)
		seen[in.Value] = true
		assert.True(t, strings.HasPrefix(in.Value, r.w.Name(h.Client)+"."), in.Value)
		assert.True(t, strings.HasSuffix(in.Value, ";"), in.Value)
	}
	assert.Len(t, ops, 4, "every kind of the mix was drawn")
	assert.Len(t, r.done, 3)
	res, _ := kv.CheckLinearizable(checker.FromSim(r.w.History()), time.Minute)
	assert.Equal(t, checker.Holds, res.Verdict, res.Detail)
}

func TestDriverCASExpectsTheLastValueSeen(t *testing.T) {
	wl := workload(300)
	wl.Keys = 1
	r := newRig(t, 1, kv.Config{Workload: wl, Ops: 300}, nil)
	r.w.Run()
	last := ""
	cas := 0
	for _, h := range r.w.History() {
		in, out := h.Input.(checker.KVInput), h.Output.(checker.KVOutput)
		switch in.Op {
		case checker.KVGet:
			last = out.Value
		case checker.KVPut:
			last = in.Value
		case checker.KVCAS:
			cas++
			assert.Equal(t, last, in.Expected)
			if out.OK {
				last = in.Value
			}
		}
	}
	assert.Positive(t, cas)
}

func TestRestartedClientCarriesOn(t *testing.T) {
	wl := workload(30)
	wl.Think = 10 * time.Millisecond
	// Operation 5 is never answered: the client crashes while it waits.
	r := newRig(t, 1, kv.Config{Workload: wl, Ops: 30, Retry: 20 * time.Millisecond}, func(n int64) bool { return n == 5 })
	var invokedAt sim.Time
	r.w.Observe(func(e *sim.Event) {
		if e.Kind == sim.KindInvoke && e.Op == 5 && invokedAt == 0 {
			invokedAt = e.Time
			r.w.At(e.Time.Add(30*time.Millisecond), func(w *sim.World) { w.Crash(r.ids[0]) })
			r.w.At(e.Time.Add(100*time.Millisecond), func(w *sim.World) { w.Restart(r.ids[0]) })
		}
	})
	r.w.Run()
	hist := r.w.History()
	require.Len(t, hist, 30, "the whole workload, across the restart")
	assert.False(t, hist[4].Returned, "the operation in progress at the crash has no return")
	assert.GreaterOrEqual(t, hist[5].Invoke, invokedAt.Add(100*time.Millisecond), "the next one comes after the restart")
	for i, h := range hist {
		if i != 4 {
			assert.True(t, h.Returned, "op %d", i+1)
		}
	}
	var ns []int64
	for _, s := range r.sends {
		if s.attempt == 0 {
			ns = append(ns, s.op.N)
		}
	}
	for i, n := range ns {
		assert.Equal(t, int64(i+1), n, "numbering carries on across the restart")
	}
	assert.Len(t, r.done, 1)
}

func TestDriverWithNoOperationsIsDoneAtOnce(t *testing.T) {
	r := newRig(t, 1, kv.Config{Workload: workload(0)}, nil)
	r.w.Run()
	assert.Empty(t, r.w.History())
	assert.Equal(t, []sim.Time{0}, r.done)
}

func TestCompleteBetweenOperationsDoesNothing(t *testing.T) {
	d := kv.NewDriver(nil, kv.Config{})
	assert.Nil(t, d.Current())
	assert.NotPanics(t, func() { d.Complete(nil, checker.KVOutput{}) })
	assert.False(t, d.Timer(nil, "not the driver's"))
}
