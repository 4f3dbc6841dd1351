package twopclab

import (
	"slices"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols/twopc"
	"github.com/dsimlab/dsim/sim"
)

// Part 1: commit. Read "Part 1" in README.md first.

// phase is where the coordinator is with a transaction.
type phase int

const (
	collecting phase = iota // waiting for the votes
	committed               // decided commit
	aborted                 // decided abort
)

// ctxn is the coordinator's state of one transaction.
type ctxn struct {
	id     string
	client sim.NodeID
	ops    []twopc.Op
	parts  []sim.NodeID // the participants that own its keys, in configuration order
	phase  phase
	yes    map[sim.NodeID]bool // who voted yes
	reads  map[int]string      // step index -> the value read there, from the yes votes
	result []string            // committed: the values of the read steps, in order, for the client
	acked  map[sim.NodeID]bool // committed: who acknowledged the commit
	resend sim.TimerID
	expire sim.TimerID
}

// Coordinator runs the clients' transactions over the participants: it
// asks them to prepare, decides, makes a commit durable before anyone
// hears of it, tells everyone, and resends what is not answered.
type Coordinator struct {
	cfg  twopc.Config
	txns map[string]*ctxn
}

// NewCoordinator returns the coordinator's factory: a fresh Coordinator at
// boot and at every restart.
func NewCoordinator(cfg twopc.Config) sim.Factory {
	return func() sim.Node { return &Coordinator{cfg: cfg, txns: map[string]*ctxn{}} }
}

// Start recovers what the coordinator logged before a crash (recovery.go).
func (c *Coordinator) Start(ctx *sim.Context) { c.recover(ctx) }

// Receive dispatches a message to its handler.
func (c *Coordinator) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	switch m := msg.(type) {
	case *twopc.Begin:
		c.begin(ctx, from, m)
	case *twopc.Vote:
		c.onVote(ctx, from, m)
	case *twopc.Ack:
		c.onAck(ctx, from, m)
	case *twopc.Inquire:
		c.onInquire(ctx, from, m)
	}
}

// Timer resends, or aborts a transaction whose votes are overdue.
func (c *Coordinator) Timer(ctx *sim.Context, tag any) {
	switch tg := tag.(type) {
	case resendTimer:
		if t := c.txns[tg.txn]; t != nil {
			c.resendOf(ctx, t)
		}
	case voteTimer:
		if t := c.txns[tg.txn]; t != nil && t.phase == collecting {
			c.abort(ctx, t)
		}
	}
}

// participants returns the participants that own the keys of ops, in
// configuration order.
func (c *Coordinator) participants(ops []twopc.Op) []sim.NodeID {
	var parts []sim.NodeID
	for _, p := range c.cfg.Participants {
		if slices.ContainsFunc(ops, func(op twopc.Op) bool { return owner(c.cfg, op.Key) == p }) {
			parts = append(parts, p)
		}
	}
	return parts
}

// prepare returns the Prepare of t for participant p: t's steps on p's
// keys, and every participant of t.
func (c *Coordinator) prepare(t *ctxn, p sim.NodeID) *twopc.Prepare {
	m := &twopc.Prepare{Txn: t.id, Participants: t.parts}
	for _, op := range t.ops {
		if owner(c.cfg, op.Key) == p {
			m.Ops = append(m.Ops, op)
		}
	}
	return m
}

// begin starts a client's transaction, once: a client resends its Begin
// until it hears the result.
func (c *Coordinator) begin(ctx *sim.Context, from sim.NodeID, m *twopc.Begin) {
	// TODO(lab): a transaction known already is not started again (tell
	// the client the outcome if it is decided). Otherwise: its state, its
	// begin logged (logBegin: durable before any prepare), the fact
	// twopc.Began{Txn, Participants: their names}, a Prepare to each
	// participant, and two timers: VoteTimeout (voteTimer) and Retry
	// (resendTimer).
	//lab:solution
	if t := c.txns[m.Txn]; t != nil {
		if t.phase != collecting {
			c.reply(ctx, t)
		}
		return
	}
	t := &ctxn{id: m.Txn, client: from, ops: m.Ops, parts: c.participants(m.Ops),
		yes: map[sim.NodeID]bool{}, reads: map[int]string{}, acked: map[sim.NodeID]bool{}}
	c.txns[t.id] = t
	c.logBegin(ctx, t)
	ctx.Record(twopc.Began{Txn: t.id, Participants: names(ctx, t.parts)})
	for _, p := range t.parts {
		ctx.Send(p, c.prepare(t, p))
	}
	t.expire = ctx.SetTimer(c.cfg.VoteTimeout, voteTimer{t.id})
	t.resend = ctx.SetTimer(c.cfg.Retry, resendTimer{t.id})
	//lab:end
}

// onVote counts a participant's vote: a no aborts, the last yes commits.
func (c *Coordinator) onVote(ctx *sim.Context, from sim.NodeID, m *twopc.Vote) {
	// TODO(lab): a vote on a transaction the coordinator does not know is
	// answered abort (presumed abort: it never started, or aborted). A
	// yes on a decided transaction is answered with the decision. While
	// collecting: a no aborts; a yes is noted with its reads, and commits
	// once every participant voted yes.
	//lab:solution
	t := c.txns[m.Txn]
	switch {
	case t == nil:
		ctx.Send(from, &twopc.Decision{Txn: m.Txn})
	case !slices.Contains(t.parts, from):
	case t.phase != collecting:
		if m.Yes {
			ctx.Send(from, &twopc.Decision{Txn: t.id, Commit: t.phase == committed})
		}
	case !m.Yes:
		c.abort(ctx, t)
	default:
		t.yes[from] = true
		for _, r := range m.Reads {
			t.reads[r.Index] = r.Value
		}
		if len(t.yes) == len(t.parts) {
			c.commit(ctx, t)
		}
	}
	//lab:end
}

// commit decides commit: logged (logCommit) before anyone hears of it,
// then told to the participants and the client.
func (c *Coordinator) commit(ctx *sim.Context, t *ctxn) {
	// TODO(lab): the phase, the vote timer stopped, the client's result
	// (the values read by the read steps, in step order; an empty slice
	// if none), logCommit, the fact twopc.Decided{Txn, Commit: true}, a
	// Decision to every participant, the reply to the client. The resend
	// timer goes on until every participant acknowledged.
	//lab:solution
	t.phase = committed
	ctx.CancelTimer(t.expire)
	t.result = []string{}
	for i, op := range t.ops {
		if op.Kind == checker.TxnRead {
			t.result = append(t.result, t.reads[i])
		}
	}
	c.logCommit(ctx, t)
	ctx.Record(twopc.Decided{Txn: t.id, Commit: true})
	for _, p := range t.parts {
		ctx.Send(p, &twopc.Decision{Txn: t.id, Commit: true})
	}
	c.reply(ctx, t)
	//lab:end
}

// abort decides abort. Nothing needs to be logged: a transaction with no
// commit record is aborted (presumed abort).
func (c *Coordinator) abort(ctx *sim.Context, t *ctxn) {
	// TODO(lab): the phase, both timers stopped, logEnd (so that a
	// restart does not abort it again), the fact twopc.Decided{Txn}
	// (Commit false), a Decision to every participant and the reply to
	// the client.
	//lab:solution
	t.phase = aborted
	ctx.CancelTimer(t.expire)
	ctx.CancelTimer(t.resend)
	c.logEnd(ctx, t)
	ctx.Record(twopc.Decided{Txn: t.id})
	for _, p := range t.parts {
		ctx.Send(p, &twopc.Decision{Txn: t.id})
	}
	c.reply(ctx, t)
	//lab:end
}

// reply tells the client the outcome of t.
func (c *Coordinator) reply(ctx *sim.Context, t *ctxn) {
	m := &twopc.Result{Txn: t.id, Committed: t.phase == committed}
	if m.Committed {
		m.Reads = t.result
	}
	ctx.Send(t.client, m)
}

// onAck notes that a participant applied the commit; once all have, the
// transaction is over (logEnd).
func (c *Coordinator) onAck(ctx *sim.Context, from sim.NodeID, m *twopc.Ack) {
	// TODO(lab): only for a committed transaction; when every
	// participant acknowledged, stop resending and logEnd.
	//lab:solution
	t := c.txns[m.Txn]
	if t == nil || t.phase != committed || !slices.Contains(t.parts, from) {
		return
	}
	t.acked[from] = true
	if len(t.acked) == len(t.parts) {
		ctx.CancelTimer(t.resend)
		c.logEnd(ctx, t)
	}
	//lab:end
}

// resendOf resends what t waits for: a Prepare to each participant that
// has not voted, or the commit to each that has not acknowledged it; then
// sets the resend timer again.
func (c *Coordinator) resendOf(ctx *sim.Context, t *ctxn) {
	// TODO(lab): nothing once aborted.
	//lab:solution
	for _, p := range t.parts {
		switch {
		case t.phase == collecting && !t.yes[p]:
			ctx.Send(p, c.prepare(t, p))
		case t.phase == committed && !t.acked[p]:
			ctx.Send(p, &twopc.Decision{Txn: t.id, Commit: true})
		}
	}
	if t.phase != aborted {
		t.resend = ctx.SetTimer(c.cfg.Retry, resendTimer{t.id})
	}
	//lab:end
}

// onInquire answers a participant in doubt: commit if committed, abort if
// aborted or unknown (presumed abort), nothing while the votes are
// collected.
func (c *Coordinator) onInquire(ctx *sim.Context, from sim.NodeID, m *twopc.Inquire) {
	// TODO(lab): as the comment says.
	//lab:solution
	switch t := c.txns[m.Txn]; {
	case t == nil || t.phase == aborted:
		ctx.Send(from, &twopc.Decision{Txn: m.Txn})
	case t.phase == committed:
		ctx.Send(from, &twopc.Decision{Txn: m.Txn, Commit: true})
	}
	//lab:end
}
