package raftlab

import (
	"github.com/dsimlab/dsim/protocols/raft"
	"github.com/dsimlab/dsim/sim"
)

// Part 2: log replication. Read "Part 2" in README.md first.

// appendCmd appends a client's command to the leader's log as an entry of
// its term, and sends it on.
func (s *Server) appendCmd(ctx *sim.Context, cmd *raft.Cmd) {
	// TODO(lab): write the entry after the last one (write: it is on disk
	// when write returns, so the leader counts its own copy in match),
	// send it to the followers, and see whether anything commits (with
	// one server, the leader's copy is a majority).
	//lab:solution
	s.write(ctx, s.log.Last()+1, []*raft.Entry{{Term: s.term, Cmd: cmd}})
	s.match[s.me] = s.log.Last()
	s.broadcast(ctx)
	s.advanceCommit(ctx)
	//lab:end
}

// broadcast sends every other server an AppendEntries: what it lacks, or
// an empty one as a heartbeat.
func (s *Server) broadcast(ctx *sim.Context) {
	// TODO(lab): sendAppend to every server but this one.
	//lab:solution
	for i := range s.ids {
		if i != s.me {
			s.sendAppend(ctx, i)
		}
	}
	//lab:end
}

// sendAppend sends server i the entries from its next index on, at most
// s.cfg.Batch of them, after the entry it should hold at next-1, with the
// leader's commit index.
func (s *Server) sendAppend(ctx *sim.Context, i int) {
	// TODO(lab): build and send the raft.AppendEntries (PrevIndex,
	// PrevTerm: the entry before next; Entries; Commit).
	//lab:solution
	prev := s.next[i] - 1
	prevTerm, _ := s.log.Term(prev)
	s.send(ctx, i, &raft.AppendEntries{Term: s.term, PrevIndex: prev, PrevTerm: prevTerm,
		Entries: s.log.From(prev+1, s.cfg.Batch), Commit: s.commit})
	//lab:end
}

// onAppendEntries accepts the leader's entries if this server's log holds
// the leader's entry at PrevIndex (the log matching check), writes them,
// learns the commit index, and answers.
func (s *Server) onAppendEntries(ctx *sim.Context, i int, m *raft.AppendEntries) {
	// TODO(lab): refuse an older term (answer with this server's term).
	// Otherwise follow i and restart the election timeout. If the log
	// lacks the entry at PrevIndex with PrevTerm, refuse, saying where the
	// leader should go on from (Conflict: past the end of a short log, or
	// the first entry of the conflicting term). Else keep the entries the
	// log holds already (same index and term); at the first that differs,
	// write the rest over it. Then commit up to min(Commit, the last new
	// entry), apply, and answer with Success and Match.
	//lab:solution
	s.observeTerm(ctx, m.Term)
	if m.Term < s.term {
		s.send(ctx, i, &raft.AppendReply{Term: s.term})
		return
	}
	s.becomeFollower(ctx, i)
	s.resetElection(ctx)
	if m.PrevIndex > s.log.Last() {
		s.send(ctx, i, &raft.AppendReply{Term: s.term, Conflict: s.log.Last() + 1})
		return
	}
	if t, _ := s.log.Term(m.PrevIndex); t != m.PrevTerm {
		s.send(ctx, i, &raft.AppendReply{Term: s.term, Conflict: s.log.FirstOfTerm(m.PrevIndex)})
		return
	}
	for k, e := range m.Entries {
		index := m.PrevIndex + 1 + int64(k)
		if t, ok := s.log.Term(index); !ok || t != e.Term {
			s.write(ctx, index, m.Entries[k:])
			break
		}
	}
	match := m.PrevIndex + int64(len(m.Entries))
	if c := min(m.Commit, match); c > s.commit {
		s.commit = c
		s.applyCommitted(ctx)
	}
	s.send(ctx, i, &raft.AppendReply{Term: s.term, Success: true, Match: match})
	//lab:end
}

// onAppendReply notes how far server i's log matches the leader's, commits
// what a majority holds, and sends i what it still lacks; after a refusal
// it goes back to where i's log stops matching.
func (s *Server) onAppendReply(ctx *sim.Context, i int, m *raft.AppendReply) {
	// TODO(lab): catch up with the term; only the leader of m.Term cares.
	// On success raise match (never lower it: replies can be old) and
	// next, advance the commit index, and send more if i lacks entries.
	// On a refusal set next back to Conflict (but not to match or
	// before, and not past the end of the log) and send again.
	//lab:solution
	s.observeTerm(ctx, m.Term)
	if s.role != leader || m.Term != s.term {
		return
	}
	if !m.Success {
		s.next[i] = max(s.match[i]+1, min(m.Conflict, s.log.Last()+1))
		s.sendAppend(ctx, i)
		return
	}
	if m.Match > s.match[i] {
		s.match[i] = m.Match
		s.advanceCommit(ctx)
	}
	s.next[i] = max(s.next[i], s.match[i]+1)
	if s.next[i] <= s.log.Last() {
		s.sendAppend(ctx, i)
	}
	//lab:end
}

// advanceCommit commits the highest index a majority of the servers hold,
// if the entry there is of the leader's own term: an entry of an earlier
// term is committed only by a later one of this term (Raft §5.4.2, Figure
// 8).
func (s *Server) advanceCommit(ctx *sim.Context) {
	// TODO(lab): find the highest index n above commit that a majority's
	// match reaches and whose entry is of this term; commit it, record
	// &raft.Committed{Index: n, Term: s.term}, and apply.
	//lab:solution
	for n := s.log.Last(); n > s.commit; n-- {
		if t, _ := s.log.Term(n); t != s.term {
			return // older entries are older terms too
		}
		held := 0
		for _, m := range s.match {
			if m >= n {
				held++
			}
		}
		if s.quorum(held) {
			s.commit = n
			ctx.Record(&raft.Committed{Index: n, Term: s.term})
			s.applyCommitted(ctx)
			return
		}
	}
	//lab:end
}

// applyCommitted applies the committed entries not applied yet, in index
// order, to the state machine; the leader answers their clients.
func (s *Server) applyCommitted(ctx *sim.Context) {
	// TODO(lab): for each index after applied up to commit: record
	// &raft.Applied{Index, Term, ID: the command's ID}, apply the command
	// (s.sm.Apply), and if this server leads and the result is the
	// command's (r.Seq == cmd.Seq), send the client the reply with
	// Leader set to this server.
	//lab:solution
	for s.applied < s.commit {
		s.applied++
		e := s.log.At(s.applied)
		ctx.Record(&raft.Applied{Index: s.applied, Term: e.Term, ID: e.Cmd.ID})
		if r, _ := s.sm.Apply(e.Cmd); s.role == leader && r.Seq == e.Cmd.Seq {
			r.Leader = s.me
			ctx.Send(e.Cmd.Client, &r)
		}
	}
	//lab:end
}
