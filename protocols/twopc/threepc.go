package twopc

import (
	"github.com/dsimlab/dsim/sim"
)

// Three-phase commit, participant side: pre-commit, and the termination
// protocol with a backup coordinator.
//
// A participant whose decision timeout fires starts a termination round:
// it asks every other participant for its state and, after Window, looks
// at the answers. The backup coordinator is the lowest-numbered
// participant among those that answered (and itself), leaving out
// participants in doubt since a restart. Only the backup acts, with the
// classic rule: if anyone committed, commit; if anyone aborted (or had not
// voted, which makes it abort), abort; if anyone is pre-committed,
// pre-commit the uncertain ones and then commit; if all are uncertain,
// abort. The others wait for its decision and start a new round if it does
// not come.
//
// With crashes only and message delays below the timeouts, all
// participants see the same answers and agree, and nobody blocks while one
// participant is up. Under a partition each side elects its own backup:
// the side that holds a pre-committed participant commits and the other
// aborts, which breaks atomicity (the threepc-partition-anomaly scenario).

func (p *Participant) preCommit(ctx *sim.Context, from sim.NodeID, m *PreCommit) {
	t := p.txns[m.Txn]
	if t == nil {
		return
	}
	switch t.state {
	case Prepared:
		st := ctx.Storage()
		st.Put(keyPreC+t.id, nil)
		st.Sync()
		t.state = PreCommitted
		ctx.CancelTimer(t.timer)
		t.timer = ctx.SetTimer(p.cfg.DecisionTimeout, doubtTimer{t.id})
		ctx.Send(from, &PreAck{Txn: t.id})
	case PreCommitted, Committed:
		ctx.Send(from, &PreAck{Txn: t.id})
	}
}

// startRound3 starts a termination round of three-phase commit.
func (p *Participant) startRound3(ctx *sim.Context, t *ptxn) {
	if t.round > 0 {
		p.blocked(ctx, t, Blocked{Txn: t.id, NoBackup: true})
	}
	t.round++
	t.backup = false
	t.preAcks = nil
	t.replies = map[sim.NodeID]State{}
	for _, q := range t.parts {
		if q != ctx.ID() {
			ctx.Send(q, &StateReq{Txn: t.id, Round: t.round})
		}
	}
	t.timer = ctx.SetTimer(p.cfg.Window, windowTimer{t.id})
}

func (p *Participant) stateReq(ctx *sim.Context, from sim.NodeID, m *StateReq) {
	t := p.txns[m.Txn]
	if t == nil {
		// Not voted: abort, so that a late prepare gets a no.
		t = p.abortUnvoted(ctx, m.Txn)
	}
	s := t.state
	if t.recovered && p.undecided(t) {
		s = Recovering
	}
	ctx.Send(from, &StateRep{Txn: m.Txn, Round: m.Round, State: s})
}

func (p *Participant) stateRep(ctx *sim.Context, from sim.NodeID, m *StateRep) {
	t := p.txns[m.Txn]
	if t == nil || !p.undecided(t) {
		return
	}
	switch m.State {
	case Committed, Aborted:
		// A decision is final: adopt it at once.
		p.apply(ctx, t, m.State == Committed)
		return
	}
	if m.Round == t.round && t.replies != nil && !t.backup {
		t.replies[from] = m.State
	}
}

// closeWindow ends a termination round: the backup coordinator decides (or,
// collecting pre-commit acks, commits); the others wait.
func (p *Participant) closeWindow(ctx *sim.Context, t *ptxn) {
	if t.backup {
		p.backupDecide(ctx, t, true)
		return
	}
	backup := sim.None
	if !t.recovered {
		backup = ctx.ID()
	}
	anyPre := t.state == PreCommitted
	for q, s := range t.replies {
		if s == Recovering || s == Unknown {
			continue
		}
		if backup == sim.None || q < backup {
			backup = q
		}
		anyPre = anyPre || s == PreCommitted
	}
	if backup != ctx.ID() {
		t.timer = ctx.SetTimer(p.cfg.DecisionTimeout, doubtTimer{t.id})
		return
	}
	if !anyPre {
		p.backupDecide(ctx, t, false)
		return
	}
	// Someone is pre-committed, so everyone voted yes: pre-commit the
	// uncertain, then commit.
	if t.state == Prepared {
		st := ctx.Storage()
		st.Put(keyPreC+t.id, nil)
		st.Sync()
		t.state = PreCommitted
	}
	t.backup = true
	t.preAcks = map[sim.NodeID]bool{}
	for _, q := range t.parts {
		if t.replies[q] == Prepared && q != ctx.ID() {
			ctx.Send(q, &PreCommit{Txn: t.id})
		}
	}
	if p.expectedPreAcks(t) == 0 {
		p.backupDecide(ctx, t, true)
		return
	}
	t.timer = ctx.SetTimer(p.cfg.Window, windowTimer{t.id})
}

// expectedPreAcks is how many pre-commit acks a backup coordinator waits
// for: one from each participant that answered uncertain.
func (p *Participant) expectedPreAcks(t *ptxn) int {
	n := 0
	for _, s := range t.replies {
		if s == Prepared {
			n++
		}
	}
	return n
}

// backupDecide is the backup coordinator's decision: applied here, then
// sent to every other participant and to the coordinator.
func (p *Participant) backupDecide(ctx *sim.Context, t *ptxn, commit bool) {
	id, parts := t.id, t.parts
	ctx.Record(Decided{Txn: id, Commit: commit, Backup: true})
	p.apply(ctx, t, commit)
	for _, q := range parts {
		if q != ctx.ID() {
			ctx.Send(q, &Decision{Txn: id, Commit: commit})
		}
	}
	ctx.Send(p.cfg.Coordinator, &Decision{Txn: id, Commit: commit})
}
