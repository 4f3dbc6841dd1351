package twopc

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/sim"
)

// Op is one step of a transaction as the protocol carries it: the step
// (a checker.TxnOp) and its position in the transaction, so that a
// participant's reads can be put back in order.
type Op struct {
	Index int
	checker.TxnOp
}

// String formats the step as r(k1) or w(k1,"c1-3").
func (o Op) String() string {
	if o.Kind == checker.TxnRead {
		return "r(" + o.Key + ")"
	}
	return "w(" + o.Key + "," + strconv.Quote(o.Value) + ")"
}

// Read is the value a participant read for the step at Index.
type Read struct {
	Index int
	Value string
}

// Begin asks the coordinator to run transaction Txn. Clients resend it
// until they hear a Result; the coordinator runs each Txn at most once.
type Begin struct {
	Txn string
	Ops []Op
}

// Result tells the client the outcome of Txn and, if it committed, the
// value of each read step, in order.
type Result struct {
	Txn       string
	Committed bool
	Reads     []string
}

// Prepare asks a participant to prepare its part of Txn (phase one): lock
// the keys of Ops, read, make the prepared state durable and vote. It
// lists every participant, for the termination protocol.
type Prepare struct {
	Txn          string
	Ops          []Op
	Participants []sim.NodeID
}

// Vote is a participant's vote on Txn, with the values it read if yes.
type Vote struct {
	Txn   string
	Yes   bool
	Reads []Read
}

// Decision announces the outcome of Txn: from the coordinator, from a
// participant answering an inquiry, or from a three-phase-commit backup
// coordinator.
type Decision struct {
	Txn    string
	Commit bool
}

// Ack tells the coordinator that a participant applied the commit of Txn.
// Aborts are not acknowledged (presumed abort).
type Ack struct{ Txn string }

// Inquire asks the coordinator or another participant for the outcome of
// Txn: the cooperative termination protocol of two-phase commit.
type Inquire struct{ Txn string }

// Uncertain answers an Inquire: the sender voted yes on Txn and does not
// know the outcome either.
type Uncertain struct{ Txn string }

// PreCommit moves a three-phase-commit participant from uncertain to
// committable (phase two of three).
type PreCommit struct{ Txn string }

// PreAck acknowledges a PreCommit.
type PreAck struct{ Txn string }

// StateReq asks a three-phase-commit participant for its state of Txn, in
// termination round Round of the sender.
type StateReq struct {
	Txn   string
	Round int
}

// StateRep answers a StateReq with the sender's State of Txn.
type StateRep struct {
	Txn   string
	Round int
	State State
}

// State is a participant's knowledge of a transaction.
type State uint8

// The states of a transaction at a participant.
const (
	// Unknown: the participant has not voted (or has forgotten).
	Unknown State = iota
	// Prepared: voted yes, holding locks, uncertain of the outcome.
	Prepared
	// PreCommitted: (three-phase commit) told that everyone voted yes.
	PreCommitted
	// Committed: the commit was applied.
	Committed
	// Aborted: the transaction was aborted here.
	Aborted
	// Recovering: (three-phase commit) in doubt after a crash; it may not
	// help decide and waits to be told.
	Recovering
)

var stateNames = [...]string{Unknown: "unknown", Prepared: "prepared", PreCommitted: "precommitted",
	Committed: "committed", Aborted: "aborted", Recovering: "recovering"}

// String returns the state's name, e.g. "prepared".
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", int(s))
}

func opsString(ops []Op) string {
	parts := make([]string, len(ops))
	for i, o := range ops {
		parts[i] = o.String()
	}
	return strings.Join(parts, " ")
}

// String formats the message for traces.
func (m *Begin) String() string { return "begin " + m.Txn + ": " + opsString(m.Ops) }

// String formats the message for traces.
func (m *Result) String() string {
	if !m.Committed {
		return "result " + m.Txn + " aborted"
	}
	return fmt.Sprintf("result %s committed %q", m.Txn, m.Reads)
}

// String formats the message for traces.
func (m *Prepare) String() string {
	return fmt.Sprintf("prepare %s: %s %v", m.Txn, opsString(m.Ops), m.Participants)
}

// String formats the message for traces.
func (m *Vote) String() string {
	if !m.Yes {
		return "vote " + m.Txn + " no"
	}
	return fmt.Sprintf("vote %s yes %v", m.Txn, m.Reads)
}

// String formats the message for traces.
func (m *Decision) String() string {
	if m.Commit {
		return "decision " + m.Txn + " commit"
	}
	return "decision " + m.Txn + " abort"
}

// String formats the message for traces.
func (m *Ack) String() string { return "ack " + m.Txn }

// String formats the message for traces.
func (m *Inquire) String() string { return "inquire " + m.Txn }

// String formats the message for traces.
func (m *Uncertain) String() string { return "uncertain " + m.Txn }

// String formats the message for traces.
func (m *PreCommit) String() string { return "precommit " + m.Txn }

// String formats the message for traces.
func (m *PreAck) String() string { return "preack " + m.Txn }

// String formats the message for traces.
func (m *StateReq) String() string { return fmt.Sprintf("state? %s round %d", m.Txn, m.Round) }

// String formats the message for traces.
func (m *StateRep) String() string {
	return fmt.Sprintf("state %s round %d: %s", m.Txn, m.Round, m.State)
}

// Timer tags, with String methods for traces.
type (
	resendTimer  struct{ txn string } // coordinator: resend prepares or decisions
	voteTimer    struct{ txn string } // coordinator: votes are overdue
	ackTimer     struct{ txn string } // coordinator (3PC): pre-commit acks are overdue
	doubtTimer   struct{ txn string } // participant: the decision is overdue
	windowTimer  struct{ txn string } // participant (3PC): a termination round's window closed
	clientTimer  struct{ seq int }    // client: resend or give up
	nextTxnTimer struct{}             // client: start the next transaction
)

func (t resendTimer) String() string { return "resend " + t.txn }
func (t voteTimer) String() string   { return "vote timeout " + t.txn }
func (t ackTimer) String() string    { return "preack timeout " + t.txn }
func (t doubtTimer) String() string  { return "decision timeout " + t.txn }
func (t windowTimer) String() string { return "termination window " + t.txn }
func (t clientTimer) String() string { return "client retry " + strconv.Itoa(t.seq) }
func (nextTxnTimer) String() string  { return "next transaction" }
