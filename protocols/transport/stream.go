package transport

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/dsimlab/dsim/sim"
)

// StreamMsg is the message the stream workload writes: the Index-th message
// of the stream Stream, a random 64-bit name its writer drew. It names
// itself, so the checker can tell exactly which message was delivered where.
type StreamMsg struct {
	Stream uint64
	Index  int
}

// String formats the message for traces, e.g. "s=00000000000000ff i=3".
func (m *StreamMsg) String() string {
	b := appendHex16(append(make([]byte, 0, 32), "s="...), m.Stream)
	return string(strconv.AppendInt(append(b, " i="...), int64(m.Index), 10))
}

// StreamConfig sets up the stream workload's nodes.
type StreamConfig struct {
	// Transport configures every endpoint.
	Transport Config
	// Servers are the nodes clients write to, in turn.
	Servers []sim.NodeID
	// Messages is how many messages a client delivers in all, over as many
	// streams as that takes.
	Messages int
	// StreamLen is how many messages one stream carries before its writer
	// closes it; 0 means Messages.
	StreamLen int
	// Gap draws the wait before each write (0: write at once). Each client
	// gets its own from GapFor, so clients never shift each other's draws.
	GapFor func(client string) func() time.Duration
	// Retry is how long a client waits after a stream was reset or broken
	// before it opens the next one (to the next server), writing the
	// stream's messages again.
	Retry time.Duration
	// Echo makes servers write every message they receive back to the
	// client, as a stream of their own on the same connection.
	Echo bool
	// Quiet turns the workload's facts off (benchmarks).
	Quiet bool
}

// outStream is a stream a node writes.
type outStream struct {
	id      uint64
	n       int // messages to write
	written int
}

// StreamServer accepts connections, records every message delivered and,
// with Echo, writes each back on a stream of its own.
type StreamServer struct {
	cfg *StreamConfig
	ep  *Endpoint
}

// NewStreamServer returns the sim.Factory of a stream server.
func NewStreamServer(cfg *StreamConfig) sim.Factory {
	return func() sim.Node {
		s := &StreamServer{cfg: cfg}
		s.ep = mustEndpoint(cfg.Transport, s)
		return s
	}
}

func mustEndpoint(cfg Config, h Handler) *Endpoint {
	ep, err := NewEndpoint(cfg, h)
	if err != nil {
		panic(fmt.Sprintf("transport: %v (validate the configuration before building nodes)", err))
	}
	return ep
}

// Endpoint returns the server's transport endpoint.
func (s *StreamServer) Endpoint() *Endpoint { return s.ep }

// Start starts the endpoint.
func (s *StreamServer) Start(ctx *sim.Context) { s.ep.Start(ctx) }

// Receive forwards to the endpoint.
func (s *StreamServer) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	s.ep.Receive(ctx, from, msg)
}

// Timer forwards to the endpoint.
func (s *StreamServer) Timer(ctx *sim.Context, tag any) { s.ep.Timer(ctx, tag) }

// Open does nothing: a server waits for messages.
func (s *StreamServer) Open(*sim.Context, *Conn) {}

// Deliver records the message's delivery and echoes it.
func (s *StreamServer) Deliver(ctx *sim.Context, c *Conn, msg any) {
	recordDeliver(ctx, s.cfg, c, msg)
	if !s.cfg.Echo {
		return
	}
	out, _ := c.Data.(*outStream)
	if out == nil {
		out = &outStream{id: ctx.Rand().Uint64()}
		c.Data = out
		if !s.cfg.Quiet {
			ctx.Record(StreamOpened{Stream: out.id, Conn: c.ID(), Local: c.Local(), To: ctx.NodeName(c.Peer())})
		}
	}
	writeNext(ctx, s.cfg, c, out)
}

// Closed records the connection's end.
func (s *StreamServer) Closed(ctx *sim.Context, c *Conn, err error) {
	recordClosed(ctx, s.cfg, c, err)
}

// StreamClient writes its share of messages to the servers, one stream at a
// time, and writes a stream's messages again on a new stream if it was reset
// or broken.
type StreamClient struct {
	cfg   *StreamConfig
	ep    *Endpoint
	gap   func() time.Duration
	index int // which server next, by turns
	left  int // messages still to deliver
	cur   *Conn
}

// clientTimer is the client's own timer tag: write the next message of the
// stream on connection conn (by Local number), or open the next stream.
type clientTimer struct {
	next bool
	conn uint64
}

// NewStreamClient returns the sim.Factory of a stream client; index picks
// the server it starts with.
func NewStreamClient(cfg *StreamConfig, index int) sim.Factory {
	return func() sim.Node {
		c := &StreamClient{cfg: cfg, index: index, left: cfg.Messages}
		c.ep = mustEndpoint(cfg.Transport, c)
		return c
	}
}

// Endpoint returns the client's transport endpoint.
func (c *StreamClient) Endpoint() *Endpoint { return c.ep }

// Left returns how many messages the client has still to deliver.
func (c *StreamClient) Left() int { return c.left }

// Start starts the endpoint and opens the first stream.
func (c *StreamClient) Start(ctx *sim.Context) {
	c.ep.Start(ctx)
	if c.cfg.GapFor != nil {
		c.gap = c.cfg.GapFor(ctx.Name())
	}
	if len(c.cfg.Servers) > 0 {
		c.open(ctx)
	}
}

func (c *StreamClient) open(ctx *sim.Context) {
	if c.left <= 0 {
		return
	}
	n := c.left
	if c.cfg.StreamLen > 0 {
		n = min(n, c.cfg.StreamLen)
	}
	server := c.cfg.Servers[c.index%len(c.cfg.Servers)]
	c.index++
	conn := c.ep.Dial(ctx, server)
	out := &outStream{id: ctx.Rand().Uint64(), n: n}
	conn.Data = out
	c.cur = conn
	if !c.cfg.Quiet {
		ctx.Record(StreamOpened{Stream: out.id, Conn: conn.ID(), Local: conn.Local(), To: ctx.NodeName(server)})
	}
	c.write(ctx)
}

// write writes the current stream's next message, or all of them if there
// is no pacing, and closes the stream after the last.
func (c *StreamClient) write(ctx *sim.Context) {
	conn := c.cur
	out := conn.Data.(*outStream)
	for out.written < out.n {
		if !writeNext(ctx, c.cfg, conn, out) {
			return
		}
		if c.gap != nil {
			if g := c.gap(); g > 0 {
				if out.written < out.n {
					ctx.SetTimer(g, clientTimer{conn: conn.Local()})
					return
				}
			}
		}
	}
	conn.Close(ctx)
}

// writeNext writes out's next message on conn and reports whether it could.
func writeNext(ctx *sim.Context, cfg *StreamConfig, conn *Conn, out *outStream) bool {
	if conn.Write(ctx, &StreamMsg{Stream: out.id, Index: out.written}) != nil {
		return false
	}
	if !cfg.Quiet {
		ctx.Record(StreamWritten{Stream: out.id, Index: out.written})
	}
	out.written++
	return true
}

// Receive forwards to the endpoint.
func (c *StreamClient) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	c.ep.Receive(ctx, from, msg)
}

// Timer paces writes and retries, and forwards the rest to the endpoint.
func (c *StreamClient) Timer(ctx *sim.Context, tag any) {
	if c.ep.Timer(ctx, tag) {
		return
	}
	t, ok := tag.(clientTimer)
	if !ok {
		return
	}
	if t.next {
		c.open(ctx)
		return
	}
	if c.cur != nil && c.cur.Local() == t.conn {
		c.write(ctx)
	}
}

// Open does nothing: messages are queued from the moment of dialing.
func (c *StreamClient) Open(*sim.Context, *Conn) {}

// Deliver records the servers' echoes.
func (c *StreamClient) Deliver(ctx *sim.Context, conn *Conn, msg any) {
	recordDeliver(ctx, c.cfg, conn, msg)
}

// Closed counts a stream closed in order as delivered, and otherwise opens
// a new one for its messages after the retry delay.
func (c *StreamClient) Closed(ctx *sim.Context, conn *Conn, err error) {
	recordClosed(ctx, c.cfg, conn, err)
	if conn != c.cur {
		return
	}
	c.cur = nil
	out := conn.Data.(*outStream)
	if err == nil {
		c.left -= out.n
		if c.left <= 0 {
			if !c.cfg.Quiet {
				ctx.Record(StreamClientDone{})
			}
			return
		}
		c.open(ctx)
		return
	}
	ctx.SetTimer(c.cfg.Retry, clientTimer{next: true})
}

func recordDeliver(ctx *sim.Context, cfg *StreamConfig, c *Conn, msg any) {
	if cfg.Quiet {
		return
	}
	f := StreamDelivered{Index: -1, Conn: c.ID(), Local: c.Local()} // not a stream message: names no stream
	if m, ok := msg.(*StreamMsg); ok && m != nil {
		f.Stream, f.Index = m.Stream, m.Index
	}
	ctx.Record(f)
}

func recordClosed(ctx *sim.Context, cfg *StreamConfig, c *Conn, err error) {
	if cfg.Quiet {
		return
	}
	ctx.Record(StreamClosed{Conn: c.ID(), Local: c.Local(), Err: errName(err)})
}

// errName names a connection's end in StreamClosed facts.
func errName(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, ErrReset):
		return "reset"
	case errors.Is(err, ErrBroken):
		return "broken"
	}
	return "error"
}
