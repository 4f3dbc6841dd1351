package raft

import (
	"strconv"
	"strings"
)

// The messages of Raft and its clients. They are sent by pointer and never
// modified after sending (the network may deliver one twice). Each has a
// String method, so traces show contents rather than addresses.

// RequestVote asks for a vote in Term, for a candidate whose log ends with
// an entry of term LastTerm at index LastIndex.
type RequestVote struct {
	Term      int64
	LastIndex int64
	LastTerm  int64
}

// Vote answers a RequestVote: the voter's term, and whether it granted its
// vote (in that term).
type Vote struct {
	Term    int64
	Granted bool
}

// AppendEntries is the leader of Term replicating its log: Entries follow
// the entry at PrevIndex, whose term is PrevTerm, and every entry up to
// Commit is committed. With no entries it is a heartbeat.
type AppendEntries struct {
	Term      int64
	PrevIndex int64
	PrevTerm  int64
	Entries   []*Entry
	Commit    int64
}

// AppendReply answers an AppendEntries of Term. On success the follower's
// log matches the leader's up to Match; otherwise the leader should go on
// from Conflict (the follower's log is too short there, or holds an entry
// of another term at the previous index).
type AppendReply struct {
	Term     int64
	Success  bool
	Match    int64
	Conflict int64
}

// InstallSnapshot is the leader of Term sending a follower its snapshot,
// which covers the entries up to Index (whose term is LastTerm), because
// it no longer has the entries the follower lacks.
type InstallSnapshot struct {
	Term     int64
	Index    int64
	LastTerm int64
	State    []byte // the state machine, as Machine.encode writes it
}

// SnapshotReply tells the leader of Term that the follower's log now
// matches its own up to Index.
type SnapshotReply struct {
	Term  int64
	Index int64
}

// Request is a client's command, sent to a server. A follower passes it
// on to the leader it knows with Forwarded set.
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

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

// String formats m for traces.
func (m *RequestVote) String() string {
	return "request vote term " + itoa(m.Term) + " last " + itoa(m.LastIndex) + "/" + itoa(m.LastTerm)
}

// String formats m for traces.
func (m *Vote) String() string {
	if m.Granted {
		return "vote granted term " + itoa(m.Term)
	}
	return "vote refused term " + itoa(m.Term)
}

// String formats m for traces.
func (m *AppendEntries) String() string {
	var b strings.Builder
	b.WriteString("append term " + itoa(m.Term) + " prev " + itoa(m.PrevIndex) + "/" + itoa(m.PrevTerm) +
		" commit " + itoa(m.Commit))
	for _, e := range m.Entries {
		b.WriteString(" " + e.String())
	}
	return b.String()
}

// String formats m for traces.
func (m *AppendReply) String() string {
	if m.Success {
		return "append ok term " + itoa(m.Term) + " match " + itoa(m.Match)
	}
	return "append refused term " + itoa(m.Term) + " conflict " + itoa(m.Conflict)
}

// String formats m for traces.
func (m *InstallSnapshot) String() string {
	return "snapshot term " + itoa(m.Term) + " up to " + itoa(m.Index) + "/" + itoa(m.LastTerm) +
		" (" + strconv.Itoa(len(m.State)) + " bytes)"
}

// String formats m for traces.
func (m *SnapshotReply) String() string {
	return "snapshot ok term " + itoa(m.Term) + " index " + itoa(m.Index)
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
	return "reply " + itoa(m.Seq) + " value " + strconv.Quote(m.Value) +
		" ok " + strconv.FormatBool(m.OK) + " leader " + strconv.Itoa(m.Leader)
}

// String formats m for traces.
func (m *NotLeader) String() string {
	return "not leader " + itoa(m.Seq) + " leader " + strconv.Itoa(m.Leader)
}

// Timer tags of a server: the election timeout, and the heartbeat of a
// leader (or a candidate) in a term.
type (
	electionTimeout struct{}
	heartbeatTick   struct{ term int64 }
)
