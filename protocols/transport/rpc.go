package transport

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/dsimlab/dsim/sim"
)

// ErrTimeout is what a call's ReplyFunc gets when no reply arrived by the
// call's deadline. The request may or may not have been executed.
var ErrTimeout = errors.New("rpc: deadline passed without a reply")

// Request is the RPC layer's request message. Client and Seq name the call
// (the client's random id for its incarnation, and its call counter), the
// same on every retry; Done says the client has finished every call below
// it, so an at-most-once server may forget their replies.
type Request struct {
	Client uint64
	Seq    uint64
	Done   uint64
	Body   any
}

// String formats the request for traces.
func (r *Request) String() string {
	return fmt.Sprintf("request %016x/%d %s", r.Client, r.Seq, sim.Describe(r.Body))
}

// Response is the RPC layer's reply to the Request with the same Client and
// Seq.
type Response struct {
	Client uint64
	Seq    uint64
	Body   any
}

// String formats the response for traces.
func (r *Response) String() string {
	return fmt.Sprintf("response %016x/%d %s", r.Client, r.Seq, sim.Describe(r.Body))
}

// ServeFunc executes a request from node from and returns the reply.
type ServeFunc func(ctx *sim.Context, from sim.NodeID, req any) (reply any)

// ReplyFunc receives a call's reply, or ErrTimeout.
type ReplyFunc func(ctx *sim.Context, reply any, err error)

// RPCConfig sets up an RPC layer.
type RPCConfig struct {
	// Transport configures the endpoint. Its KeepAlive matters: a client
	// waiting for a reply sends nothing, and only keepalive probes tell it
	// that the server crashed or the connection broke, so that it can retry
	// on a new connection; 0 means 250ms here.
	Transport Config
	// AtMostOnce makes the server remember each client's replies (by client
	// id and sequence number) so that a request retried on a new
	// connection is executed once and answered with the remembered reply.
	// The table is in memory: a server that restarts forgets it.
	AtMostOnce bool
	// RetryDelay is how long a client waits after a connection to a server
	// failed before it dials again and resends the calls that were waiting
	// on it; 0 means 20ms.
	RetryDelay time.Duration
}

// RPC is a request/response layer over an Endpoint: Call sends a request to
// a node and hands the reply (or ErrTimeout at the deadline) to a function.
// It keeps one connection per server; requests travel on it exactly once and
// in order, so a request is only sent again when its connection is reset or
// breaks, on a new connection, until the call's deadline. Without
// AtMostOnce such a retry may execute a request twice (its first copy may
// have been executed before the connection failed); with it, never, as long
// as the server does not restart.
//
// A node holds one RPC and forwards Start, Receive and Timer to it, like an
// Endpoint. Every RPC can both call and serve.
type RPC struct {
	cfg    RPCConfig
	serve  ServeFunc
	ep     *Endpoint
	client uint64 // this incarnation's client id
	seq    uint64
	calls  map[uint64]*call     // pending, by Seq
	conns  map[sim.NodeID]*Conn // to servers
	table  map[uint64]*amoEntry // at-most-once: replies by client id
	stats  RPCStats
}

// RPCStats counts what an RPC layer did since its node last started.
type RPCStats struct {
	Calls, Replies, Timeouts int // calls made, answered, timed out
	Resent                   int // requests sent again on a new connection
	Executed                 int // requests executed by this server
	Deduplicated             int // retried requests answered from the at-most-once table
}

// call is a pending call; it is also its deadline timer's tag.
type call struct {
	seq      uint64
	target   sim.NodeID
	req      any
	deadline sim.Time
	done     ReplyFunc
	conn     *Conn
	timer    sim.TimerID
}

// String describes the call for traces.
func (c *call) String() string { return fmt.Sprintf("rpc deadline %d", c.seq) }

// retryTag is the timer tag for re-dialing a server.
type retryTag struct{ target sim.NodeID }

// amoEntry is one client's part of the at-most-once table.
type amoEntry struct {
	done    uint64
	replies map[uint64]any
}

// NewRPC returns an RPC layer that serves requests with serve (nil: this
// node only calls).
func NewRPC(cfg RPCConfig, serve ServeFunc) (*RPC, error) {
	if cfg.Transport.KeepAlive == 0 {
		cfg.Transport.KeepAlive = 250 * time.Millisecond
	}
	if cfg.RetryDelay == 0 {
		cfg.RetryDelay = 20 * time.Millisecond
	}
	r := &RPC{cfg: cfg, serve: serve, calls: map[uint64]*call{}, conns: map[sim.NodeID]*Conn{},
		table: map[uint64]*amoEntry{}}
	ep, err := NewEndpoint(cfg.Transport, r)
	if err != nil {
		return nil, err
	}
	r.ep = ep
	return r, nil
}

// Endpoint returns the RPC layer's transport endpoint.
func (r *RPC) Endpoint() *Endpoint { return r.ep }

// Stats returns the RPC layer's counters.
func (r *RPC) Stats() RPCStats { return r.stats }

// Start starts the endpoint and draws this incarnation's client id.
func (r *RPC) Start(ctx *sim.Context) {
	r.ep.Start(ctx)
	r.client = ctx.Rand().Uint64()
}

// Receive forwards to the endpoint and reports whether msg was its.
func (r *RPC) Receive(ctx *sim.Context, from sim.NodeID, msg any) bool {
	return r.ep.Receive(ctx, from, msg)
}

// Timer handles the RPC layer's timers and reports whether tag was one.
func (r *RPC) Timer(ctx *sim.Context, tag any) bool {
	if r.ep.Timer(ctx, tag) {
		return true
	}
	switch t := tag.(type) {
	case *call:
		if r.calls[t.seq] == t {
			delete(r.calls, t.seq)
			r.stats.Timeouts++
			t.done(ctx, nil, ErrTimeout)
		}
		return true
	case retryTag:
		r.resend(ctx, t.target)
		return true
	}
	return false
}

// Call sends req to target and arranges for done to get the reply, or
// ErrTimeout at deadline (on the node's clock). done is called exactly once.
func (r *RPC) Call(ctx *sim.Context, target sim.NodeID, req any, deadline sim.Time, done ReplyFunc) {
	r.seq++
	c := &call{seq: r.seq, target: target, req: req, deadline: deadline, done: done}
	r.calls[c.seq] = c
	r.stats.Calls++
	c.timer = ctx.SetTimer(deadline.Sub(ctx.Now()), c)
	r.send(ctx, c)
}

// send writes c's request on the connection to its target, dialing one if
// there is none.
func (r *RPC) send(ctx *sim.Context, c *call) {
	r.maybeReset(ctx, c.target)
	conn := r.conns[c.target]
	if conn == nil {
		conn = r.ep.Dial(ctx, c.target)
		r.conns[c.target] = conn
	}
	c.conn = conn
	done := r.seq + 1
	for seq := range r.calls { // the minimum does not depend on order
		done = min(done, seq)
	}
	_ = conn.Write(ctx, &Request{Client: r.client, Seq: c.seq, Done: done, Body: c.req})
}

// resend sends again, on a new connection, every pending call to target
// that is not waiting on a live connection.
func (r *RPC) resend(ctx *sim.Context, target sim.NodeID) {
	for _, seq := range slices.Sorted(maps.Keys(r.calls)) {
		c := r.calls[seq]
		if c.target == target && (c.conn == nil || c.conn.state == stateDone) {
			r.stats.Resent++
			r.send(ctx, c)
		}
	}
}

// Open does nothing.
func (r *RPC) Open(*sim.Context, *Conn) {}

// Deliver serves requests and matches replies to calls.
func (r *RPC) Deliver(ctx *sim.Context, conn *Conn, msg any) {
	switch m := msg.(type) {
	case *Request:
		r.handle(ctx, conn, m)
	case *Response:
		c := r.calls[m.Seq]
		if m.Client != r.client || c == nil {
			return // a late reply to a call that timed out
		}
		delete(r.calls, m.Seq)
		ctx.CancelTimer(c.timer)
		r.stats.Replies++
		c.done(ctx, m.Body, nil)
	}
}

func (r *RPC) handle(ctx *sim.Context, conn *Conn, m *Request) {
	if r.serve == nil {
		return
	}
	var reply any
	if r.cfg.AtMostOnce {
		t := r.table[m.Client]
		if t == nil {
			t = &amoEntry{replies: map[uint64]any{}}
			r.table[m.Client] = t
		}
		if m.Done > t.done {
			for seq := range t.replies { // deleting: order cannot matter
				if seq < m.Done {
					delete(t.replies, seq)
				}
			}
			t.done = m.Done
		}
		if m.Seq < t.done {
			return // the client has its reply already
		}
		if cached, ok := t.replies[m.Seq]; ok {
			r.stats.Deduplicated++
			reply = cached
		} else {
			r.stats.Executed++
			reply = r.serve(ctx, conn.Peer(), m.Body)
			t.replies[m.Seq] = reply
		}
	} else {
		r.stats.Executed++
		reply = r.serve(ctx, conn.Peer(), m.Body)
	}
	_ = conn.Write(ctx, &Response{Client: m.Client, Seq: m.Seq, Body: reply})
}

// Closed forgets a failed connection to a server and schedules the resend
// of the calls that were waiting on it.
func (r *RPC) Closed(ctx *sim.Context, conn *Conn, err error) {
	if r.conns[conn.Peer()] != conn {
		return
	}
	delete(r.conns, conn.Peer())
	for _, c := range r.calls { // any one waiting is enough
		if c.conn == conn {
			ctx.SetTimer(r.cfg.RetryDelay, retryTag{target: conn.Peer()})
			return
		}
	}
}
