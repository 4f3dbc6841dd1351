package twopc

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/sim"
)

// Durable keys of the coordinator.
const (
	keyBegun  = "txn/"    // txn/T: T was started (its client and participants); synced before any prepare
	keyCommit = "commit/" // commit/T: T committed (the reads for its client); synced before the decision is sent
	keyPre    = "pre/"    // pre/T: (3PC) T was pre-committed; synced before any pre-commit is sent
	keyEnd    = "end/"    // end/T: T aborted, or every participant acknowledged its commit; not synced
)

type begunRecord struct {
	Client sim.NodeID   `json:"client"`
	Parts  []sim.NodeID `json:"parts"`
}

type commitRecord struct {
	Reads []string `json:"reads"`
}

// phase is where the coordinator is with one transaction.
type phase uint8

const (
	collecting    phase = iota // waiting for votes
	precommitting              // (3PC) waiting for pre-commit acks
	committed                  // decided commit
	aborted                    // decided abort
	inDoubt                    // (3PC) recovered after pre-committing: the participants decide
)

// ctxn is the coordinator's state of one transaction.
type ctxn struct {
	id     string
	client sim.NodeID
	ops    []Op
	parts  []sim.NodeID
	phase  phase
	votes  []int8   // per participant: 0 none, 1 yes, -1 no
	acks   []bool   // per participant: acknowledged the commit (or, 3PC, the pre-commit)
	reads  []string // per step: the value read, from the votes
	result []string // the values of the read steps, for the client, once committed
	resend sim.TimerID
	expire sim.TimerID
}

// Coordinator runs transactions for clients: it asks their participants to
// prepare, decides, logs its decision durably (commits only: presumed
// abort) before announcing it, and resends decisions until every
// participant has acknowledged a commit. After a crash it re-sends the
// commits it logged and aborts every transaction it had started but not
// decided. It knows each transaction it ever started (txn/ records), so a
// client's resent request never runs a transaction twice.
type Coordinator struct {
	cfg  *Config
	txns map[string]*ctxn
}

// NewCoordinator returns the coordinator's sim.Factory.
func NewCoordinator(cfg Config) sim.Factory {
	c := cfg
	return func() sim.Node { return &Coordinator{cfg: &c, txns: map[string]*ctxn{}} }
}

// Start recovers from the log: commits are re-sent, undecided
// transactions aborted (two-phase commit) or, if they were pre-committed,
// left to the participants' termination protocol (three-phase commit).
func (c *Coordinator) Start(ctx *sim.Context) {
	st := ctx.Storage()
	for _, key := range st.Keys(keyBegun) {
		id := strings.TrimPrefix(key, keyBegun)
		raw, _ := st.Get(key)
		var rec begunRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			panic(fmt.Sprintf("twopc: coordinator log %s: %v", key, err))
		}
		t := &ctxn{id: id, client: rec.Client, parts: rec.Parts,
			votes: make([]int8, len(rec.Parts)), acks: make([]bool, len(rec.Parts))}
		c.txns[id] = t
		raw, isCommit := st.Get(keyCommit + id)
		_, ended := st.Get(keyEnd + id)
		preRaw, pre := st.Get(keyPre + id)
		switch {
		case isCommit:
			var cr commitRecord
			if err := json.Unmarshal(raw, &cr); err != nil {
				panic(fmt.Sprintf("twopc: coordinator log %s%s: %v", keyCommit, id, err))
			}
			t.phase, t.result = committed, cr.Reads
			if ended {
				continue
			}
			ctx.Record(CoordinatorRecovered{Txn: id, Commit: true})
			c.broadcast(ctx, t, &Decision{Txn: id, Commit: true})
			c.reply(ctx, t)
			t.resend = ctx.SetTimer(c.cfg.Retry, resendTimer{id})
		case ended:
			t.phase = aborted
		case pre && c.cfg.ThreePhase:
			var cr commitRecord
			if err := json.Unmarshal(preRaw, &cr); err != nil {
				panic(fmt.Sprintf("twopc: coordinator log %s%s: %v", keyPre, id, err))
			}
			t.phase, t.result = inDoubt, cr.Reads
			ctx.Record(CoordinatorRecovered{Txn: id})
		default:
			c.abort(ctx, t)
		}
	}
}

// Receive handles client requests and participants' messages.
func (c *Coordinator) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	switch m := msg.(type) {
	case *Begin:
		c.begin(ctx, from, m)
	case *Vote:
		c.vote(ctx, from, m)
	case *Ack:
		if t := c.txns[m.Txn]; t != nil && t.phase == committed {
			c.acked(ctx, t, from)
		}
	case *PreAck:
		if t := c.txns[m.Txn]; t != nil && t.phase == precommitting {
			c.preAcked(ctx, t, from)
		}
	case *Inquire:
		c.inquire(ctx, from, m)
	case *Decision:
		// A three-phase-commit backup coordinator tells the coordinator
		// what the participants decided, so it can answer the client.
		if t := c.txns[m.Txn]; t != nil && t.phase == inDoubt {
			if m.Commit {
				t.phase = committed
			} else {
				t.phase = aborted
			}
			c.reply(ctx, t)
		}
	}
}

// Timer resends, or acts on an expired deadline.
func (c *Coordinator) Timer(ctx *sim.Context, tag any) {
	switch tg := tag.(type) {
	case resendTimer:
		t := c.txns[tg.txn]
		if t == nil {
			return
		}
		t.resend = 0
		switch t.phase {
		case collecting:
			for i, p := range t.parts {
				if t.votes[i] == 0 {
					ctx.Send(p, c.prepare(t, p))
				}
			}
		case precommitting:
			for i, p := range t.parts {
				if !t.acks[i] {
					ctx.Send(p, &PreCommit{Txn: t.id})
				}
			}
		case committed:
			for i, p := range t.parts {
				if !t.acks[i] {
					ctx.Send(p, &Decision{Txn: t.id, Commit: true})
				}
			}
		default:
			return
		}
		t.resend = ctx.SetTimer(c.cfg.Retry, resendTimer{t.id})
	case voteTimer:
		if t := c.txns[tg.txn]; t != nil && t.phase == collecting {
			c.abort(ctx, t)
		}
	case ackTimer:
		// Three-phase commit: everyone voted yes, so a participant that
		// did not acknowledge the pre-commit is presumed crashed, and the
		// coordinator commits (the classic protocol; unsafe if it was
		// partitioned away instead).
		if t := c.txns[tg.txn]; t != nil && t.phase == precommitting {
			c.commit(ctx, t)
		}
	}
}

func (c *Coordinator) begin(ctx *sim.Context, from sim.NodeID, m *Begin) {
	if t := c.txns[m.Txn]; t != nil {
		if t.phase == committed || t.phase == aborted {
			c.reply(ctx, t)
		}
		return
	}
	t := &ctxn{id: m.Txn, client: from, ops: m.Ops, reads: make([]string, len(m.Ops))}
	n := len(c.cfg.Participants)
	seen := make([]bool, n)
	for _, op := range m.Ops {
		seen[Owner(op.Key, n)] = true
	}
	names := make([]string, 0, n)
	for i, p := range c.cfg.Participants {
		if seen[i] {
			t.parts = append(t.parts, p)
			names = append(names, ctx.NodeName(p))
		}
	}
	t.votes = make([]int8, len(t.parts))
	t.acks = make([]bool, len(t.parts))
	c.txns[m.Txn] = t
	rec, _ := json.Marshal(begunRecord{Client: from, Parts: t.parts})
	st := ctx.Storage()
	st.Put(keyBegun+m.Txn, rec)
	st.Sync()
	ctx.Record(Began{Txn: m.Txn, Participants: names})
	for _, p := range t.parts {
		ctx.Send(p, c.prepare(t, p))
	}
	t.expire = ctx.SetTimer(c.cfg.VoteTimeout, voteTimer{m.Txn})
	t.resend = ctx.SetTimer(c.cfg.Retry, resendTimer{m.Txn})
}

// prepare builds the Prepare for participant p: its steps of t.
func (c *Coordinator) prepare(t *ctxn, p sim.NodeID) *Prepare {
	n := len(c.cfg.Participants)
	m := &Prepare{Txn: t.id, Participants: t.parts}
	for _, op := range t.ops {
		if c.cfg.Participants[Owner(op.Key, n)] == p {
			m.Ops = append(m.Ops, op)
		}
	}
	return m
}

func (c *Coordinator) index(t *ctxn, p sim.NodeID) int {
	for i, q := range t.parts {
		if q == p {
			return i
		}
	}
	return -1
}

func (c *Coordinator) vote(ctx *sim.Context, from sim.NodeID, m *Vote) {
	t := c.txns[m.Txn]
	if t == nil {
		// Presumed abort: a transaction the coordinator does not know was
		// never started, or aborted.
		ctx.Send(from, &Decision{Txn: m.Txn})
		return
	}
	i := c.index(t, from)
	if i < 0 {
		return
	}
	switch t.phase {
	case committed, aborted:
		// A late or repeated vote: tell the voter the outcome.
		if m.Yes {
			ctx.Send(from, &Decision{Txn: t.id, Commit: t.phase == committed})
		}
		return
	case collecting:
	default:
		return
	}
	if !m.Yes {
		t.votes[i] = -1
		c.abort(ctx, t)
		return
	}
	if t.votes[i] == 0 {
		t.votes[i] = 1
		for _, r := range m.Reads {
			if r.Index >= 0 && r.Index < len(t.reads) {
				t.reads[r.Index] = r.Value
			}
		}
	}
	yes := 0
	for _, v := range t.votes {
		if v == 1 {
			yes++
		}
	}
	need := len(t.parts)
	if c.cfg.is(EarlyCommit) {
		need = max(1, need-1)
	}
	if yes < need {
		return
	}
	if c.cfg.ThreePhase {
		c.precommit(ctx, t)
		return
	}
	c.commit(ctx, t)
}

// precommit starts the second phase of three-phase commit.
func (c *Coordinator) precommit(ctx *sim.Context, t *ctxn) {
	t.phase = precommitting
	ctx.CancelTimer(t.expire)
	t.result = t.clientReads()
	rec, _ := json.Marshal(commitRecord{Reads: t.result})
	st := ctx.Storage()
	st.Put(keyPre+t.id, rec)
	st.Sync()
	ctx.Record(PreCommitStarted{Txn: t.id})
	clear(t.acks)
	for _, p := range t.parts {
		ctx.Send(p, &PreCommit{Txn: t.id})
	}
	t.expire = ctx.SetTimer(c.cfg.AckTimeout, ackTimer{t.id})
}

func (c *Coordinator) preAcked(ctx *sim.Context, t *ctxn, from sim.NodeID) {
	if i := c.index(t, from); i >= 0 {
		t.acks[i] = true
	}
	for _, a := range t.acks {
		if !a {
			return
		}
	}
	c.commit(ctx, t)
}

// clientReads returns the values of t's read steps, in order.
func (t *ctxn) clientReads() []string {
	reads := []string{}
	for i, op := range t.ops {
		if op.Kind == checker.TxnRead {
			reads = append(reads, t.reads[i])
		}
	}
	return reads
}

// commit logs the commit, then announces it (the order the
// announce-before-log variant gets wrong).
func (c *Coordinator) commit(ctx *sim.Context, t *ctxn) {
	t.phase = committed
	ctx.CancelTimer(t.expire)
	clear(t.acks)
	t.result = t.clientReads()
	rec, _ := json.Marshal(commitRecord{Reads: t.result})
	st := ctx.Storage()
	st.Put(keyCommit+t.id, rec)
	if !c.cfg.is(AnnounceBeforeLog) {
		st.Sync()
	}
	ctx.Record(Decided{Txn: t.id, Commit: true})
	c.broadcast(ctx, t, &Decision{Txn: t.id, Commit: true})
	c.reply(ctx, t)
	if t.resend == 0 {
		t.resend = ctx.SetTimer(c.cfg.Retry, resendTimer{t.id})
	}
}

// abort decides abort. Nothing is logged: with presumed abort, no record
// means abort.
func (c *Coordinator) abort(ctx *sim.Context, t *ctxn) {
	t.phase = aborted
	ctx.CancelTimer(t.expire)
	ctx.CancelTimer(t.resend)
	t.resend = 0
	ctx.Storage().Put(keyEnd+t.id, nil)
	ctx.Record(Decided{Txn: t.id})
	if !ctx.Maybe(fpSilentAbort) {
		c.broadcast(ctx, t, &Decision{Txn: t.id})
	}
	c.reply(ctx, t)
}

func (c *Coordinator) broadcast(ctx *sim.Context, t *ctxn, m any) {
	for _, p := range t.parts {
		ctx.Send(p, m)
	}
}

func (c *Coordinator) acked(ctx *sim.Context, t *ctxn, from sim.NodeID) {
	if i := c.index(t, from); i >= 0 {
		t.acks[i] = true
	}
	for _, a := range t.acks {
		if !a {
			return
		}
	}
	ctx.CancelTimer(t.resend)
	t.resend = 0
	st := ctx.Storage()
	if c.cfg.is(AnnounceBeforeLog) {
		st.Sync()
	}
	st.Put(keyEnd+t.id, nil)
}

// reply tells the client the outcome. A recovered coordinator no longer
// knows the reads of a transaction it aborted, and needs none.
func (c *Coordinator) reply(ctx *sim.Context, t *ctxn) {
	m := &Result{Txn: t.id, Committed: t.phase == committed}
	if m.Committed {
		m.Reads = t.result
	}
	ctx.Send(t.client, m)
}

// inquire answers a participant that asks for the outcome: commit if the
// commit is logged, abort if the transaction is unknown or aborted
// (presumed abort), nothing while votes are still being collected.
func (c *Coordinator) inquire(ctx *sim.Context, from sim.NodeID, m *Inquire) {
	t := c.txns[m.Txn]
	switch {
	case t == nil:
		ctx.Send(from, &Decision{Txn: m.Txn})
	case t.phase == committed:
		ctx.Send(from, &Decision{Txn: m.Txn, Commit: true})
	case t.phase == aborted:
		ctx.Send(from, &Decision{Txn: m.Txn})
	}
}
