package twopclab

import (
	"maps"
	"slices"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols/twopc"
	"github.com/dsimlab/dsim/sim"
)

// Part 1 goes on: the participant.

// keyData is the storage key prefix of the participant's data: kv/K holds
// the committed value of key K.
const keyData = "kv/"

// ptxn is a participant's state of one transaction.
type ptxn struct {
	id    string
	state twopc.State // Prepared (voted yes, in doubt), Committed or Aborted
	ops   []twopc.Op  // its steps on this participant's keys
	reads []twopc.Read
	timer sim.TimerID // the decision timeout, while in doubt
}

// Participant holds the keys twopc.Owner gives it. Asked to prepare, it
// locks the transaction's keys (a key locked by another transaction means
// a no vote: nobody waits, so nothing deadlocks), reads under the locks,
// makes its prepared state durable, votes yes, and holds the locks until
// it learns the decision. In doubt for too long, it asks the coordinator.
type Participant struct {
	cfg   twopc.Config
	txns  map[string]*ptxn
	locks map[string]string // key -> the transaction holding it
}

// NewParticipant returns a participant's factory: a fresh Participant at
// boot and at every restart.
func NewParticipant(cfg twopc.Config) sim.Factory {
	return func() sim.Node {
		return &Participant{cfg: cfg, txns: map[string]*ptxn{}, locks: map[string]string{}}
	}
}

// Start recovers what the participant logged before a crash (recovery.go).
func (p *Participant) Start(ctx *sim.Context) { p.recover(ctx) }

// Receive dispatches a message to its handler.
func (p *Participant) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	switch m := msg.(type) {
	case *twopc.Prepare:
		p.onPrepare(ctx, from, m)
	case *twopc.Decision:
		p.onDecision(ctx, m)
	}
}

// Timer asks the coordinator again about a transaction still in doubt.
func (p *Participant) Timer(ctx *sim.Context, tag any) {
	if tg, ok := tag.(doubtTimer); ok {
		p.inDoubt(ctx, tg.txn)
	}
}

// InDoubt returns the transactions this participant voted yes on and does
// not know the outcome of, sorted: the termination check reads them.
func (p *Participant) InDoubt() []string {
	var ids []string
	for _, id := range slices.Sorted(maps.Keys(p.txns)) {
		if p.txns[id].state == twopc.Prepared {
			ids = append(ids, id)
		}
	}
	return ids
}

// value returns the committed value of key ("" if none).
func (p *Participant) value(ctx *sim.Context, key string) string {
	b, _ := ctx.Storage().Get(keyData + key)
	return string(b)
}

// onPrepare prepares this participant's part of a transaction and votes.
func (p *Participant) onPrepare(ctx *sim.Context, from sim.NodeID, m *twopc.Prepare) {
	// TODO(lab): a transaction seen already gets its vote again (yes with
	// the reads if prepared, no if aborted). If another transaction holds
	// a lock on one of its keys, or a draw of ctx.Rand().Float64() is
	// below cfg.NoProbability, vote no: a no is a decision, logged
	// (logDecision) before it is sent, with the fact twopc.Voted{Txn}.
	// Otherwise: read each read step's value (a write earlier in the same
	// transaction, or the committed value), lock the keys, logPrepared
	// (durable before the yes), the fact twopc.Voted{Txn, Yes: true}, the
	// vote, and the decision timeout (cfg.DecisionTimeout, doubtTimer).
	//lab:solution
	if t := p.txns[m.Txn]; t != nil {
		switch t.state {
		case twopc.Prepared:
			ctx.Send(from, &twopc.Vote{Txn: t.id, Yes: true, Reads: t.reads})
		case twopc.Aborted:
			ctx.Send(from, &twopc.Vote{Txn: t.id})
		}
		return
	}
	locked := slices.ContainsFunc(m.Ops, func(op twopc.Op) bool { h, ok := p.locks[op.Key]; return ok && h != m.Txn })
	if locked || p.cfg.NoProbability > 0 && ctx.Rand().Float64() < p.cfg.NoProbability {
		p.logDecision(ctx, m.Txn, false)
		p.txns[m.Txn] = &ptxn{id: m.Txn, state: twopc.Aborted}
		ctx.Record(twopc.Voted{Txn: m.Txn})
		ctx.Send(from, &twopc.Vote{Txn: m.Txn})
		return
	}
	t := &ptxn{id: m.Txn, state: twopc.Prepared, ops: m.Ops}
	for i, op := range m.Ops {
		if op.Kind == checker.TxnRead {
			t.reads = append(t.reads, twopc.Read{Index: op.Index, Value: p.read(ctx, m.Ops[:i], op.Key)})
		}
	}
	for _, op := range m.Ops {
		p.locks[op.Key] = m.Txn
	}
	p.logPrepared(ctx, t)
	p.txns[m.Txn] = t
	ctx.Record(twopc.Voted{Txn: m.Txn, Yes: true})
	ctx.Send(from, &twopc.Vote{Txn: m.Txn, Yes: true, Reads: t.reads})
	t.timer = ctx.SetTimer(p.cfg.DecisionTimeout, doubtTimer{m.Txn})
	//lab:end
}

//lab:solution

// read returns the value of key after the steps before: the last of them
// that writes key, or else the committed value.
func (p *Participant) read(ctx *sim.Context, before []twopc.Op, key string) string {
	for i := len(before) - 1; i >= 0; i-- {
		if before[i].Kind == checker.TxnWrite && before[i].Key == key {
			return before[i].Value
		}
	}
	return p.value(ctx, key)
}

//lab:end

// onDecision carries out the coordinator's decision.
func (p *Participant) onDecision(ctx *sim.Context, m *twopc.Decision) {
	// TODO(lab): a prepared transaction applies it. A commit already
	// applied is acknowledged again (the coordinator resends until it
	// hears an Ack). A decision on a transaction this participant has no
	// record of is logged and recorded as applied (a commit then with
	// Unprepared: it voted yes and lost its prepared state, a bug of part
	// 2) and a commit acknowledged.
	//lab:solution
	t := p.txns[m.Txn]
	switch {
	case t == nil:
		p.logDecision(ctx, m.Txn, m.Commit)
		p.txns[m.Txn] = &ptxn{id: m.Txn, state: stateOf(m.Commit)}
		ctx.Record(twopc.Applied{Txn: m.Txn, Commit: m.Commit, Unprepared: m.Commit})
		if m.Commit {
			ctx.Send(p.cfg.Coordinator, &twopc.Ack{Txn: m.Txn})
		}
	case t.state == twopc.Committed && m.Commit:
		ctx.Send(p.cfg.Coordinator, &twopc.Ack{Txn: m.Txn})
	case t.state == twopc.Prepared:
		p.apply(ctx, t, m.Commit)
	}
	//lab:end
}

// apply carries out the outcome of a prepared transaction: a commit
// writes its data; either way the decision is logged, the locks released,
// the fact twopc.Applied recorded, and a commit acknowledged.
func (p *Participant) apply(ctx *sim.Context, t *ptxn, commit bool) {
	// TODO(lab): write each write step's value under keyData+key
	// (ctx.Storage().Put) if it commits, then logDecision, release the
	// locks t holds, stop the decision timeout, record
	// twopc.Applied{Txn, Commit} and send a commit's twopc.Ack.
	//lab:solution
	ctx.CancelTimer(t.timer)
	if commit {
		for _, op := range t.ops {
			if op.Kind == checker.TxnWrite {
				ctx.Storage().Put(keyData+op.Key, []byte(op.Value))
			}
		}
	}
	p.logDecision(ctx, t.id, commit)
	for _, op := range t.ops {
		if p.locks[op.Key] == t.id {
			delete(p.locks, op.Key)
		}
	}
	t.state, t.ops, t.reads = stateOf(commit), nil, nil
	ctx.Record(twopc.Applied{Txn: t.id, Commit: commit})
	if commit {
		ctx.Send(p.cfg.Coordinator, &twopc.Ack{Txn: t.id})
	}
	//lab:end
}

// inDoubt asks the coordinator for the outcome of a transaction still in
// doubt, and again after the next decision timeout. A participant that
// voted yes may never decide on its own: the coordinator may have
// committed.
func (p *Participant) inDoubt(ctx *sim.Context, id string) {
	// TODO(lab): a twopc.Inquire to the coordinator, while prepared.
	//lab:solution
	if t := p.txns[id]; t != nil && t.state == twopc.Prepared {
		ctx.Send(p.cfg.Coordinator, &twopc.Inquire{Txn: id})
		t.timer = ctx.SetTimer(p.cfg.DecisionTimeout, doubtTimer{id})
	}
	//lab:end
}

// stateOf returns the state a decision leads to.
func stateOf(commit bool) twopc.State {
	if commit {
		return twopc.Committed
	}
	return twopc.Aborted
}
