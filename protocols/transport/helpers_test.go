package transport_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols/transport"
	"github.com/dsimlab/dsim/sim"
)

// nodeLog is what a test node saw, kept outside the node so that it
// survives crashes (tests may share state with nodes; protocols may not).
type nodeLog struct {
	opened    []string
	delivered []any
	closed    []closeRec
	eps       []*transport.Endpoint // one per incarnation
	conns     []*transport.Conn     // dialed, one per incarnation
}

type closeRec struct {
	id  string
	err error
	at  sim.Time
}

// testNode dials peer (unless it is sim.None) at start, writes msgs
// messages (the ints 0..msgs-1) and closes the connection if close is set.
type testNode struct {
	log   *nodeLog
	ep    *transport.Endpoint
	peer  sim.NodeID
	msgs  int
	close bool
}

func newTestNode(t testing.TB, log *nodeLog, cfg transport.Config, peer sim.NodeID, msgs int, close bool) sim.Factory {
	require.NoError(t, cfg.Validate())
	return func() sim.Node {
		n := &testNode{log: log, peer: peer, msgs: msgs, close: close}
		ep, err := transport.NewEndpoint(cfg, n)
		if err != nil {
			panic(err)
		}
		n.ep = ep
		log.eps = append(log.eps, ep)
		return n
	}
}

func (n *testNode) Start(ctx *sim.Context) {
	n.ep.Start(ctx)
	if n.peer == sim.None {
		return
	}
	c := n.ep.Dial(ctx, n.peer)
	n.log.conns = append(n.log.conns, c)
	for i := 0; i < n.msgs; i++ {
		if err := c.Write(ctx, i); err != nil {
			panic(err)
		}
	}
	if n.close {
		c.Close(ctx)
	}
}

func (n *testNode) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	if !n.ep.Receive(ctx, from, msg) {
		panic("not a transport message")
	}
}

func (n *testNode) Timer(ctx *sim.Context, tag any) {
	if !n.ep.Timer(ctx, tag) {
		panic("not a transport timer")
	}
}

func (n *testNode) Open(_ *sim.Context, c *transport.Conn) {
	n.log.opened = append(n.log.opened, c.ID())
}

func (n *testNode) Deliver(_ *sim.Context, _ *transport.Conn, msg any) {
	n.log.delivered = append(n.log.delivered, msg)
}

func (n *testNode) Closed(ctx *sim.Context, c *transport.Conn, err error) {
	n.log.closed = append(n.log.closed, closeRec{id: c.ID(), err: err, at: ctx.Now()})
}

// pair builds a world of two nodes, "a" (node 0), which dials "b" (node 1)
// and writes msgs messages, closing after them if close is set.
func pair(t testing.TB, seed uint64, link sim.LinkConfig, cfg transport.Config, msgs int, close bool) (w *sim.World, a, b *nodeLog) {
	t.Helper()
	w, err := sim.New(sim.Config{Seed: seed, Link: link, Trace: true})
	require.NoError(t, err)
	a, b = &nodeLog{}, &nodeLog{}
	w.MustAddNode("a", newTestNode(t, a, cfg, 1, msgs, close))
	w.MustAddNode("b", newTestNode(t, b, cfg, sim.None, 0, false))
	return w, a, b
}

func ints(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// segmentsSent returns the segments node from sent, in order.
func segmentsSent(w *sim.World, from sim.NodeID) []*transport.Segment {
	var out []*transport.Segment
	for _, e := range w.Trace() {
		if s, ok := e.Msg.(*transport.Segment); ok && e.Kind == sim.KindSend && e.Node == from {
			out = append(out, s)
		}
	}
	return out
}

var (
	calm  = sim.LinkConfig{Latency: sim.Uniform(time.Millisecond, 10*time.Millisecond)}
	lossy = sim.LinkConfig{Latency: sim.LogNormal(3*time.Millisecond, 0.8), Drop: 0.2, Duplicate: 0.2}
)

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }
