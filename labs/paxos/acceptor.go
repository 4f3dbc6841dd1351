package paxoslab

import (
	"encoding/json"
	"fmt"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols/paxos"
	"github.com/dsimlab/dsim/sim"
)

// Part 1: the acceptor. Read "Part 1" in README.md first.

// promise promises ballot b, unless a higher ballot is promised already:
// from then on the acceptor accepts nothing below b, at any slot. A new
// promise is on disk before promise returns true.
func (s *Server) promise(ctx *sim.Context, b paxos.Ballot) bool {
	// TODO(lab): refuse a ballot below the promised one; save a higher
	// one (savePromise).
	//lab:solution
	if b.Less(s.promised) {
		return false
	}
	if s.promised != b {
		s.promised = b
		s.savePromise(ctx)
	}
	return true
	//lab:skeleton
	// return false
	//lab:end
}

// accept accepts cmd at slot with ballot b, unless a higher ballot is
// promised: it promises b too, keeps the proposal (on disk before accept
// returns true) and tells the checks (a paxos.Fact of kind
// checker.PaxosAccept).
func (s *Server) accept(ctx *sim.Context, slot int64, b paxos.Ballot, cmd *paxos.Cmd) bool {
	// TODO(lab): as the comment says; saveAccepted writes the promise and
	// the slot's proposal.
	//lab:solution
	if b.Less(s.promised) {
		return false
	}
	s.promised = b
	for int64(len(s.accepted)) <= slot {
		s.accepted = append(s.accepted, proposal{})
	}
	s.accepted[slot] = proposal{B: b, Cmd: cmd}
	s.saveAccepted(ctx, slot)
	ctx.Record(paxos.NewFact(checker.PaxosAccept, slot, b, cmd.ID))
	return true
	//lab:skeleton
	// return false
	//lab:end
}

// onPrepare is phase 1b: promise the candidate's ballot and report what
// this server knows of the slots from m.From on; or refuse.
func (s *Server) onPrepare(ctx *sim.Context, i int, m *paxos.Prepare) {
	// TODO(lab): observe the ballot; refuse with a paxos.Nack (naming the
	// ballot promised) if promise fails; otherwise yield to the candidate
	// (leader.go) and answer with a paxos.Promise of s.entries(m.From).
	//lab:solution
	s.observe(m.B)
	if !s.promise(ctx, m.B) {
		s.send(ctx, i, &paxos.Nack{B: m.B, Promised: s.promised})
		return
	}
	s.yield(ctx, m.B)
	s.send(ctx, i, &paxos.Promise{B: m.B, Entries: s.entries(m.From)})
	//lab:end
}

// entries reports what this server knows of the slots from on, in slot
// order: the command chosen there if it learned it (Chosen), else the
// proposal its acceptor accepted there, if any.
func (s *Server) entries(from int64) []paxos.Entry {
	// TODO(lab): up to the last slot either the log or the acceptor
	// knows.
	//lab:solution
	var es []paxos.Entry
	top := max(int64(len(s.accepted)), int64(len(s.log))) - 1
	for slot := from; slot <= top; slot++ {
		if cmd := s.chosen(slot); cmd != nil {
			es = append(es, paxos.Entry{Slot: slot, Cmd: cmd, Chosen: true})
		} else if p := s.acceptedAt(slot); p.Cmd != nil {
			es = append(es, paxos.Entry{Slot: slot, B: p.B, Cmd: p.Cmd})
		}
	}
	return es
	//lab:skeleton
	// return nil
	//lab:end
}

// onAccept is phase 2b: accept the leader's proposal and say so; or
// refuse.
func (s *Server) onAccept(ctx *sim.Context, i int, m *paxos.Accept) {
	// TODO(lab): observe the ballot; refuse with a paxos.Nack if accept
	// fails; otherwise answer paxos.Accepted, then follow the leader and
	// learn what it says is chosen (replica.go: follow, learnCommit).
	//lab:solution
	s.observe(m.B)
	if !s.accept(ctx, m.Slot, m.B, m.Cmd) {
		s.send(ctx, i, &paxos.Nack{B: m.B, Promised: s.promised})
		return
	}
	s.send(ctx, i, &paxos.Accepted{B: m.B, Slot: m.Slot})
	s.follow(ctx, i, m.B)
	s.learnCommit(ctx, i, m.B, m.Commit)
	//lab:end
}

// The acceptor's disk: the promise under keyPromised, and each slot's
// proposal under slotKey(slot).
const keyPromised = "promised"

// slotKey returns the storage key of the proposal accepted at slot; keys
// sort by slot.
func slotKey(slot int64) string { return fmt.Sprintf("acc/%016d", slot) }

//lab:solution

// record is a slot's proposal as stored. The no-op is stored as Noop: a
// command's operation cannot be encoded without one.
type record struct {
	B    paxos.Ballot
	Noop bool
	Cmd  *paxos.Cmd
}

//lab:end

// savePromise writes the promise to disk and syncs.
func (s *Server) savePromise(ctx *sim.Context) {
	// TODO(lab): ctx.Storage().Put, then Sync: nothing is durable before.
	//lab:solution
	b, _ := json.Marshal(s.promised)
	ctx.Storage().Put(keyPromised, b)
	ctx.Storage().Sync()
	//lab:end
}

// saveAccepted writes the promise and the proposal accepted at slot to
// disk, and syncs.
func (s *Server) saveAccepted(ctx *sim.Context, slot int64) {
	// TODO(lab): one key per slot.
	//lab:solution
	p := s.accepted[slot]
	rec := record{B: p.B, Noop: p.Cmd.IsNoop(), Cmd: p.Cmd}
	if rec.Noop {
		rec.Cmd = nil
	}
	b, _ := json.Marshal(rec)
	ctx.Storage().Put(slotKey(slot), b)
	s.savePromise(ctx)
	//lab:end
}

// load reads the acceptor's promise and proposals back from disk, at
// Start. A disk that cannot be read is a bug: panic.
func (s *Server) load(ctx *sim.Context) {
	// TODO(lab): what savePromise and saveAccepted wrote
	// (ctx.Storage().Get, .Keys(prefix), which sorts).
	//lab:solution
	st := ctx.Storage()
	if b, ok := st.Get(keyPromised); ok {
		if err := json.Unmarshal(b, &s.promised); err != nil {
			panic(fmt.Sprintf("%s: read the promise: %v", ctx.Name(), err))
		}
	}
	for _, k := range st.Keys("acc/") {
		var slot int64
		var rec record
		b, _ := st.Get(k)
		if _, err := fmt.Sscanf(k, "acc/%d", &slot); err != nil || json.Unmarshal(b, &rec) != nil {
			panic(fmt.Sprintf("%s: read %s: cannot", ctx.Name(), k))
		}
		if rec.Noop {
			rec.Cmd = noop
		}
		for int64(len(s.accepted)) <= slot {
			s.accepted = append(s.accepted, proposal{})
		}
		s.accepted[slot] = proposal{B: rec.B, Cmd: rec.Cmd}
	}
	//lab:end
}
