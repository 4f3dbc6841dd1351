package transport

import (
	"fmt"
	"strings"

	"github.com/dsimlab/dsim/sim"
)

// Flags say what a Segment carries.
type Flags uint8

// The segment flags.
const (
	FlagSYN    Flags = 1 << iota // opens a connection; occupies one sequence number
	FlagACK                      // Ack is valid
	FlagData                     // carries a message (possibly nil); occupies one sequence number
	FlagFIN                      // the sender has written its last message; occupies one sequence number
	FlagRST                      // the connection is unknown to the sender: reset it
	FlagProbe                    // keepalive probe: carries nothing, asks for an ACK
	FlagDialer                   // sent by the side that dialed the connection
	FlagEcho                     // Echo is valid
)

var flagNames = [...]string{"SYN", "ACK", "DATA", "FIN", "RST", "PROBE", "D", "ECHO"}

// String lists the flags, e.g. "SYN|ACK".
func (f Flags) String() string {
	var parts []string
	for i, name := range flagNames {
		if f&(1<<i) != 0 {
			parts = append(parts, name)
		}
	}
	if len(parts) == 0 {
		return "-"
	}
	return strings.Join(parts, "|")
}

// Segment is what the transport puts on the wire. A connection is named by
// its dialer, the dialer's incarnation when it dialed and a number the dialer
// chose (unique within that incarnation); the sender of a segment is the
// message's source, so only whether it is the dialer (FlagDialer) travels.
//
// Sequence numbers count messages, not bytes: the SYN takes the initial
// sequence number (ISN, drawn from the sender's random stream), each message
// the next one, and the FIN one more. They are 32 bits and wrap, compared in
// serial-number arithmetic. Segments are immutable once sent: a
// retransmission is a new Segment.
//
// Echo plays the part of TCP's timestamp echo: an acknowledgement names the
// segment that prompted it, if that was a first transmission (Retx 0), so
// the sender can time exactly that transmission. Karn's rule holds: nothing
// retransmitted is ever timed, and cumulative acknowledgements, which may
// have waited for a retransmission to fill a gap, are not timed at all.
type Segment struct {
	Flags     Flags
	Conn      uint32 // connection number, chosen by the dialer
	DialerInc uint32 // the dialer's incarnation when it dialed
	SrcInc    uint32 // the sender's incarnation
	DstInc    uint32 // the receiver's incarnation as the sender knows it; 0 in a first SYN
	Seq       uint32 // sequence number of the SYN, message or FIN carried
	Ack       uint32 // with FlagACK: the next sequence number the sender expects
	Echo      uint32 // with FlagEcho: the sequence number of the first copy whose arrival this answers
	Window    uint16 // in a SYN: the sender's receive window, in messages
	Retx      uint8  // 0 for a first transmission, n for the n-th retransmission (saturating)
	Payload   any    // the message, for a data segment
}

// String formats the segment for traces, e.g.
// "DATA|ACK|D conn=2@1 seq=17 ack=40 inc=1>3 msg=...".
func (s *Segment) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s conn=%d@%d seq=%d", s.Flags, s.Conn, s.DialerInc, s.Seq)
	if s.Flags&FlagACK != 0 {
		fmt.Fprintf(&b, " ack=%d", s.Ack)
	}
	fmt.Fprintf(&b, " inc=%d>%d", s.SrcInc, s.DstInc)
	if s.Window != 0 {
		fmt.Fprintf(&b, " win=%d", s.Window)
	}
	if s.Retx != 0 {
		fmt.Fprintf(&b, " retx=%d", s.Retx)
	}
	if s.Payload != nil {
		fmt.Fprintf(&b, " msg=%s", sim.Describe(s.Payload))
	}
	return b.String()
}

// consumes reports whether the segment occupies a sequence number.
func (s *Segment) consumes() bool { return s.Flags&(FlagSYN|FlagData|FlagFIN) != 0 }

// unwrap converts a 32-bit wire sequence number into a 64-bit offset from
// the initial sequence number base, using ref (an offset near the expected
// one) to resolve the wrap: the result is the offset nearest ref whose low 32
// bits match. Offsets below zero come out as huge values and fail every
// window test.
func unwrap(base uint32, wire uint32, ref uint64) uint64 {
	d := int32(wire - (base + uint32(ref)))
	return uint64(int64(ref) + int64(d))
}
