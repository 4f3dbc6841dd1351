package paxos

import (
	"strconv"
	"strings"
)

// The messages of Multi-Paxos and its clients. They are sent by pointer and
// never modified after sending (the network may deliver one twice). Each
// has a String method, so traces show contents rather than addresses.

// Prepare is phase 1a: a candidate with ballot B asks every acceptor to
// promise B and to report what it accepted at slots From and above.
type Prepare struct {
	B    Ballot
	From int64
}

// Promise is phase 1b: the acceptor promised B. Entries are what it knows
// at slots From and above, in slot order.
type Promise struct {
	B       Ballot
	Entries []Entry
}

// Entry is what an acceptor reports about one slot in a Promise: the
// proposal it accepted there, or, if Chosen, the value it knows was chosen.
type Entry struct {
	Slot   int64
	B      Ballot // the accepted ballot; unset when Chosen
	Cmd    *Cmd
	Chosen bool
}

// Nack refuses ballot B (of a Prepare, Accept or Heartbeat): the acceptor
// promised the higher ballot Promised.
type Nack struct {
	B, Promised Ballot
}

// Accept is phase 2a: the leader with ballot B asks the acceptors to accept
// Cmd at Slot. Commit tells followers that every slot up to it is chosen.
type Accept struct {
	B      Ballot
	Slot   int64
	Cmd    *Cmd
	Commit int64
}

// Accepted is phase 2b: the acceptor accepted the leader's proposal at Slot
// with ballot B. The leader is the learner that counts them.
type Accepted struct {
	B    Ballot
	Slot int64
}

// Heartbeat tells followers the leader with ballot B is alive and every
// slot up to Commit is chosen.
type Heartbeat struct {
	B      Ballot
	Commit int64
}

// CatchUp asks a replica for the chosen commands of slots From and above.
type CatchUp struct {
	From int64
}

// Chosen answers a CatchUp with chosen commands of consecutive slots from
// From.
type Chosen struct {
	From int64
	Cmds []*Cmd
}

// Request is a client's command, sent to a server. A follower passes it
// on to the leader with Forwarded set.
type Request struct {
	Cmd       *Cmd
	Forwarded bool
}

// Reply answers the Request with sequence number Seq: the value read by a
// get, whether a cas swapped. Leader is the server index of the replier's
// leader, as a hint for the client (-1: unknown).
type Reply struct {
	Seq    int64
	Value  string
	OK     bool
	Leader int
}

// NotLeader tells a client the server cannot serve request Seq; Leader is
// the index of the server it believes leads, or -1.
type NotLeader struct {
	Seq    int64
	Leader int
}

// String formats m for traces.
func (m *Prepare) String() string {
	return "prepare " + m.B.String() + " from " + strconv.FormatInt(m.From, 10)
}

// String formats m for traces.
func (m *Promise) String() string {
	var b strings.Builder
	b.WriteString("promise " + m.B.String())
	for _, e := range m.Entries {
		b.WriteString(" [" + strconv.FormatInt(e.Slot, 10) + " ")
		if e.Chosen {
			b.WriteString("chosen ")
		} else {
			b.WriteString(e.B.String() + " ")
		}
		b.WriteString(e.Cmd.ID + "]")
	}
	return b.String()
}

// String formats m for traces.
func (m *Nack) String() string { return "nack " + m.B.String() + " promised " + m.Promised.String() }

// String formats m for traces.
func (m *Accept) String() string {
	return "accept " + m.B.String() + " slot " + strconv.FormatInt(m.Slot, 10) + " " + m.Cmd.String() +
		" commit " + strconv.FormatInt(m.Commit, 10)
}

// String formats m for traces.
func (m *Accepted) String() string {
	return "accepted " + m.B.String() + " slot " + strconv.FormatInt(m.Slot, 10)
}

// String formats m for traces.
func (m *Heartbeat) String() string {
	return "heartbeat " + m.B.String() + " commit " + strconv.FormatInt(m.Commit, 10)
}

// String formats m for traces.
func (m *CatchUp) String() string { return "catch-up from " + strconv.FormatInt(m.From, 10) }

// String formats m for traces.
func (m *Chosen) String() string {
	ids := make([]string, len(m.Cmds))
	for i, c := range m.Cmds {
		ids[i] = c.ID
	}
	return "chosen from " + strconv.FormatInt(m.From, 10) + ": " + strings.Join(ids, " ")
}

// String formats m for traces.
func (m *Request) String() string {
	if m.Forwarded {
		return "request " + m.Cmd.String() + " (forwarded)"
	}
	return "request " + m.Cmd.String()
}

// String formats m for traces.
func (m *Reply) String() string {
	return "reply " + strconv.FormatInt(m.Seq, 10) + " value " + strconv.Quote(m.Value) +
		" ok " + strconv.FormatBool(m.OK) + " leader " + strconv.Itoa(m.Leader)
}

// String formats m for traces.
func (m *NotLeader) String() string {
	return "not leader " + strconv.FormatInt(m.Seq, 10) + " leader " + strconv.Itoa(m.Leader)
}

// tick is the timer tag of a server's periodic tick.
type tick struct{}
