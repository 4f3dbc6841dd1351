package raft

import (
	"slices"

	"github.com/dsimlab/dsim/sim"
)

// --- Leader: sending the log ------------------------------------------------

// broadcast sends every other server what it lacks, or a heartbeat.
// Followers that are as far along get the same message.
func (s *server) broadcast(ctx *sim.Context) {
	var m any
	for i := range s.g.ids {
		if i != s.me {
			m = s.sendAppend(ctx, i, m)
		}
	}
}

// sendAppend sends server i the entries from its next index on (at most a
// batch), or the snapshot if the log no longer holds them, and expects
// them to arrive: the next send starts after them, unless i refuses. It
// sends prev instead if that is the same message (messages are never
// modified, so followers can share one), and returns what it sent.
func (s *server) sendAppend(ctx *sim.Context, i int, prev any) any {
	next := s.next[i]
	if next <= s.log.snapIndex {
		m, ok := prev.(*InstallSnapshot)
		if !ok {
			m = &InstallSnapshot{Term: s.term, Index: s.log.snapIndex, LastTerm: s.log.snapTerm, State: s.snapState}
		}
		s.send(ctx, i, m)
		s.next[i] = s.log.snapIndex + 1
		return m
	}
	m, ok := prev.(*AppendEntries)
	if !ok || m.PrevIndex != next-1 {
		m = &AppendEntries{Term: s.term, PrevIndex: next - 1, Commit: s.commit}
		m.PrevTerm, _ = s.log.term(next - 1)
		if next <= s.log.last() {
			m.Entries = s.log.from(next, s.g.cfg.Batch)
		}
	}
	s.send(ctx, i, m)
	s.next[i] = next + int64(len(m.Entries))
	return m
}

// onAppendReply notes how far server i's log matches, commits what a
// majority holds, and sends on: the rest of the log, or, after a refusal,
// the entries from where i's log stops matching.
func (s *server) onAppendReply(ctx *sim.Context, i int, m *AppendReply) {
	s.observeTerm(ctx, m.Term)
	if s.role != leader || m.Term != s.term {
		return
	}
	if m.Success {
		s.matched(ctx, i, m.Match)
		if s.next[i] <= s.log.last() {
			s.sendAppend(ctx, i, nil)
		}
		return
	}
	s.next[i] = max(s.match[i]+1, min(m.Conflict, s.log.last()+1))
	s.sendAppend(ctx, i, nil)
}

// onSnapshotReply notes that server i's log matches up to the snapshot.
func (s *server) onSnapshotReply(ctx *sim.Context, i int, m *SnapshotReply) {
	s.observeTerm(ctx, m.Term)
	if s.role == leader && m.Term == s.term {
		s.matched(ctx, i, m.Index)
	}
}

// matched notes that server i's log matches the leader's up to index and
// commits what it can.
func (s *server) matched(ctx *sim.Context, i int, index int64) {
	s.next[i] = max(s.next[i], index+1)
	if index > s.match[i] {
		s.match[i] = index
		s.advanceCommit(ctx)
	}
}

// advanceCommit commits the highest index a majority of the servers hold,
// if the entry there is of the leader's own term: an entry of an earlier
// term is committed only by a later one of this term (Raft §5.4.2, Figure
// 8), unless the variant is CommitOldTerm.
func (s *server) advanceCommit(ctx *sim.Context) {
	s.scratch = append(s.scratch[:0], s.match...)
	slices.Sort(s.scratch)
	n := s.scratch[len(s.scratch)-s.g.cfg.quorum()] // held by a majority
	if n <= s.commit {
		return
	}
	if t, _ := s.log.term(n); t != s.term && s.g.cfg.Variant != CommitOldTerm {
		return
	}
	s.commit = n
	ctx.Record(&Committed{Index: n, Term: s.term})
	s.applyCommitted(ctx)
}

// --- Follower: receiving the log -------------------------------------------

// onAppendEntries accepts the leader's entries if its log holds the
// leader's entry at PrevIndex (the log matching check), writes them to
// disk, and only then answers.
func (s *server) onAppendEntries(ctx *sim.Context, i int, m *AppendEntries) {
	s.observeTerm(ctx, m.Term)
	if m.Term < s.term {
		s.send(ctx, i, &AppendReply{Term: s.term})
		return
	}
	s.follow(ctx, i)
	s.resetElection(ctx)
	prev, prevTerm, es := m.PrevIndex, m.PrevTerm, m.Entries
	if prev < s.log.snapIndex { // the snapshot holds committed entries: skip them
		if end := prev + int64(len(es)); end <= s.log.snapIndex {
			s.send(ctx, i, &AppendReply{Term: s.term, Success: true, Match: end})
			return
		}
		prev, prevTerm, es = s.log.snapIndex, s.log.snapTerm, es[s.log.snapIndex-prev:]
	}
	if conflict, ok := s.check(prev, prevTerm); !ok {
		s.send(ctx, i, &AppendReply{Term: s.term, Conflict: conflict})
		return
	}
	s.accept(ctx, prev+1, es)
	match := prev + int64(len(es))
	if c := min(m.Commit, match); c > s.commit {
		s.commit = c
		s.applyCommitted(ctx)
	}
	s.send(ctx, i, &AppendReply{Term: s.term, Success: true, Match: match})
}

// check is the log matching check: it reports whether the log holds an
// entry of term prevTerm at index prev, and if not, where the leader
// should go on from. The NoLogCheck variant checks only that the log
// reaches prev.
func (s *server) check(prev, prevTerm int64) (conflict int64, ok bool) {
	if prev > s.log.last() {
		return s.log.last() + 1, false
	}
	if t, _ := s.log.term(prev); t != prevTerm && s.g.cfg.Variant != NoLogCheck {
		return s.log.firstOfTerm(prev), false
	}
	return 0, true
}

// accept puts es into the log from index from on: entries it holds
// already (same index, same term) stay, and at the first conflict the log
// is cut and the rest written.
func (s *server) accept(ctx *sim.Context, from int64, es []*Entry) {
	for k, e := range es {
		i := from + int64(k)
		if t, ok := s.log.term(i); ok && t == e.Term {
			continue
		}
		s.write(ctx, i, es[k:])
		return
	}
}

// write puts es into the log from index from on, dropping whatever came
// after from-1, on disk before it returns.
func (s *server) write(ctx *sim.Context, from int64, es []*Entry) {
	old := s.log.last()
	if from <= old {
		s.log.truncate(from)
	}
	s.log.append(es...)
	s.disk.saveEntries(from, es, old)
	ctx.Record(s.g.facts.write(from, es[:len(es):len(es)]))
}

// --- Applying and snapshots -------------------------------------------------

// applyCommitted applies the committed entries not applied yet, in order;
// a leader answers their clients. Then it snapshots if it is time to.
func (s *server) applyCommitted(ctx *sim.Context) {
	for s.applied < s.commit {
		s.applied++
		e := s.log.at(s.applied)
		ctx.Record(s.g.facts.apply(s.applied, e))
		if r, _ := s.sm.Apply(e.Cmd); s.role == leader && r.Seq == e.Cmd.Seq {
			reply := new(Reply)
			*reply = r
			reply.Leader = s.me
			ctx.Send(e.Cmd.Client, reply)
		}
	}
	if every := int64(s.g.cfg.SnapshotEvery); every > 0 && s.applied-s.log.snapIndex >= every {
		s.snapshot(ctx)
	}
}

// snapshot replaces the applied entries by a snapshot of the state
// machine, on disk.
func (s *server) snapshot(ctx *sim.Context) {
	index, first := s.applied, s.log.snapIndex+1
	term, _ := s.log.term(index)
	s.snapState = s.sm.encode(nil)
	s.log.compact(index, term)
	s.disk.saveSnapshot(index, term, s.snapState, first, index)
	ctx.Record(&Snapshot{Index: index, Term: term})
}

// onInstallSnapshot replaces the state machine by the leader's snapshot,
// and the log up to it; the rest of the log stays if it holds the
// snapshot's last entry, and is discarded otherwise.
func (s *server) onInstallSnapshot(ctx *sim.Context, i int, m *InstallSnapshot) {
	s.observeTerm(ctx, m.Term)
	if m.Term < s.term {
		s.send(ctx, i, &SnapshotReply{Term: s.term})
		return
	}
	s.follow(ctx, i)
	s.resetElection(ctx)
	if m.Index > s.commit {
		s.install(ctx, m)
	}
	s.send(ctx, i, &SnapshotReply{Term: s.term, Index: m.Index})
}

// install installs the snapshot m, on disk.
func (s *server) install(ctx *sim.Context, m *InstallSnapshot) {
	sm, err := decodeMachine(m.State)
	if err != nil {
		panic(ctx.Name() + ": snapshot from the leader: " + err.Error())
	}
	first, last := s.log.snapIndex+1, s.log.last()
	t, ok := s.log.term(m.Index)
	discard := !ok || t != m.LastTerm
	if discard {
		s.log = raftLog{snapIndex: m.Index, snapTerm: m.LastTerm}
	} else {
		s.log.compact(m.Index, m.LastTerm)
		last = m.Index
	}
	s.sm, s.snapState = sm, m.State
	s.commit, s.applied = m.Index, m.Index
	s.disk.saveSnapshot(m.Index, m.LastTerm, m.State, first, last)
	ctx.Record(&Snapshot{Index: m.Index, Term: m.LastTerm, Installed: true, Discarded: discard})
}
