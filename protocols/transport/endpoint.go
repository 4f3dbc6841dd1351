package transport

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/dsimlab/dsim/sim"
)

// The errors a connection ends with (Handler.Closed) or Write returns.
var (
	// ErrReset means the peer no longer knows the connection: it crashed
	// and restarted (a new incarnation), or it gave up on the connection.
	ErrReset = errors.New("connection reset by peer")
	// ErrBroken means the peer acknowledged nothing through MaxRetries
	// retransmission timeouts in a row: the connection gave up.
	ErrBroken = errors.New("connection broken: too many retransmissions")
	// ErrClosed means the connection was closed, or is closing, and takes
	// no more messages.
	ErrClosed = errors.New("connection closed")
)

// Handler is what an Endpoint tells its user. Its methods are called from
// within the Endpoint's Receive and Timer (and from Conn methods), with the
// node's context; they may write to, close and dial connections.
type Handler interface {
	// Open reports that a connection is established: on the dialer, when
	// the handshake completes; on the other side, when it accepted one.
	Open(ctx *sim.Context, c *Conn)
	// Deliver hands over the next message of a connection, exactly once
	// and in the order the peer wrote them.
	Deliver(ctx *sim.Context, c *Conn, msg any)
	// Closed reports that a connection ended: err is nil after an orderly
	// close (both sides closed, everything written on either side was
	// delivered), ErrReset or ErrBroken otherwise, in which case what was
	// delivered is a prefix of what was written. Closed is called once per
	// connection the user knows (dialed, or reported by Open).
	Closed(ctx *sim.Context, c *Conn, err error)
}

// AckHandler is an optional capability of a Handler: Acked is called when
// the peer acknowledges messages, so a writer can keep a bounded number of
// messages queued (see Conn.Pending).
type AckHandler interface {
	Acked(ctx *sim.Context, c *Conn)
}

// Stats counts what an Endpoint did since its node last started. Counts
// are of segments unless they say messages.
type Stats struct {
	Dialed, Accepted    int // connections
	Sent                int // messages sent for the first time
	Retransmits         int // retransmitted SYNs, messages and FINs
	Timeouts            int // retransmission timeouts that fired
	FastRetransmits     int // retransmissions after three duplicate acknowledgements
	AcksSent            int // pure acknowledgements (carrying nothing)
	Delivered           int // messages handed to the user
	Duplicates          int // segments received again (already delivered or buffered)
	SpuriousRetransmits int // retransmitted copies received again: the resend was not needed
	OutOfWindow         int // segments beyond the receive window, dropped
	StaleRejected       int // segments from or to an earlier incarnation, dropped
	ResetsSent          int
	ResetsReceived      int
	Broken              int // connections that gave up
}

// Add adds the counts of o to s.
func (s *Stats) Add(o Stats) {
	s.Dialed += o.Dialed
	s.Accepted += o.Accepted
	s.Sent += o.Sent
	s.Retransmits += o.Retransmits
	s.Timeouts += o.Timeouts
	s.FastRetransmits += o.FastRetransmits
	s.AcksSent += o.AcksSent
	s.Delivered += o.Delivered
	s.Duplicates += o.Duplicates
	s.SpuriousRetransmits += o.SpuriousRetransmits
	s.OutOfWindow += o.OutOfWindow
	s.StaleRejected += o.StaleRejected
	s.ResetsSent += o.ResetsSent
	s.ResetsReceived += o.ResetsReceived
	s.Broken += o.Broken
}

// IncarnationKey is the storage key where an Endpoint keeps its node's
// incarnation number.
const IncarnationKey = "transport/incarnation"

// Endpoint is one node's transport: its connections, its incarnation and
// its counters. A protocol's node holds one and forwards Start, Receive and
// Timer to it; Receive and Timer report whether the message or timer was the
// transport's, so the node handles only the rest:
//
//	func (n *Node) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
//		if n.ep.Receive(ctx, from, msg) {
//			return
//		}
//		... // the node's own messages
//	}
//
// Every Start (boot or restart) begins a new incarnation, numbered from 1 and
// kept in the node's storage under IncarnationKey: segments carry the
// incarnations of both ends, so segments from or to an earlier incarnation
// are rejected, and a peer that hears from a new incarnation resets its
// connections with the old one.
type Endpoint struct {
	cfg     Config
	h       Handler
	acks    AckHandler
	inc     uint32
	nextNum uint32
	conns   map[connKey]*Conn
	peerInc []uint32 // latest incarnation heard from each node
	serial  uint64
	stats   Stats
	isn     func(*sim.Context) uint32 // draws initial sequence numbers; tests may replace it
}

// NewEndpoint returns an Endpoint configured by cfg (zero fields take
// DefaultConfig's values) that reports to h.
func NewEndpoint(cfg Config, h Handler) (*Endpoint, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if h == nil {
		return nil, fmt.Errorf("%w: nil handler", ErrBadConfig)
	}
	e := &Endpoint{cfg: cfg, h: h, conns: map[connKey]*Conn{},
		isn: func(ctx *sim.Context) uint32 { return ctx.Rand().Uint32() }}
	e.acks, _ = h.(AckHandler)
	return e, nil
}

// Validate reports whether cfg is usable, after defaults are filled in.
func (c Config) Validate() error {
	_, err := c.withDefaults()
	return err
}

// Config returns the endpoint's configuration, defaults filled in.
func (e *Endpoint) Config() Config { return e.cfg }

// Start begins a new incarnation: it reads the last one from storage,
// increments it and syncs it. Call it from the node's Start.
func (e *Endpoint) Start(ctx *sim.Context) {
	st := ctx.Storage()
	var last uint32
	if b, ok := st.Get(IncarnationKey); ok && len(b) == 4 {
		last = binary.BigEndian.Uint32(b)
	}
	e.inc = last + 1
	st.Put(IncarnationKey, binary.BigEndian.AppendUint32(nil, e.inc))
	st.Sync()
	e.peerInc = make([]uint32, len(ctx.Nodes()))
	if e.cfg.Record {
		ctx.Record(EndpointStarted{Incarnation: e.inc})
	}
}

// Incarnation returns the node's current incarnation, from 1.
func (e *Endpoint) Incarnation() uint32 { return e.inc }

// Stats returns the endpoint's counters.
func (e *Endpoint) Stats() Stats { return e.stats }

// Conns returns the endpoint's live connections (not yet closed, reset or
// broken, or lingering after an orderly close), in the order they were made.
func (e *Endpoint) Conns() []*Conn {
	var cs []*Conn
	for _, c := range e.conns { // sorted below
		cs = append(cs, c)
	}
	slices.SortFunc(cs, func(a, b *Conn) int { return cmpUint64(a.serial, b.serial) })
	return cs
}

func cmpUint64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Dial opens a connection to peer and returns it at once: messages written
// before the handshake completes are queued. Open or Closed reports how the
// handshake ends.
func (e *Endpoint) Dial(ctx *sim.Context, peer sim.NodeID) *Conn {
	if peer == ctx.ID() {
		panic("transport: dial to self")
	}
	e.nextNum++
	key := connKey{dialer: ctx.ID(), dialerInc: e.inc, num: e.nextNum}
	c := e.newConn(ctx, key, peer, true)
	c.state = stateSynSent
	c.ring = make([]entry, e.cfg.Window)
	c.rbuf = make([]slot, e.cfg.Window)
	c.ring[0] = entry{flags: FlagSYN}
	c.transmit(ctx, 0, false)
	c.sndNxt, c.sndEnd = 1, 1
	e.stats.Dialed++
	c.arm(ctx)
	return c
}

func (e *Endpoint) newConn(ctx *sim.Context, key connKey, peer sim.NodeID, dialer bool) *Conn {
	e.serial++
	c := &Conn{ep: e, key: key, peer: peer, serial: e.serial, dialer: dialer,
		iss: e.isn(ctx), lastHeard: ctx.Now(),
		id: fmt.Sprintf("%s#%d.%d", ctx.NodeName(key.dialer), key.dialerInc, key.num)}
	c.rto = RTOEstimator{Initial: e.cfg.InitialRTO, Min: e.cfg.MinRTO, Max: e.cfg.MaxRTO, Fixed: e.cfg.FixedRTO}
	e.conns[key] = c
	return c
}

// Receive handles msg if it is a transport Segment and reports whether it
// was. Call it from the node's Receive.
func (e *Endpoint) Receive(ctx *sim.Context, from sim.NodeID, msg any) bool {
	seg, ok := msg.(*Segment)
	if !ok {
		return false
	}
	e.input(ctx, from, seg)
	return true
}

// Timer handles tag if it is one of the transport's timers and reports
// whether it was. Call it from the node's Timer.
func (e *Endpoint) Timer(ctx *sim.Context, tag any) bool {
	c, ok := tag.(*Conn)
	if !ok || c.ep != e {
		return false
	}
	if c.state != stateDone {
		c.onTimer(ctx)
	}
	return true
}

func (e *Endpoint) input(ctx *sim.Context, from sim.NodeID, seg *Segment) {
	if int(from) >= len(e.peerInc) {
		e.peerInc = append(e.peerInc, make([]uint32, int(from)+1-len(e.peerInc))...)
	}
	if seg.DstInc != 0 && seg.DstInc != e.inc {
		// Meant for an earlier incarnation of this node: tell the sender.
		e.stats.StaleRejected++
		if seg.Flags&FlagRST == 0 {
			e.reset(ctx, from, seg)
		}
		return
	}
	known := e.peerInc[from]
	if seg.SrcInc < known {
		e.stats.StaleRejected++ // from an earlier incarnation of the peer
		return
	}
	if seg.SrcInc > known {
		if known != 0 {
			e.peerRestarted(ctx, from, seg.SrcInc)
		}
		e.peerInc[from] = seg.SrcInc
	}
	key := connKey{dialer: ctx.ID(), dialerInc: seg.DialerInc, num: seg.Conn}
	if seg.Flags&FlagDialer != 0 {
		key.dialer = from
	}
	c := e.conns[key]
	if c != nil && c.peer != from {
		c = nil // a forged or misrouted segment: not this connection's peer
	}
	switch {
	case seg.Flags&FlagRST != 0:
		e.stats.ResetsReceived++
		if c != nil {
			c.fail(ctx, ErrReset, false)
		}
		return
	case c == nil:
		if seg.Flags&(FlagSYN|FlagACK|FlagDialer) == FlagSYN|FlagDialer {
			e.accept(ctx, from, key, seg)
			return
		}
		e.reset(ctx, from, seg)
		return
	}
	c.input(ctx, seg)
	if c.state != stateDone {
		c.arm(ctx)
	}
}

// accept answers a SYN for a new connection with a SYN-ACK.
func (e *Endpoint) accept(ctx *sim.Context, from sim.NodeID, key connKey, seg *Segment) {
	c := e.newConn(ctx, key, from, false)
	c.state = stateSynRcvd
	c.peerInc = seg.SrcInc
	c.irs, c.rcvNxt = seg.Seq, 1
	c.echo, c.echoOK = seg.Seq, seg.Retx == 0
	c.wnd = min(e.cfg.Window, max(1, int(seg.Window)))
	c.ring = make([]entry, c.wnd)
	c.rbuf = make([]slot, e.cfg.Window)
	c.ring[0] = entry{flags: FlagSYN}
	c.transmit(ctx, 0, false)
	c.sndNxt, c.sndEnd = 1, 1
	e.stats.Accepted++
	c.arm(ctx)
}

// reset answers a segment for a connection this node does not know (or one
// meant for its earlier incarnation) with a RST.
func (e *Endpoint) reset(ctx *sim.Context, to sim.NodeID, seg *Segment) {
	f := FlagRST
	if seg.Flags&FlagDialer == 0 {
		f |= FlagDialer
	}
	e.stats.ResetsSent++
	ctx.Send(to, &Segment{Flags: f, Conn: seg.Conn, DialerInc: seg.DialerInc,
		SrcInc: e.inc, DstInc: seg.SrcInc, Seq: seg.Ack})
}

// peerRestarted resets every connection with an earlier incarnation of peer.
func (e *Endpoint) peerRestarted(ctx *sim.Context, peer sim.NodeID, inc uint32) {
	var stale []*Conn
	for _, c := range e.conns { // sorted below
		if c.peer == peer && c.peerInc != 0 && c.peerInc < inc {
			stale = append(stale, c)
		}
	}
	slices.SortFunc(stale, func(a, b *Conn) int { return cmpUint64(a.serial, b.serial) })
	for _, c := range stale {
		if c.state != stateDone {
			c.fail(ctx, ErrReset, false)
		}
	}
}
