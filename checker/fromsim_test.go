package checker_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/sim"
)

// kvClient puts x to key a, then reads it, over a network that loses
// nothing; a second put is never answered because the server is gone.
type kvServer struct{ val string }

func (s *kvServer) Start(*sim.Context) {}
func (s *kvServer) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	in := msg.(checker.KVInput)
	out := checker.KVOutput{OK: true}
	switch in.Op {
	case checker.KVPut:
		s.val = in.Value
	case checker.KVGet:
		out.Value = s.val
	}
	ctx.Send(from, out)
}
func (s *kvServer) Timer(*sim.Context, any) {}

type kvClient struct {
	script  []checker.KVInput
	pending sim.OpID
}

func (c *kvClient) Start(ctx *sim.Context) { c.next(ctx) }
func (c *kvClient) next(ctx *sim.Context) {
	if len(c.script) == 0 {
		return
	}
	in := c.script[0]
	c.script = c.script[1:]
	c.pending = ctx.Invoke(in)
	ctx.Send(0, in)
}
func (c *kvClient) Receive(ctx *sim.Context, _ sim.NodeID, msg any) {
	ctx.Return(c.pending, msg.(checker.KVOutput))
	c.next(ctx)
}
func (c *kvClient) Timer(*sim.Context, any) {}

func TestFromSimFeedsTheLinearizabilityChecker(t *testing.T) {
	run := func(serverLies bool) checker.LinResult {
		w, err := sim.New(sim.Config{Seed: 1, Link: sim.LinkConfig{Latency: sim.Constant(time.Millisecond)}})
		require.NoError(t, err)
		srv := w.MustAddNode("s", func() sim.Node { return &kvServer{} })
		w.MustAddNode("c", func() sim.Node {
			return &kvClient{script: []checker.KVInput{
				{Op: checker.KVPut, Key: "a", Value: "x"}, {Op: checker.KVGet, Key: "a"}, {Op: checker.KVPut, Key: "a", Value: "y"}}}
		})
		w.At(sim.Time(3500*time.Microsecond), func(w *sim.World) { w.Crash(srv) })
		if serverLies {
			w.At(sim.Time(2500*time.Microsecond), func(w *sim.World) { w.Node(srv).(*kvServer).val = "forged" })
		}
		w.Run()
		ops := checker.FromSim(w.History())
		require.Len(t, ops, 3)
		assert.Equal(t, checker.OK, ops[0].Outcome)
		assert.Equal(t, checker.Unknown, ops[2].Outcome, "the last put was never answered")
		res, err := checker.CheckLinearizable(checker.KVModel(), ops, time.Second)
		require.NoError(t, err)
		return res
	}
	assert.Equal(t, checker.Holds, run(false).Verdict)
	lied := run(true)
	assert.Equal(t, checker.Violated, lied.Verdict)
	assert.Equal(t, []string{"a"}, lied.Offending)
}

func TestKVStringsAreCompactAndDistinct(t *testing.T) {
	tests := []struct {
		v    any
		want string
	}{
		{checker.KVInput{Op: checker.KVGet, Key: "k1"}, "get k1"},
		{checker.KVInput{Op: checker.KVPut, Key: "k1", Value: "x"}, `put k1 "x"`},
		{checker.KVInput{Op: checker.KVAppend, Key: "k2", Value: "y z"}, `append k2 "y z"`},
		{checker.KVInput{Op: checker.KVCAS, Key: "k1", Expected: "a", Value: "b"}, `cas k1 "a"->"b"`},
		{checker.KVOutput{Value: "x"}, `"x"`},
		{checker.KVOutput{Value: "", OK: true}, `"" ok`},
		{checker.KVOutput{Unknown: true}, "unknown"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, sim.Describe(tt.v))
	}
}

func TestFromSimNumbersClientsDensely(t *testing.T) {
	ops := checker.FromSim([]sim.Operation{
		{Client: 7, Invoke: 1, Return: 2, Returned: true},
		{Client: 5, Invoke: 1, Return: sim.Never},
		{Client: 7, Invoke: 3, Return: 4, Returned: true},
	})
	assert.Equal(t, []int{0, 1, 0}, []int{ops[0].Client, ops[1].Client, ops[2].Client})
	assert.Equal(t, checker.Unknown, ops[1].Outcome)
}
