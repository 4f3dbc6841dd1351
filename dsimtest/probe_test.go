package dsimtest

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/sim"
)

// counter is a small node for the probe's tests. It greets "peer" at
// start, adds what it is sent and answers with the sum (storing it, but
// syncing only when told), and ticks to "peer" every 10ms.
type counter struct{ n int }

type add int
type sum int
type syncNow struct{}
type added struct {
	From string
	N    int
}

func newCounter() sim.Node { return &counter{} }

func (c *counter) Start(ctx *sim.Context) {
	if v, ok := ctx.Storage().Get("n"); ok {
		c.n, _ = strconv.Atoi(string(v))
	}
	peer, _ := ctx.Lookup("peer")
	ctx.Send(peer, "hello")
	ctx.SetTimer(10*time.Millisecond, "tick")
}

func (c *counter) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	switch m := msg.(type) {
	case add:
		c.n += int(m)
		ctx.Storage().Put("n", []byte(strconv.Itoa(c.n)))
		ctx.Record(added{From: ctx.NodeName(from), N: int(m)})
		ctx.Send(from, sum(c.n))
	case syncNow:
		ctx.Storage().Sync()
		ctx.Record("synced")
	}
}

func (c *counter) Timer(ctx *sim.Context, tag any) {
	peer, _ := ctx.Lookup("peer")
	ctx.Send(peer, tag)
	ctx.SetTimer(10*time.Millisecond, tag)
}

func TestProbeDeliverAndTimers(t *testing.T) {
	ms := sim.Time(time.Millisecond)
	p := NewProbe("n1", newCounter)
	assert.Equal(t, []Message{{At: 0, To: "peer", Msg: "hello"}}, p.Take(), "Start ran")
	p.Deliver("peer", add(2))
	p.Deliver("peer", add(3))
	assert.Equal(t, []Message{{At: 0, To: "peer", Msg: sum(2)}, {At: 0, To: "peer", Msg: sum(5)}}, p.Take())
	assert.Empty(t, p.Take(), "Take forgets what it returned")
	assert.Equal(t, []added{{"peer", 2}, {"peer", 3}}, FactsOf[added](p))
	assert.Empty(t, FactsOf[string](p))
	assert.Empty(t, p.Fired(), "no time passed")

	tm, ok := p.FireNext()
	require.True(t, ok)
	assert.Equal(t, Timer{At: 10 * ms, Tag: "tick"}, tm)
	assert.Equal(t, 10*ms, p.Now())
	assert.Equal(t, []Message{{At: 10 * ms, To: "peer", Msg: "tick"}}, p.Take())

	p.Advance(25 * time.Millisecond)
	assert.Equal(t, 35*ms, p.Now())
	assert.Equal(t, []Timer{{10 * ms, "tick"}, {20 * ms, "tick"}, {30 * ms, "tick"}}, p.Fired())
	assert.Equal(t, []any{"hello", sum(2), sum(5), "tick", "tick", "tick"}, p.SentTo("peer"))
	assert.Len(t, p.Sent(), 6, "Sent keeps everything")
	assert.Equal(t, "peer: "+sim.Describe(sum(5)), p.Sent()[2].String())
}

func TestProbeCrashRestartAndStorage(t *testing.T) {
	p := NewProbe("n1", newCounter)
	p.Deliver("peer", add(2))
	v, _ := p.Storage().Get("n")
	assert.Equal(t, "2", string(v))

	p.Crash()
	assert.False(t, p.Up())
	assert.Nil(t, p.Node())
	p.Take()
	p.Deliver("peer", add(7))
	assert.Empty(t, p.Take(), "a crashed node gets nothing")
	_, ok := p.FireNext()
	assert.False(t, ok, "a crash cancels the node's timers")

	p.Restart()
	assert.True(t, p.Up())
	assert.Equal(t, 0, p.Node().(*counter).n, "the write was not synced")
	p.Deliver("peer", add(3))
	p.Deliver("peer", syncNow{})
	assert.Equal(t, 1, p.Storage().Syncs())
	p.Restart()
	assert.Equal(t, 3, p.Node().(*counter).n, "the synced write survived")
	assert.Equal(t, []any{added{"peer", 2}, added{"peer", 3}, "synced"}, p.Facts())
}

// asker is a client: it invokes one operation at start, asks "server" and
// returns what it answers.
type asker struct{ op sim.OpID }

func (a *asker) Start(ctx *sim.Context) {
	a.op = ctx.Invoke("question")
	srv, _ := ctx.Lookup("server")
	ctx.Send(srv, "question")
}
func (a *asker) Receive(ctx *sim.Context, _ sim.NodeID, msg any) { ctx.Return(a.op, msg) }
func (a *asker) Timer(*sim.Context, any)                         {}

func TestProbeClientHistoryAndNodes(t *testing.T) {
	p := NewProbe("c1", func() sim.Node { return &asker{} }, Nodes("server", "c1", "other"), ProbeSeed(7))
	assert.Equal(t, sim.NodeID(0), p.ID("server"))
	assert.Equal(t, sim.NodeID(1), p.ID("c1"))
	assert.Equal(t, uint64(7), p.World().Seed())
	assert.Equal(t, []any{"question"}, p.SentTo("server"))
	_, ok := p.FireNext()
	assert.False(t, ok, "no timer was set")
	p.Deliver("server", "42")
	h := p.History()
	require.Len(t, h, 1)
	assert.Equal(t, "question", h[0].Input)
	assert.Equal(t, "42", h[0].Output)
	assert.True(t, h[0].Returned)

	assert.PanicsWithValue(t, `dsimtest: the probe has no node "nobody"`, func() { p.Deliver("nobody", "x") })
	assert.PanicsWithValue(t, `dsimtest: the probe's nodes [a b] do not include "c1"`, func() {
		NewProbe("c1", func() sim.Node { return &asker{} }, Nodes("a", "b"))
	})
	assert.Panics(t, func() { NewProbe("a", newCounter, Nodes("a", "a")) }, "a name given twice")
}
