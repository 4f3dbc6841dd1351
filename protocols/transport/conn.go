package transport

import (
	"time"

	"github.com/dsimlab/dsim/sim"
)

// connKey names a connection at both of its ends.
type connKey struct {
	dialer    sim.NodeID
	dialerInc uint32
	num       uint32
}

type connState uint8

const (
	stateSynSent  connState = iota + 1 // dialed, waiting for the SYN-ACK
	stateSynRcvd                       // accepted, waiting for the SYN-ACK's acknowledgement
	stateOpen                          // established (possibly closing)
	stateTimeWait                      // closed in order, lingering to acknowledge a retransmitted FIN
	stateDone                          // gone: closed, reset or broken
)

// entry is a SYN, message or FIN the sender holds until it is acknowledged.
type entry struct {
	flags   Flags // FlagSYN, FlagData or FlagFIN
	sends   uint8 // transmissions so far, saturating
	payload any
	sentAt  sim.Time // first transmission, on the node's clock
	lastAt  sim.Time // latest transmission
}

// slot is one place of the receiver's out-of-order buffer.
type slot struct {
	flags   Flags // FlagData or FlagFIN; 0 is empty
	payload any
}

// dupAckThreshold is how many duplicate acknowledgements trigger a fast
// retransmission.
const dupAckThreshold = 3

// Conn is one end of a connection: an ordered, exactly-once stream of
// messages each way. Messages written are queued, sent as the window allows,
// retransmitted until acknowledged, and delivered to the peer's Handler in
// order. Conn methods must be called from the node that owns it, with its
// context.
type Conn struct {
	// Data is the user's own, for per-connection bookkeeping; the transport
	// never reads it.
	Data any

	ep      *Endpoint
	key     connKey
	id      string
	peer    sim.NodeID
	serial  uint64
	dialer  bool
	state   connState
	opened  bool // Open was reported
	peerInc uint32
	err     error

	// Sending. Offsets count from the ISN (offset 0 is the SYN).
	iss            uint32
	sndUna, sndNxt uint64  // oldest unacknowledged, next to send
	sndEnd         uint64  // offset the next written message gets
	wnd            int     // send window
	ring           []entry // unacknowledged entries, at offset % len(ring)
	queue          fifo    // written, not sent yet
	closing        bool
	finOff         uint64
	finAcked       bool
	rto            RTOEstimator
	timeouts       int // consecutive, without progress
	dupAcks        int
	recovering     bool
	recover        uint64 // sndNxt when recovery began
	probing        bool

	// Receiving. Offsets count from the peer's ISN.
	irs     uint32
	rcvNxt  uint64
	rbuf    []slot // out-of-order messages, at offset % len(rbuf)
	peerFin bool
	unacked int    // in-order segments not acknowledged yet (delayed ACK)
	echo    uint32 // sequence number to echo in the next acknowledgement
	echoOK  bool

	// Deadlines on the node's clock; 0 is unset. One kernel timer serves
	// them all: it is set for the earliest and re-armed when it fires.
	rtoAt, ackAt, waitAt sim.Time
	lastHeard            sim.Time
	timer                sim.TimerID
	timerAt              sim.Time
}

// ID names the connection the same way at both ends: the dialer's name, its
// incarnation when it dialed, and the dialer's number for it, e.g. "c1#2.5".
func (c *Conn) ID() string { return c.id }

// String describes the connection for traces (it is also its timer tag).
func (c *Conn) String() string { return "conn " + c.id }

// Peer returns the node at the other end.
func (c *Conn) Peer() sim.NodeID { return c.peer }

// Local returns a number unique among this endpoint's connections in this
// incarnation, in the order they were made.
func (c *Conn) Local() uint64 { return c.serial }

// Dialer reports whether this end dialed the connection.
func (c *Conn) Dialer() bool { return c.dialer }

// Open reports whether the connection is established and not yet closed,
// reset or broken.
func (c *Conn) Open() bool { return c.state == stateOpen }

// Err returns why the connection ended: nil while it lives or after an
// orderly close, ErrReset or ErrBroken otherwise.
func (c *Conn) Err() error { return c.err }

// Pending returns how many messages were written and not yet acknowledged
// by the peer, counting the SYN until the handshake completes and the FIN
// once Close was called.
func (c *Conn) Pending() int { return int(c.sndEnd - c.sndUna) }

// RTO returns the connection's current retransmission timeout.
func (c *Conn) RTO() time.Duration { return c.rto.Timeout() }

// SRTT returns the connection's smoothed round-trip time, 0 before any
// measurement.
func (c *Conn) SRTT() time.Duration { return c.rto.SRTT() }

// Write queues msg for delivery to the peer, in order, exactly once. It
// returns ErrClosed once the connection is closing or gone. msg must not be
// modified afterwards.
func (c *Conn) Write(ctx *sim.Context, msg any) error {
	if c.closing || c.state >= stateTimeWait {
		return ErrClosed
	}
	c.queue.push(entry{flags: FlagData, payload: msg})
	c.sndEnd++
	c.push(ctx)
	c.arm(ctx)
	return nil
}

// Close closes the connection in order: the messages already written are
// delivered first, then the peer learns of the close and, once it has
// delivered what it had written in turn, closes too, and Closed reports nil
// on both sides. Close is mutual: a peer's close closes this side as soon as
// its own queued messages are sent. Closing twice does nothing.
func (c *Conn) Close(ctx *sim.Context) {
	if c.closing || c.state >= stateTimeWait {
		return
	}
	c.closing = true
	c.finOff = c.sndEnd
	c.queue.push(entry{flags: FlagFIN})
	c.sndEnd++
	c.push(ctx)
	c.arm(ctx)
}

// push sends queued entries while the window allows.
func (c *Conn) push(ctx *sim.Context) {
	if c.state != stateOpen {
		return
	}
	for c.queue.len() > 0 && c.windowOpen() {
		c.ring[c.sndNxt%uint64(len(c.ring))] = c.queue.pop()
		c.transmit(ctx, c.sndNxt, false)
		c.sndNxt++
	}
}

// windowOpen reports whether one more entry may be in flight.
func (c *Conn) windowOpen() bool {
	if c.ep.cfg.Variant == WindowOverrun {
		return c.sndNxt-c.sndUna <= uint64(c.wnd) // the bug: one past the buffer
	}
	return c.sndNxt-c.sndUna < uint64(c.wnd)
}

// transmit sends the entry at offset off, for the first time or again.
func (c *Conn) transmit(ctx *sim.Context, off uint64, retx bool) {
	e := &c.ring[off%uint64(len(c.ring))]
	seg := &Segment{Flags: e.flags, Conn: c.key.num, DialerInc: c.key.dialerInc,
		SrcInc: c.ep.inc, DstInc: c.peerInc, Seq: c.iss + uint32(off), Payload: e.payload}
	c.stamp(seg)
	if e.flags&FlagSYN != 0 {
		seg.Window = uint16(c.ep.cfg.Window)
	}
	now := ctx.Now()
	e.lastAt = now
	if retx {
		seg.Retx = e.sends
		if e.sends < 255 {
			e.sends++
		}
		c.ep.stats.Retransmits++
	} else {
		e.sends, e.sentAt = 1, now
		if e.flags&FlagData != 0 {
			c.ep.stats.Sent++
		}
	}
	if c.rtoAt == 0 {
		c.rtoAt = now.Add(c.rto.Timeout())
	}
	ctx.Send(c.peer, seg)
}

// stamp sets the dialer flag and, once the peer's ISN is known, the
// acknowledgement, which then need not be sent on its own.
func (c *Conn) stamp(seg *Segment) {
	if c.dialer {
		seg.Flags |= FlagDialer
	}
	if c.state != stateSynSent {
		seg.Flags |= FlagACK
		seg.Ack = c.irs + uint32(c.rcvNxt)
		c.unacked, c.ackAt = 0, 0
		if c.echoOK {
			seg.Flags |= FlagEcho
			seg.Echo, c.echoOK = c.echo, false
		}
	}
}

// sendAck sends a pure acknowledgement (or, with probe, a keepalive probe).
func (c *Conn) sendAck(ctx *sim.Context, probe bool) {
	seg := &Segment{Conn: c.key.num, DialerInc: c.key.dialerInc, SrcInc: c.ep.inc, DstInc: c.peerInc,
		Seq: c.iss + uint32(c.sndNxt)}
	c.stamp(seg)
	if probe {
		seg.Flags |= FlagProbe
	} else {
		c.ep.stats.AcksSent++
	}
	ctx.Send(c.peer, seg)
}

// input handles a segment for this connection (not a RST).
func (c *Conn) input(ctx *sim.Context, seg *Segment) {
	c.lastHeard = ctx.Now()
	if c.probing {
		c.probing, c.timeouts, c.rtoAt = false, 0, 0
	}
	switch c.state {
	case stateSynSent:
		if seg.Flags&(FlagSYN|FlagACK) == FlagSYN|FlagACK && unwrap(c.iss, seg.Ack, 1) == 1 {
			c.established(ctx, seg)
		}
		return
	case stateSynRcvd:
		if seg.Flags&FlagSYN != 0 {
			c.transmit(ctx, 0, true) // the dialer lost our SYN-ACK
			return
		}
	}
	if seg.Flags&FlagEcho != 0 {
		c.onEcho(ctx, seg.Echo)
	}
	if seg.consumes() && seg.Retx == 0 {
		c.echo, c.echoOK = seg.Seq, true
	}
	if seg.Flags&FlagACK != 0 {
		c.onAck(ctx, unwrap(c.iss, seg.Ack, c.sndUna), !seg.consumes())
		if c.state == stateDone {
			return
		}
	}
	if seg.consumes() {
		c.onData(ctx, seg)
	} else if seg.Flags&FlagProbe != 0 {
		c.sendAck(ctx, false)
	}
}

// established completes the dialer's handshake on a valid SYN-ACK.
func (c *Conn) established(ctx *sim.Context, seg *Segment) {
	c.peerInc = seg.SrcInc
	c.irs, c.rcvNxt = seg.Seq, 1
	c.wnd = min(c.ep.cfg.Window, max(1, int(seg.Window)))
	c.state = stateOpen
	if seg.Flags&FlagEcho != 0 {
		c.onEcho(ctx, seg.Echo)
	}
	if seg.Retx == 0 {
		c.echo, c.echoOK = seg.Seq, true
	}
	if len(c.ring) != c.wnd {
		ring := make([]entry, c.wnd)
		ring[0] = c.ring[0] // the SYN, at offset 0, still unacknowledged
		c.ring = ring
	}
	c.opened = true
	c.record(ctx, "open")
	c.ep.h.Open(ctx, c)
	if c.state != stateOpen {
		return
	}
	sent := c.sndNxt
	c.onAck(ctx, 1, false) // acknowledges the SYN and sends what is queued
	if c.state == stateOpen && c.sndNxt == sent {
		c.sendAck(ctx, false)
	}
}

// onAck handles a cumulative acknowledgement up to offset a. pure says the
// segment carried nothing else (a duplicate ACK if it acknowledges nothing
// new).
func (c *Conn) onAck(ctx *sim.Context, a uint64, pure bool) {
	if a > c.sndNxt {
		return // acknowledges what was never sent
	}
	if a <= c.sndUna {
		if a == c.sndUna && pure && c.sndUna < c.sndNxt {
			c.dupAcks++
			if c.dupAcks >= dupAckThreshold {
				c.resendHole(ctx)
			}
		}
		return
	}
	now := ctx.Now()
	// The acknowledged slots are free now; they are overwritten as new
	// entries are sent (the ring holds at most a window of payloads).
	c.sndUna = a
	c.timeouts, c.dupAcks = 0, 0
	if c.closing && a > c.finOff {
		c.finAcked = true
	}
	if c.recovering {
		if a >= c.recover {
			c.recovering = false
		} else {
			c.resendHole(ctx) // a partial acknowledgement: the next hole
		}
	}
	c.rtoAt = 0
	if c.state == stateSynRcvd {
		c.state = stateOpen
		c.opened = true
		c.record(ctx, "open")
		c.ep.h.Open(ctx, c)
		if c.state != stateOpen {
			return
		}
	}
	c.push(ctx)
	if c.sndUna < c.sndNxt && c.rtoAt == 0 {
		c.rtoAt = now.Add(c.rto.Timeout())
	}
	if c.ep.acks != nil && c.state == stateOpen {
		c.ep.acks.Acked(ctx, c)
	}
	c.maybeFinish(ctx)
}

// onEcho times the transmission an acknowledgement names, if it is still
// unacknowledged and was sent once (Karn's rule).
func (c *Conn) onEcho(ctx *sim.Context, echo uint32) {
	off := unwrap(c.iss, echo, c.sndUna)
	if off < c.sndUna || off >= c.sndNxt {
		return
	}
	if e := &c.ring[off%uint64(len(c.ring))]; e.sends == 1 {
		c.rto.Observe(ctx.Now().Sub(e.sentAt))
	}
}

// resendHole retransmits the oldest unacknowledged entry when later ones
// were acknowledged (duplicate or partial acknowledgements) and it has been
// out for longer than a round trip should take (SRTT + 2·RTTVAR): a fast
// retransmission that does not mistake reordering for loss.
func (c *Conn) resendHole(ctx *sim.Context) {
	now := ctx.Now()
	e := &c.ring[c.sndUna%uint64(len(c.ring))]
	wait := c.ep.cfg.InitialRTO
	if c.rto.SRTT() > 0 {
		wait = c.rto.SRTT() + 2*c.rto.RTTVar()
	}
	if now.Sub(e.lastAt) < wait {
		return
	}
	if !c.recovering {
		c.recovering, c.recover = true, c.sndNxt
	}
	c.ep.stats.FastRetransmits++
	c.transmit(ctx, c.sndUna, true)
}

// onData handles a segment that occupies a sequence number: a message, a
// FIN, or a duplicate SYN.
func (c *Conn) onData(ctx *sim.Context, seg *Segment) {
	st := &c.ep.stats
	d := int64(int32(seg.Seq - (c.irs + uint32(c.rcvNxt))))
	w := int64(len(c.rbuf))
	switch {
	case d < 0:
		st.Duplicates++
		if seg.Retx > 0 {
			st.SpuriousRetransmits++
		}
		if c.ep.cfg.Variant == NoDedup && seg.Flags&FlagData != 0 && c.state == stateOpen {
			c.deliver(ctx, seg.Payload) // the bug: no duplicate suppression
		}
		c.sendAck(ctx, false)
	case d >= w:
		st.OutOfWindow++
		c.sendAck(ctx, false)
	case d > 0 && c.ep.cfg.Variant == EarlyAck:
		// The bug: take the out-of-order message as the next one and
		// acknowledge past the gap.
		for i := int64(0); i < d; i++ {
			c.rbuf[(c.rcvNxt+uint64(i))%uint64(w)] = slot{}
		}
		c.rcvNxt += uint64(d)
		c.accept(ctx, seg.Flags, seg.Payload)
		c.drain(ctx)
		c.sendAck(ctx, false)
	case d > 0:
		s := &c.rbuf[(c.rcvNxt+uint64(d))%uint64(w)]
		if s.flags != 0 {
			st.Duplicates++
			if seg.Retx > 0 {
				st.SpuriousRetransmits++
			}
		} else {
			*s = slot{flags: seg.Flags & (FlagData | FlagFIN), payload: seg.Payload}
		}
		c.sendAck(ctx, false) // a duplicate ACK tells the sender of the gap
	default:
		c.accept(ctx, seg.Flags, seg.Payload)
		drained := c.drain(ctx)
		if c.state == stateDone {
			return
		}
		if drained || seg.Flags&FlagFIN != 0 || c.ep.cfg.DelayedAck <= 0 {
			c.sendAck(ctx, false)
			return
		}
		c.unacked++
		if c.unacked >= 2 {
			c.sendAck(ctx, false)
		} else if c.ackAt == 0 {
			c.ackAt = ctx.Now().Add(c.ep.cfg.DelayedAck)
		}
	}
}

// drain accepts the buffered messages that are now in order, and reports
// whether there were any.
func (c *Conn) drain(ctx *sim.Context) bool {
	any := false
	w := uint64(len(c.rbuf))
	for c.state != stateDone {
		s := &c.rbuf[c.rcvNxt%w]
		if s.flags == 0 {
			break
		}
		f, p := s.flags, s.payload
		*s = slot{}
		c.accept(ctx, f, p)
		any = true
	}
	return any
}

// accept takes the in-order message or FIN at rcvNxt.
func (c *Conn) accept(ctx *sim.Context, f Flags, payload any) {
	c.rcvNxt++
	if f&FlagFIN != 0 {
		c.peerFin = true
		c.Close(ctx) // close is mutual
		c.maybeFinish(ctx)
		return
	}
	if c.state == stateOpen && !c.peerFin {
		c.deliver(ctx, payload)
	}
}

func (c *Conn) deliver(ctx *sim.Context, msg any) {
	c.ep.stats.Delivered++
	c.ep.h.Deliver(ctx, c, msg)
}

// maybeFinish completes an orderly close once both FINs are through.
func (c *Conn) maybeFinish(ctx *sim.Context) {
	if c.state != stateOpen || !c.finAcked || !c.peerFin {
		return
	}
	c.state = stateTimeWait
	c.rtoAt, c.ackAt = 0, 0
	c.waitAt = ctx.Now().Add(c.ep.cfg.TimeWait)
	c.record(ctx, "closed")
	c.ep.h.Closed(ctx, c, nil)
}

// onTimer handles the connection's timer: whatever deadlines are due.
func (c *Conn) onTimer(ctx *sim.Context) {
	c.timer = 0
	now := ctx.Now()
	if c.waitAt != 0 && now >= c.waitAt {
		c.retire(ctx)
		return
	}
	if c.ackAt != 0 && now >= c.ackAt {
		c.sendAck(ctx, false)
	}
	if c.rtoAt != 0 && now >= c.rtoAt {
		c.timeout(ctx)
		if c.state == stateDone {
			return
		}
	}
	if ka := c.ep.cfg.KeepAlive; ka > 0 && c.state == stateOpen && !c.probing &&
		c.sndUna == c.sndNxt && now >= c.lastHeard.Add(ka) {
		c.probing = true
		c.sendAck(ctx, true)
		c.rtoAt = now.Add(c.rto.Timeout())
	}
	c.spuriousRetransmit(ctx)
	c.arm(ctx)
}

// timeout handles a retransmission timeout: back off and resend the oldest
// unacknowledged entry (or the keepalive probe), or give up.
func (c *Conn) timeout(ctx *sim.Context) {
	c.rtoAt = 0
	c.timeouts++
	c.ep.stats.Timeouts++
	if c.timeouts > c.ep.cfg.MaxRetries {
		c.ep.stats.Broken++
		c.fail(ctx, ErrBroken, true)
		return
	}
	c.rto.Backoff()
	switch {
	case c.sndUna < c.sndNxt:
		c.recovering, c.recover, c.dupAcks = true, c.sndNxt, 0
		c.transmit(ctx, c.sndUna, true)
	case c.probing:
		c.sendAck(ctx, true)
	}
	if c.rtoAt == 0 && (c.sndUna < c.sndNxt || c.probing) {
		c.rtoAt = ctx.Now().Add(c.rto.Timeout())
	}
}

// arm makes sure the kernel timer fires no later than the earliest deadline.
func (c *Conn) arm(ctx *sim.Context) {
	want := earliest(c.rtoAt, c.ackAt, c.waitAt)
	if ka := c.ep.cfg.KeepAlive; ka > 0 && c.state == stateOpen && !c.probing && c.sndUna == c.sndNxt {
		want = earliest(want, c.lastHeard.Add(ka))
	}
	if want == 0 || (c.timer != 0 && c.timerAt <= want) {
		return
	}
	if c.timer != 0 {
		ctx.CancelTimer(c.timer)
	}
	c.timerAt = want
	c.timer = ctx.SetTimer(want.Sub(ctx.Now()), c)
}

func earliest(ts ...sim.Time) sim.Time {
	var m sim.Time
	for _, t := range ts {
		if t != 0 && (m == 0 || t < m) {
			m = t
		}
	}
	return m
}

// fail ends the connection with err, telling the peer with a RST if rst.
func (c *Conn) fail(ctx *sim.Context, err error, rst bool) {
	if c.state == stateDone {
		return
	}
	lingering := c.state == stateTimeWait
	if rst {
		f := FlagRST
		if c.dialer {
			f |= FlagDialer
		}
		c.ep.stats.ResetsSent++
		ctx.Send(c.peer, &Segment{Flags: f, Conn: c.key.num, DialerInc: c.key.dialerInc,
			SrcInc: c.ep.inc, DstInc: c.peerInc, Seq: c.iss + uint32(c.sndNxt)})
	}
	c.retire(ctx)
	if lingering {
		return // already reported closed
	}
	c.err = err
	if c.dialer || c.opened {
		if err == ErrBroken {
			c.record(ctx, "broken")
		} else {
			c.record(ctx, "reset")
		}
		c.ep.h.Closed(ctx, c, err)
	}
}

// retire forgets the connection.
func (c *Conn) retire(ctx *sim.Context) {
	c.state = stateDone
	if c.timer != 0 {
		ctx.CancelTimer(c.timer)
		c.timer = 0
	}
	delete(c.ep.conns, c.key)
	c.ring, c.rbuf = nil, nil
	c.queue = fifo{}
}

// record records a life-cycle event of the connection, if the endpoint's
// Config.Record asks for it.
func (c *Conn) record(ctx *sim.Context, what string) {
	if c.ep.cfg.Record {
		ctx.Record(ConnEvent{What: what, Conn: c.id, Peer: ctx.NodeName(c.peer)})
	}
}

// fifo is a queue of entries: a growable ring buffer.
type fifo struct {
	buf        []entry
	head, size int
}

func (q *fifo) len() int { return q.size }

func (q *fifo) push(e entry) {
	if q.size == len(q.buf) {
		nb := make([]entry, max(16, 2*len(q.buf)))
		for i := 0; i < q.size; i++ {
			nb[i] = q.buf[(q.head+i)%len(q.buf)]
		}
		q.buf, q.head = nb, 0
	}
	q.buf[(q.head+q.size)%len(q.buf)] = e
	q.size++
}

func (q *fifo) pop() entry {
	e := q.buf[q.head]
	q.buf[q.head] = entry{}
	q.head = (q.head + 1) % len(q.buf)
	q.size--
	return e
}
