package transport_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols/transport"
	"github.com/dsimlab/dsim/sim"
)

// rpcNode is a node that holds an RPC layer; a client makes calls at start.
type rpcNode struct {
	rpc   *transport.RPC
	start func(ctx *sim.Context, r *transport.RPC)
}

func (n *rpcNode) Start(ctx *sim.Context) {
	n.rpc.Start(ctx)
	if n.start != nil {
		n.start(ctx, n.rpc)
	}
}
func (n *rpcNode) Receive(ctx *sim.Context, from sim.NodeID, msg any) { n.rpc.Receive(ctx, from, msg) }
func (n *rpcNode) Timer(ctx *sim.Context, tag any)                    { n.rpc.Timer(ctx, tag) }

type reply struct {
	req   string
	reply any
	err   error
	at    sim.Time
}

func rpcWorld(t *testing.T, cfg transport.RPCConfig, executed *int, start func(*sim.Context, *transport.RPC)) *sim.World {
	t.Helper()
	w, err := sim.New(sim.Config{Seed: 1, Link: sim.LinkConfig{Latency: sim.Constant(5 * time.Millisecond)}})
	require.NoError(t, err)
	w.MustAddNode("server", func() sim.Node {
		r, err := transport.NewRPC(cfg, func(_ *sim.Context, _ sim.NodeID, req any) any {
			*executed++
			return fmt.Sprintf("re:%v", req)
		})
		require.NoError(t, err)
		return &rpcNode{rpc: r}
	})
	w.MustAddNode("client", func() sim.Node {
		r, err := transport.NewRPC(cfg, nil)
		require.NoError(t, err)
		return &rpcNode{rpc: r, start: start}
	})
	return w
}

func TestRPCRepliesAndTimeouts(t *testing.T) {
	var got []reply
	executed := 0
	record := func(req string) transport.ReplyFunc {
		return func(ctx *sim.Context, r any, err error) { got = append(got, reply{req, r, err, ctx.Now()}) }
	}
	w := rpcWorld(t, transport.RPCConfig{}, &executed, func(ctx *sim.Context, r *transport.RPC) {
		for _, req := range []string{"a", "b", "c"} {
			r.Call(ctx, 0, req, ctx.Now().Add(time.Second), record(req))
		}
	})
	w.At(sim.Time(time.Second), func(w *sim.World) { w.Crash(0) })
	w.At(sim.Time(1100*time.Millisecond), func(w *sim.World) {
		ctx := w.Context(1)
		w.Node(1).(*rpcNode).rpc.Call(ctx, 0, "d", ctx.Now().Add(500*time.Millisecond), record("d"))
	})
	w.RunUntil(sim.Time(3 * time.Second))
	require.Len(t, got, 4)
	for i, req := range []string{"a", "b", "c"} {
		assert.Equal(t, reply{req, "re:" + req, nil, sim.Time(20 * time.Millisecond)}, got[i],
			"handshake (10ms), request and reply (10ms)")
	}
	assert.Equal(t, reply{"d", nil, transport.ErrTimeout, sim.Time(1600 * time.Millisecond)}, got[3])
	assert.Equal(t, 3, executed)
	st := w.Node(1).(*rpcNode).rpc.Stats()
	assert.Equal(t, transport.RPCStats{Calls: 4, Replies: 3, Timeouts: 1}, transport.RPCStats{Calls: st.Calls, Replies: st.Replies, Timeouts: st.Timeouts})
}

// TestRPCRetryAfterBrokenConnection cuts the server off just after it got
// a request, so its reply is lost and both ends give up on the connection;
// after the heal the client resends the request on a new connection. With
// the at-most-once table the server answers from the table; without, it
// executes the request again.
func TestRPCRetryAfterBrokenConnection(t *testing.T) {
	for _, amo := range []bool{true, false} {
		t.Run(fmt.Sprintf("at_most_once=%v", amo), func(t *testing.T) {
			executed := 0
			var got []reply
			cfg := transport.RPCConfig{AtMostOnce: amo, Transport: transport.Config{MaxRetries: 2, MaxRTO: ms(100), KeepAlive: ms(50)}}
			w := rpcWorld(t, cfg, &executed, func(ctx *sim.Context, r *transport.RPC) {
				r.Call(ctx, 0, "x", ctx.Now().Add(5*time.Second), func(ctx *sim.Context, rep any, err error) {
					got = append(got, reply{"x", rep, err, ctx.Now()})
				})
			})
			// The request arrives at 15ms; the reply leaves at once and
			// would arrive at 20ms: cut the link at 17ms.
			w.At(sim.Time(ms(17)), func(w *sim.World) { w.Partition([]sim.NodeID{0}, []sim.NodeID{1}) })
			w.At(sim.Time(ms(1500)), func(w *sim.World) { w.Heal() })
			w.RunUntil(sim.Time(10 * time.Second))
			require.Len(t, got, 1)
			assert.Equal(t, "re:x", got[0].reply)
			assert.NoError(t, got[0].err)
			server := w.Node(0).(*rpcNode).rpc.Stats()
			client := w.Node(1).(*rpcNode).rpc.Stats()
			assert.Positive(t, client.Resent)
			if amo {
				assert.Equal(t, 1, executed)
				assert.Equal(t, 1, server.Deduplicated)
			} else {
				assert.Equal(t, 2, executed, "the retry ran the request again")
			}
		})
	}
}
