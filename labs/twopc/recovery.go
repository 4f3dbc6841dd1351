package twopclab

import (
	"encoding/json"
	"fmt"

	"github.com/dsimlab/dsim/protocols/twopc"
	"github.com/dsimlab/dsim/sim"
)

// Part 2: recovery. Read "Part 2" in README.md first.

// The storage keys of the logs, each followed by the transaction's id. The
// termination check reads a participant's disk while it is down: prep/T
// without dec/T is a transaction it holds in doubt.
const (
	keyBegun  = "txn/"    // coordinator: T was started (its client and participants)
	keyCommit = "commit/" // coordinator: T committed (the reads for its client)
	keyEnd    = "end/"    // coordinator: T is over (aborted, or every commit acknowledged)
	keyPrep   = "prep/"   // participant: T is prepared (its steps and reads)
	keyDec    = "dec/"    // participant: T was decided here: "c" commit, "a" abort
)

//lab:solution

// begunRecord is what the coordinator logs when it starts a transaction.
type begunRecord struct {
	Client sim.NodeID
	Parts  []sim.NodeID
}

// prepRecord is what a participant logs when it prepares.
type prepRecord struct {
	Ops   []twopc.Op
	Reads []twopc.Read
}

// put writes a record as JSON, and syncs if asked to.
func put(ctx *sim.Context, key string, v any, sync bool) {
	b, _ := json.Marshal(v)
	ctx.Storage().Put(key, b)
	if sync {
		ctx.Storage().Sync()
	}
}

// get reads a JSON record into v; a record that cannot be read is a bug.
func get(ctx *sim.Context, key string, v any) {
	b, _ := ctx.Storage().Get(key)
	if err := json.Unmarshal(b, v); err != nil {
		panic(fmt.Sprintf("%s: read %s: %v", ctx.Name(), key, err))
	}
}

//lab:end

// logBegin logs that the coordinator started t, durably: after a crash it
// must know every transaction it may have asked anyone to prepare.
func (c *Coordinator) logBegin(ctx *sim.Context, t *ctxn) {
	// TODO(lab): keyBegun+t.id, synced.
	//lab:solution
	put(ctx, txnKey(keyBegun, t.id), begunRecord{Client: t.client, Parts: t.parts}, true)
	//lab:end
}

// logCommit logs the commit of t, durably, before anyone hears of it.
func (c *Coordinator) logCommit(ctx *sim.Context, t *ctxn) {
	// TODO(lab): keyCommit+t.id with the client's reads, synced.
	//lab:solution
	put(ctx, txnKey(keyCommit, t.id), t.result, true)
	//lab:end
}

// logEnd logs that t is over. It need not be synced: if it is lost, the
// coordinator resends a commit that was applied, or an abort.
func (c *Coordinator) logEnd(ctx *sim.Context, t *ctxn) {
	// TODO(lab): keyEnd+t.id.
	//lab:solution
	ctx.Storage().Put(txnKey(keyEnd, t.id), nil)
	//lab:end
}

// recover rebuilds the coordinator's transactions from its log at Start:
// a commit not yet acknowledged by everyone is announced again (and the
// client told); a transaction started but not committed is aborted.
func (c *Coordinator) recover(ctx *sim.Context) {
	// TODO(lab): for every keyBegun record (ctx.Storage().Keys).
	//lab:solution
	st := ctx.Storage()
	for _, key := range st.Keys(keyBegun) {
		var rec begunRecord
		get(ctx, key, &rec)
		t := &ctxn{id: txnOf(keyBegun, key), client: rec.Client, parts: rec.Parts, phase: aborted,
			yes: map[sim.NodeID]bool{}, reads: map[int]string{}, acked: map[sim.NodeID]bool{}}
		c.txns[t.id] = t
		_, ended := st.Get(txnKey(keyEnd, t.id))
		if _, ok := st.Get(txnKey(keyCommit, t.id)); ok {
			t.phase = committed
			get(ctx, txnKey(keyCommit, t.id), &t.result)
			if !ended {
				c.resendOf(ctx, t)
				c.reply(ctx, t)
			}
		} else if !ended {
			c.abort(ctx, t)
		}
	}
	//lab:end
}

// logPrepared logs that the participant prepared t, durably, before it
// votes yes: after a crash it must still hold t's locks and be ready to
// commit it.
func (p *Participant) logPrepared(ctx *sim.Context, t *ptxn) {
	// TODO(lab): keyPrep+t.id with its steps and reads, synced.
	//lab:solution
	put(ctx, txnKey(keyPrep, t.id), prepRecord{Ops: t.ops, Reads: t.reads}, true)
	//lab:end
}

// logDecision logs the outcome of transaction id here, durably, and drops
// its prepared record: after a crash a no vote must stay a no, and a
// commit's data (written just before) must be there.
func (p *Participant) logDecision(ctx *sim.Context, id string, commit bool) {
	// TODO(lab): keyDec+id ("c" or "a"), keyPrep+id deleted, synced.
	//lab:solution
	v := "a"
	if commit {
		v = "c"
	}
	st := ctx.Storage()
	st.Put(txnKey(keyDec, id), []byte(v))
	st.Delete(txnKey(keyPrep, id))
	st.Sync()
	//lab:end
}

// recover rebuilds the participant's transactions from its log at Start:
// the decided ones, and the prepared ones, whose locks it takes again and
// whose outcome it asks for soon (after cfg.Retry).
func (p *Participant) recover(ctx *sim.Context) {
	// TODO(lab): keyDec records first, then keyPrep records not decided.
	//lab:solution
	st := ctx.Storage()
	for _, key := range st.Keys(keyDec) {
		v, _ := st.Get(key)
		p.txns[txnOf(keyDec, key)] = &ptxn{id: txnOf(keyDec, key), state: stateOf(string(v) == "c")}
	}
	for _, key := range st.Keys(keyPrep) {
		id := txnOf(keyPrep, key)
		if p.txns[id] != nil {
			continue
		}
		var rec prepRecord
		get(ctx, key, &rec)
		t := &ptxn{id: id, state: twopc.Prepared, ops: rec.Ops, reads: rec.Reads}
		for _, op := range t.ops {
			p.locks[op.Key] = id
		}
		p.txns[id] = t
		t.timer = ctx.SetTimer(p.cfg.Retry, doubtTimer{id})
	}
	//lab:end
}
