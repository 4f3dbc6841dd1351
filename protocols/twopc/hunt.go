package twopc

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// This file is what a commit protocol's run adds for bug hunts.
//
// Queries after the fact (Workload.Queries): a wrong state that nothing
// looks at is never found, so the instance, like a workload driver, has
// clients ask the coordinator again about transactions that returned (a
// resent Begin, which the coordinator answers from what it knows) and
// participants ask again about transactions they applied (an Inquire);
// whoever is told an outcome records it (Told). And a node that restarts
// says what its disk told it of each transaction it knows decided
// (Recovered): what a node recorded as decided before a crash is what it
// says after. The atomicity check reads both like any decision, so a
// recovered coordinator that misreads its log is caught even if nobody
// asks, and one that answers wrongly is caught when somebody does.
//
// Online checks (Env.Online): atomicity's agreement is checked as each
// decision is recorded, and the run stops at the first that disagrees.

// Told is what a node records, with queries on, when another node tells it
// the outcome of a transaction: the coordinator answering a client's or a
// participant's question, or a participant answering another's. By names
// the node that told.
type Told struct {
	Txn    string
	Commit bool
	By     string
}

// String describes the fact, e.g. "told t1 commit by coord".
func (f Told) String() string { return "told " + f.Txn + " " + outcome(f.Commit) + " by " + f.By }

// Recovered is what a node says, with queries on, when it restarts: its
// disk told it that Txn was decided, and how.
type Recovered struct {
	Txn    string
	Commit bool
}

// String describes the fact, e.g. "recovered t1 commit".
func (f Recovered) String() string { return "recovered " + f.Txn + " " + outcome(f.Commit) }

// The fault points of a commit protocol's nodes (sim.Context.Maybe): rare
// but legal paths that a run with fault points takes now and then.
const (
	// fpSilentAbort: the coordinator decides abort and tells nobody but
	// the client (presumed abort allows it), so participants that voted
	// yes must ask.
	fpSilentAbort = "twopc/silent-abort"
	// fpEarlyInquiry: a two-phase commit participant's decision timeout
	// fires early, so it runs the termination protocol while the
	// coordinator may still be collecting votes.
	fpEarlyInquiry = "twopc/early-inquiry"
)

// doubtAfter is how long a participant that voted yes waits for the
// decision before it asks: the decision timeout, or, where the fault point
// fires (two-phase commit only: three-phase commit's timeouts must exceed
// the coordinator's), a tenth of it.
func (p *Participant) doubtAfter(ctx *sim.Context) time.Duration {
	if !p.cfg.ThreePhase && ctx.Maybe(fpEarlyInquiry) {
		return p.cfg.DecisionTimeout / 10
	}
	return p.cfg.DecisionTimeout
}

// queryDelay bounds how long after a transaction finished its question
// comes: uniform in [1ms, queryDelay).
const queryDelay = 300 * time.Millisecond

// told records, with queries on, that from told this participant the
// outcome m of a transaction it has decided itself.
func (p *Participant) told(ctx *sim.Context, from sim.NodeID, m *Decision) {
	if !p.cfg.Queries {
		return
	}
	if t := p.txns[m.Txn]; t != nil && (t.state == Committed || t.state == Aborted) {
		ctx.Record(Told{Txn: m.Txn, Commit: m.Commit, By: ctx.NodeName(from)})
	}
}

// told records, with queries on, the coordinator's answer about a
// transaction other than the one this client is running.
func (c *Client) told(ctx *sim.Context, from sim.NodeID, m *Result) {
	if c.cfg.Queries {
		ctx.Record(Told{Txn: m.Txn, Commit: m.Committed, By: ctx.NodeName(from)})
	}
}

// hunt watches the run for queries and recoveries, with queries on.
func (in *instance) hunt(e *sim.Event) {
	if !in.cfg.Queries {
		return
	}
	switch e.Kind {
	case sim.KindReturn:
		if _, ok := e.Msg.(checker.TxnOutput); ok {
			in.askAgain(e)
		}
	case sim.KindRecord:
		if f, ok := e.Msg.(Applied); ok {
			id := e.Node
			in.later(func(w *sim.World) { w.Context(id).Send(in.cfg.Coordinator, &Inquire{Txn: f.Txn}) }, id)
		}
	case sim.KindRestart:
		id := e.Node
		in.world.At(e.Time, func(w *sim.World) { in.recovered(w, id) })
	}
}

// askAgain has the client whose transaction returned ask the coordinator
// about it again, later: it resends its Begin, which the coordinator
// answers with what it knows.
func (in *instance) askAgain(e *sim.Event) {
	op := in.world.History()[e.Op-1]
	inp, ok := op.Input.(checker.TxnInput)
	if !ok {
		return
	}
	b := &Begin{Txn: inp.ID, Ops: make([]Op, len(inp.Ops))}
	for i, s := range inp.Ops {
		b.Ops[i] = Op{Index: i, TxnOp: s}
	}
	client := e.Node
	in.later(func(w *sim.World) { w.Context(client).Send(in.cfg.Coordinator, b) }, client)
}

// later runs ask as node id, after a random delay, if id is up then.
func (in *instance) later(ask func(*sim.World), id sim.NodeID) {
	d := time.Millisecond + time.Duration(in.queries.Int64N(int64(queryDelay-time.Millisecond)))
	in.world.After(d, func(w *sim.World) {
		if w.Up(id) && !w.Paused(id) {
			ask(w)
		}
	})
}

// recovered has node id, just restarted, say what its disk told it of
// every transaction it knows decided, in order of their ids.
func (in *instance) recovered(w *sim.World, id sim.NodeID) {
	var decided map[string]bool
	switch n := w.Node(id).(type) {
	case *Coordinator:
		decided = map[string]bool{}
		for txn, t := range n.txns {
			if t.phase == committed || t.phase == aborted {
				decided[txn] = t.phase == committed
			}
		}
	case *Participant:
		decided = map[string]bool{}
		for txn, t := range n.txns {
			if t.state == Committed || t.state == Aborted {
				decided[txn] = t.state == Committed
			}
		}
	}
	for _, txn := range slices.Sorted(maps.Keys(decided)) {
		w.Context(id).Record(Recovered{Txn: txn, Commit: decided[txn]})
	}
}

// huntEvent converts the facts of queries into the atomicity check's
// events: what the coordinator says is a decision, what a participant says
// is what it applied.
func (in *instance) huntEvent(e *sim.Event, ev *checker.TxnEvent) bool {
	by, commit := "", false
	switch f := e.Msg.(type) {
	case Told:
		ev.Txn, by, commit = f.Txn, f.By, f.Commit
	case Recovered:
		ev.Txn, by, commit = f.Txn, in.name(e.Node), f.Commit
	default:
		return false
	}
	ev.Node, ev.Commit, ev.Kind = by, commit, checker.TxnApply
	if by == in.name(in.cfg.Coordinator) {
		ev.Kind = checker.TxnDecide
	}
	return true
}

// online checks atomicity as each event is recorded: the first outcome of
// each transaction is the only one, a commit comes only when every
// participant's latest vote is yes, and never without the prepared state.
func (in *instance) online(e *sim.Event, ev checker.TxnEvent) {
	if !in.mon.On() {
		return
	}
	t := in.outcome[ev.Txn]
	if t == nil {
		t = &txnWatch{votes: map[string]bool{}}
		in.outcome[ev.Txn] = t
	}
	switch ev.Kind {
	case checker.TxnBegin:
		t.parts = ev.Participants
	case checker.TxnVote:
		t.votes[ev.Node] = ev.Commit
	case checker.TxnDecide, checker.TxnApply:
		if msg := t.decide(ev); msg != "" {
			in.mon.Violate(checker.AtomicityCheck, e.Seq, ev.Txn+": "+msg)
		}
	}
}

// txnWatch is what the online atomicity check knows of a transaction.
type txnWatch struct {
	parts   []string
	votes   map[string]bool // each participant's latest vote
	decided bool
	commit  bool
	by      string
}

// decide takes a decision or an application, and says what is wrong
// with it, if anything.
func (t *txnWatch) decide(ev checker.TxnEvent) string {
	if ev.Unprepared {
		return ev.Node + " applied commit without its prepared state"
	}
	if t.decided && t.commit != ev.Commit {
		return fmt.Sprintf("%s said %s, %s said %s", t.by, outcome(t.commit), ev.Node, outcome(ev.Commit))
	}
	if ev.Commit && !t.decided {
		for _, p := range t.parts {
			if yes, voted := t.votes[p]; !voted || !yes {
				return fmt.Sprintf("%s committed before %s voted yes", ev.Node, p)
			}
		}
	}
	if !t.decided {
		t.decided, t.commit, t.by = true, ev.Commit, ev.Node
	}
	return ""
}

// FirstViolation returns the first violation the online checks saw (see
// protocols.Online).
func (in *instance) FirstViolation() *protocols.Violation { return in.mon.FirstViolation() }

// Core returns the nodes liveness mode heals: the coordinator and every
// participant (two-phase commit may block without any of them).
func (in *instance) Core() []sim.NodeID { return in.Servers() }

// Progress returns the transactions the clients heard the outcome of, and
// whether any client has transactions left or one running.
func (in *instance) Progress(w *sim.World) (int, bool) {
	done := 0
	for _, op := range w.History() {
		if op.Returned {
			done++
		}
	}
	pending := false
	for _, id := range in.clients {
		c, ok := w.Node(id).(*Client)
		pending = pending || !ok || c.begin != nil || c.seq < c.cfg.Txns
	}
	return done, pending
}

// LivenessBound is how soon after the heal a transaction must return: the
// blocked_after bound plus the decision timeout's rounds.
func (in *instance) LivenessBound() time.Duration {
	return in.blockedAfter + 4*in.cfg.DecisionTimeout
}

// newQueries returns the stream the instance draws query delays from.
func newQueries(w *sim.World) *rand.Rand { return w.Stream("queries") }

// Compile-time checks: a commit protocol's instance takes part in online
// checks and liveness mode.
var (
	_ protocols.Online   = (*instance)(nil)
	_ protocols.Recovery = (*instance)(nil)
)
