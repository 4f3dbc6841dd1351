package twopc

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/sim"
)

// Durable keys of a participant.
const (
	keyKV   = "kv/"   // kv/K: the committed value of key K; synced with the commit record
	keyPrep = "prep/" // prep/T: T is prepared (participants, steps, reads); synced before voting yes
	keyDec  = "dec/"  // dec/T: "c" committed (synced) or "a" aborted (synced only when voting no or aborting before voting)
	keyPreC = "pre/"  // pre/T: (3PC) T is pre-committed; synced before acknowledging
)

type prepRecord struct {
	Parts []sim.NodeID `json:"parts"`
	Ops   []Op         `json:"ops"`
	Reads []Read       `json:"reads"`
}

// ptxn is a participant's state of one transaction.
type ptxn struct {
	id        string
	state     State
	parts     []sim.NodeID
	ops       []Op
	reads     []Read
	timer     sim.TimerID
	recovered bool // in doubt since a restart (3PC: may not act as backup)

	// Termination protocol.
	round   int
	replies map[sim.NodeID]State
	note    string // the last Blocked fact's description, to avoid repeating it
	backup  bool   // (3PC) acting as backup coordinator, collecting pre-commit acks
	preAcks map[sim.NodeID]bool
}

// Participant holds the keys the Owner function gives it. It locks the
// keys of a transaction when asked to prepare (no waiting: a conflict
// means a no vote), reads under the locks, syncs its prepared state and
// votes yes, then holds the locks until it learns the decision. A
// participant that waited DecisionTimeout for the decision asks the
// coordinator and the other participants (cooperative termination); one
// that has not voted answers by aborting. After a crash it reloads its
// committed data, decisions and prepared transactions (locks included)
// from its log and asks for the outcome of the latter.
type Participant struct {
	cfg   *Config
	txns  map[string]*ptxn
	locks map[string]string // key -> transaction holding it
}

// NewParticipant returns a participant's sim.Factory.
func NewParticipant(cfg Config) sim.Factory {
	c := cfg
	return func() sim.Node {
		return &Participant{cfg: &c, txns: map[string]*ptxn{}, locks: map[string]string{}}
	}
}

// Start reloads decisions and prepared transactions from the log.
func (p *Participant) Start(ctx *sim.Context) {
	st := ctx.Storage()
	for _, key := range st.Keys(keyDec) {
		v, _ := st.Get(key)
		s := Aborted
		if string(v) == "c" {
			s = Committed
		}
		id := strings.TrimPrefix(key, keyDec)
		p.txns[id] = &ptxn{id: id, state: s}
	}
	for _, key := range st.Keys(keyPrep) {
		id := strings.TrimPrefix(key, keyPrep)
		if p.txns[id] != nil {
			continue
		}
		raw, _ := st.Get(key)
		var rec prepRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			panic(fmt.Sprintf("twopc: participant log %s: %v", key, err))
		}
		t := &ptxn{id: id, state: Prepared, parts: rec.Parts, ops: rec.Ops, reads: rec.Reads, recovered: true}
		if _, ok := st.Get(keyPreC + id); ok {
			t.state = PreCommitted
		}
		p.txns[id] = t
		for _, op := range t.ops {
			p.locks[op.Key] = id
		}
		ctx.Record(ParticipantRecovered{Txn: id, State: t.state})
		t.timer = ctx.SetTimer(p.cfg.Retry, doubtTimer{id})
	}
}

// Receive handles the coordinator's and other participants' messages.
func (p *Participant) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	switch m := msg.(type) {
	case *Prepare:
		p.prepare(ctx, from, m)
	case *Decision:
		p.told(ctx, from, m)
		p.decision(ctx, m)
	case *Inquire:
		p.inquire(ctx, from, m)
	case *Uncertain:
		if t := p.txns[m.Txn]; t != nil && t.replies != nil && p.undecided(t) {
			t.replies[from] = Prepared
		}
	case *PreCommit:
		p.preCommit(ctx, from, m)
	case *PreAck:
		if t := p.txns[m.Txn]; t != nil && t.backup && t.preAcks != nil {
			t.preAcks[from] = true
			if len(t.preAcks) == p.expectedPreAcks(t) {
				p.backupDecide(ctx, t, true)
			}
		}
	case *StateReq:
		p.stateReq(ctx, from, m)
	case *StateRep:
		p.stateRep(ctx, from, m)
	}
}

// Timer starts or continues the termination protocol.
func (p *Participant) Timer(ctx *sim.Context, tag any) {
	switch tg := tag.(type) {
	case doubtTimer:
		t := p.txns[tg.txn]
		if t == nil || !p.undecided(t) {
			return
		}
		t.timer = 0
		if p.cfg.ThreePhase {
			p.startRound3(ctx, t)
			return
		}
		if p.cfg.is(UnilateralAbort) {
			p.apply(ctx, t, false)
			return
		}
		p.inquireRound(ctx, t)
	case windowTimer:
		if t := p.txns[tg.txn]; t != nil && p.undecided(t) {
			t.timer = 0
			p.closeWindow(ctx, t)
		}
	}
}

func (p *Participant) undecided(t *ptxn) bool {
	return t.state == Prepared || t.state == PreCommitted
}

func (p *Participant) prepare(ctx *sim.Context, from sim.NodeID, m *Prepare) {
	if t := p.txns[m.Txn]; t != nil {
		switch t.state {
		case Prepared, PreCommitted:
			ctx.Send(from, &Vote{Txn: t.id, Yes: true, Reads: t.reads})
		case Aborted:
			ctx.Send(from, &Vote{Txn: t.id})
		}
		return
	}
	conflict := false
	for _, op := range m.Ops {
		if holder, ok := p.locks[op.Key]; ok && holder != m.Txn {
			conflict = true
			break
		}
	}
	if conflict || p.cfg.NoProbability > 0 && ctx.Rand().Float64() < p.cfg.NoProbability {
		// Voting no is deciding abort: make it durable, so that a restart
		// cannot turn it into a yes.
		st := ctx.Storage()
		st.Put(keyDec+m.Txn, []byte("a"))
		st.Sync()
		p.txns[m.Txn] = &ptxn{id: m.Txn, state: Aborted}
		ctx.Record(Voted{Txn: m.Txn})
		ctx.Send(from, &Vote{Txn: m.Txn})
		return
	}
	t := &ptxn{id: m.Txn, state: Prepared, parts: m.Participants, ops: m.Ops}
	st := ctx.Storage()
	for i, op := range m.Ops {
		if op.Kind != checker.TxnRead {
			continue
		}
		v, found := "", false
		for j := i - 1; j >= 0; j-- { // read your own writes
			if m.Ops[j].Kind == checker.TxnWrite && m.Ops[j].Key == op.Key {
				v, found = m.Ops[j].Value, true
				break
			}
		}
		if !found {
			b, _ := st.Get(keyKV + op.Key)
			v = string(b)
		}
		t.reads = append(t.reads, Read{Index: op.Index, Value: v})
	}
	if !p.cfg.is(EarlyRelease) {
		for _, op := range m.Ops {
			p.locks[op.Key] = m.Txn
		}
	}
	rec, _ := json.Marshal(prepRecord{Parts: t.parts, Ops: t.ops, Reads: t.reads})
	st.Put(keyPrep+m.Txn, rec)
	if !p.cfg.is(NoPrepareSync) {
		st.Sync()
	}
	p.txns[m.Txn] = t
	ctx.Record(Voted{Txn: m.Txn, Yes: true})
	ctx.Send(from, &Vote{Txn: m.Txn, Yes: true, Reads: t.reads})
	t.timer = ctx.SetTimer(p.doubtAfter(ctx), doubtTimer{m.Txn})
}

func (p *Participant) decision(ctx *sim.Context, m *Decision) {
	t := p.txns[m.Txn]
	if t == nil {
		st := ctx.Storage()
		if m.Commit {
			// A commit for a transaction this participant has no record of:
			// it voted yes and then lost its prepared state. Its writes are
			// gone; all it can do is record the outcome.
			st.Put(keyDec+m.Txn, []byte("c"))
			st.Sync()
			p.txns[m.Txn] = &ptxn{id: m.Txn, state: Committed}
			ctx.Record(Applied{Txn: m.Txn, Commit: true, Unprepared: true})
			ctx.Send(p.cfg.Coordinator, &Ack{Txn: m.Txn})
			return
		}
		st.Put(keyDec+m.Txn, []byte("a"))
		p.txns[m.Txn] = &ptxn{id: m.Txn, state: Aborted}
		ctx.Record(Applied{Txn: m.Txn})
		return
	}
	switch t.state {
	case Committed:
		if m.Commit {
			ctx.Send(p.cfg.Coordinator, &Ack{Txn: m.Txn})
		}
	case Prepared, PreCommitted:
		p.apply(ctx, t, m.Commit)
	}
}

// apply carries out the decision on a prepared transaction: a commit
// writes the data and the decision durably and is acknowledged; an abort
// is recorded without a sync (presumed abort: if it is lost, the
// coordinator will say abort again).
func (p *Participant) apply(ctx *sim.Context, t *ptxn, commit bool) {
	ctx.CancelTimer(t.timer)
	t.timer = 0
	st := ctx.Storage()
	if commit {
		for _, op := range t.ops {
			if op.Kind == checker.TxnWrite {
				st.Put(keyKV+op.Key, []byte(op.Value))
			}
		}
		st.Put(keyDec+t.id, []byte("c"))
	} else {
		st.Put(keyDec+t.id, []byte("a"))
	}
	st.Delete(keyPrep + t.id)
	st.Delete(keyPreC + t.id)
	for _, op := range t.ops {
		if p.locks[op.Key] == t.id {
			delete(p.locks, op.Key)
		}
	}
	if commit || p.cfg.ThreePhase {
		// A three-phase-commit abort may be a backup coordinator's
		// decision, which others act on: it must survive a crash.
		st.Sync()
	}
	ctx.Record(Applied{Txn: t.id, Commit: commit})
	if commit {
		t.state = Committed
		ctx.Send(p.cfg.Coordinator, &Ack{Txn: t.id})
	} else {
		t.state = Aborted
	}
	t.ops, t.reads, t.replies, t.preAcks = nil, nil, nil, nil
}

// abortUnvoted aborts a transaction this participant has not voted on,
// durably, so that it votes no if the prepare comes later.
func (p *Participant) abortUnvoted(ctx *sim.Context, id string) *ptxn {
	st := ctx.Storage()
	st.Put(keyDec+id, []byte("a"))
	st.Sync()
	t := &ptxn{id: id, state: Aborted}
	p.txns[id] = t
	ctx.Record(Applied{Txn: id})
	return t
}

// inquireRound is one round of two-phase commit's cooperative termination
// protocol: ask the coordinator and every other participant. If the last
// round brought no decision, the transaction is blocked: say so, and why.
func (p *Participant) inquireRound(ctx *sim.Context, t *ptxn) {
	if t.round > 0 {
		f := Blocked{Txn: t.id}
		for _, q := range t.parts {
			if q == ctx.ID() {
				continue
			}
			if _, ok := t.replies[q]; ok {
				f.Uncertain = append(f.Uncertain, ctx.NodeName(q))
			} else {
				f.Silent = append(f.Silent, ctx.NodeName(q))
			}
		}
		p.blocked(ctx, t, f)
	}
	t.round++
	t.replies = map[sim.NodeID]State{}
	ctx.Send(p.cfg.Coordinator, &Inquire{Txn: t.id})
	for _, q := range t.parts {
		if q != ctx.ID() {
			ctx.Send(q, &Inquire{Txn: t.id})
		}
	}
	t.timer = ctx.SetTimer(p.cfg.DecisionTimeout, doubtTimer{t.id})
}

// blocked records that t is blocked, unless the last Blocked fact about it
// said the same.
func (p *Participant) blocked(ctx *sim.Context, t *ptxn, f Blocked) {
	if s := f.String(); s != t.note {
		ctx.Record(f)
		t.note = s
	}
}

// inquire answers another participant's Inquire.
func (p *Participant) inquire(ctx *sim.Context, from sim.NodeID, m *Inquire) {
	t := p.txns[m.Txn]
	if t == nil {
		t = p.abortUnvoted(ctx, m.Txn)
	}
	switch t.state {
	case Committed, Aborted:
		ctx.Send(from, &Decision{Txn: m.Txn, Commit: t.state == Committed})
	default:
		ctx.Send(from, &Uncertain{Txn: m.Txn})
	}
}

// InDoubt returns the transactions this participant voted yes on and whose
// outcome it does not know, sorted: they hold their locks.
func (p *Participant) InDoubt() []string {
	var ids []string
	for id, t := range p.txns {
		if p.undecided(t) {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// recovered reports whether the participant has been in doubt about txn
// since a restart.
func (p *Participant) recovered(txn string) bool {
	t := p.txns[txn]
	return t != nil && t.recovered && p.undecided(t)
}
