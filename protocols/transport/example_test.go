package transport_test

import (
	"fmt"
	"time"

	"github.com/dsimlab/dsim/protocols/transport"
	"github.com/dsimlab/dsim/sim"
)

// chatNode holds an Endpoint and forwards the kernel's calls to it. If it
// has lines to say, it dials peer at start, writes them and closes.
type chatNode struct {
	ep   *transport.Endpoint
	say  []string
	peer sim.NodeID
}

func newChatNode(say []string, peer sim.NodeID) sim.Factory {
	return func() sim.Node {
		n := &chatNode{say: say, peer: peer}
		n.ep, _ = transport.NewEndpoint(transport.Config{Window: 2}, n)
		return n
	}
}

func (n *chatNode) Start(ctx *sim.Context) {
	n.ep.Start(ctx)
	if len(n.say) > 0 {
		c := n.ep.Dial(ctx, n.peer)
		for _, line := range n.say {
			_ = c.Write(ctx, line)
		}
		c.Close(ctx)
	}
}

func (n *chatNode) Receive(ctx *sim.Context, from sim.NodeID, msg any) { n.ep.Receive(ctx, from, msg) }
func (n *chatNode) Timer(ctx *sim.Context, tag any)                    { n.ep.Timer(ctx, tag) }
func (n *chatNode) Open(*sim.Context, *transport.Conn)                 {}

func (n *chatNode) Deliver(ctx *sim.Context, _ *transport.Conn, msg any) {
	fmt.Printf("%s got %q\n", ctx.Name(), msg)
}

func (n *chatNode) Closed(ctx *sim.Context, c *transport.Conn, err error) {
	fmt.Printf("%s: %s closed (error: %v)\n", ctx.Name(), c.ID(), err)
}

// A connection over a network that loses 30% of the segments and
// duplicates 10%: the lines arrive once and in order, and both ends see an
// orderly close.
func Example() {
	w, _ := sim.New(sim.Config{Seed: 1, Link: sim.LinkConfig{
		Latency: sim.Uniform(time.Millisecond, 10*time.Millisecond), Drop: 0.3, Duplicate: 0.1}})
	reader := w.MustAddNode("reader", newChatNode(nil, sim.None))
	w.MustAddNode("writer", newChatNode([]string{"one", "two", "three", "four"}, reader))
	w.Run()
	// Output:
	// reader got "one"
	// reader got "two"
	// reader got "three"
	// reader got "four"
	// writer: writer#1.1 closed (error: <nil>)
	// reader: writer#1.1 closed (error: <nil>)
}

// kvNode serves or calls through an RPC layer.
type kvNode struct {
	rpc   *transport.RPC
	start func(*sim.Context, *transport.RPC)
}

func (n *kvNode) Start(ctx *sim.Context) {
	n.rpc.Start(ctx)
	if n.start != nil {
		n.start(ctx, n.rpc)
	}
}
func (n *kvNode) Receive(ctx *sim.Context, from sim.NodeID, msg any) { n.rpc.Receive(ctx, from, msg) }
func (n *kvNode) Timer(ctx *sim.Context, tag any)                    { n.rpc.Timer(ctx, tag) }

// Calls over the RPC layer: the reply, or ErrTimeout at the deadline when
// the server is down.
func ExampleRPC_Call() {
	w, _ := sim.New(sim.Config{Seed: 1})
	server := w.MustAddNode("server", func() sim.Node {
		r, _ := transport.NewRPC(transport.RPCConfig{AtMostOnce: true}, func(_ *sim.Context, _ sim.NodeID, req any) any {
			return fmt.Sprintf("hello, %v", req)
		})
		return &kvNode{rpc: r}
	})
	w.MustAddNode("client", func() sim.Node {
		r, _ := transport.NewRPC(transport.RPCConfig{}, nil)
		return &kvNode{rpc: r, start: func(ctx *sim.Context, r *transport.RPC) {
			show := func(ctx *sim.Context, reply any, err error) { fmt.Printf("at %v: %v %v\n", ctx.Now(), reply, err) }
			r.Call(ctx, server, "client", ctx.Now().Add(time.Second), show)
		}}
	})
	w.At(sim.Time(time.Second), func(w *sim.World) { w.Crash(server) })
	w.At(sim.Time(2*time.Second), func(w *sim.World) {
		ctx := w.Context(1)
		w.Node(1).(*kvNode).rpc.Call(ctx, server, "anyone?", ctx.Now().Add(500*time.Millisecond),
			func(ctx *sim.Context, reply any, err error) { fmt.Printf("at %v: %v %v\n", ctx.Now(), reply, err) })
	})
	w.RunUntil(sim.Time(5 * time.Second))
	// Output:
	// at 27.803611ms: hello, client <nil>
	// at 2.5s: <nil> rpc: deadline passed without a reply
}
