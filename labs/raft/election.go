package raftlab

import (
	"github.com/dsimlab/dsim/protocols/raft"
	"github.com/dsimlab/dsim/sim"
)

// Part 1: leader election. Read "Part 1" in README.md first.

// observeTerm moves to a term seen in a message, if it is newer than this
// server's: the server becomes a follower of that term, with no vote in
// it, on disk before anything else happens.
func (s *Server) observeTerm(ctx *sim.Context, term int64) {
	// TODO(lab): if term is newer, take it, forget the vote, save both
	// (saveHard) and become a follower who knows no leader yet.
	//lab:solution
	if term <= s.term {
		return
	}
	s.term, s.vote = term, noVote
	s.saveHard(ctx)
	s.becomeFollower(ctx, noVote)
	//lab:end
}

// becomeFollower makes the server a follower of server who (noVote: not
// known) in its current term.
func (s *Server) becomeFollower(ctx *sim.Context, who int) {
	if s.role == leader {
		s.resetElection(ctx) // a leader runs no election timeout
	}
	s.role, s.leader = follower, who
	s.votes, s.next, s.match, s.proposed = nil, nil, nil, nil
}

// campaign starts an election: the next term, a vote for itself on disk,
// the heartbeat of the new term (which asks again for missing votes, and
// is the leader's heartbeat if it wins), then a RequestVote to the others.
func (s *Server) campaign(ctx *sim.Context) {
	// TODO(lab): move to the next term as a candidate that voted for
	// itself (saveHard before asking anyone), restart the election
	// timeout, start the heartbeat of the term
	// (ctx.SetTimer(s.cfg.Heartbeat, heartbeat{s.term})), and ask for
	// votes, unless this server alone is a majority: then it leads.
	//lab:solution
	s.term++
	s.role, s.vote, s.leader = candidate, s.me, noVote
	s.saveHard(ctx)
	s.votes = map[int]bool{s.me: true}
	s.resetElection(ctx)
	ctx.SetTimer(s.cfg.Heartbeat, heartbeat{s.term})
	if s.quorum(len(s.votes)) {
		s.lead(ctx)
		return
	}
	s.requestVotes(ctx)
	//lab:end
}

// requestVotes asks every server that has not granted its vote yet.
func (s *Server) requestVotes(ctx *sim.Context) {
	// TODO(lab): send a raft.RequestVote for this term, with the index and
	// term of the last entry of this server's log, to every server that
	// has not voted for it.
	//lab:solution
	m := &raft.RequestVote{Term: s.term, LastIndex: s.log.Last(), LastTerm: s.log.LastTerm()}
	for i := range s.ids {
		if !s.votes[i] {
			s.send(ctx, i, m)
		}
	}
	//lab:end
}

// onRequestVote grants this server's vote of the current term to the first
// candidate that asks whose log is at least as up to date as its own, on
// disk before the answer.
func (s *Server) onRequestVote(ctx *sim.Context, i int, m *raft.RequestVote) {
	// TODO(lab): catch up with the candidate's term; grant the vote if it
	// is for this term, this server has not voted for someone else in it,
	// and the candidate's log is up to date (upToDate). A granted vote is
	// saved before the reply and restarts the election timeout. Answer
	// with a raft.Vote either way.
	//lab:solution
	s.observeTerm(ctx, m.Term)
	grant := m.Term == s.term && (s.vote == noVote || s.vote == i) && s.upToDate(m.LastTerm, m.LastIndex)
	if grant {
		if s.vote != i {
			s.vote = i
			s.saveHard(ctx)
		}
		s.resetElection(ctx)
	}
	s.send(ctx, i, &raft.Vote{Term: s.term, Granted: grant})
	//lab:end
}

// upToDate reports whether a log whose last entry has term lastTerm and
// index lastIndex is at least as up to date as this server's (Raft
// §5.4.1): a later last term, or the same last term and at least as long.
func (s *Server) upToDate(lastTerm, lastIndex int64) bool {
	// TODO(lab): the election restriction.
	//lab:solution
	mine := s.log.LastTerm()
	return lastTerm > mine || lastTerm == mine && lastIndex >= s.log.Last()
	//lab:skeleton
	// return true
	//lab:end
}

// onVote counts a vote granted in this candidate's term, and leads once a
// majority of the servers granted theirs.
func (s *Server) onVote(ctx *sim.Context, i int, m *raft.Vote) {
	// TODO(lab): catch up with the voter's term; count only a granted
	// vote of this server's current term, while it is a candidate.
	//lab:solution
	s.observeTerm(ctx, m.Term)
	if s.role != candidate || m.Term != s.term || !m.Granted {
		return
	}
	s.votes[i] = true
	if s.quorum(len(s.votes)) {
		s.lead(ctx)
	}
	//lab:end
}

// lead makes the candidate the leader of its term: it stops its election
// timeout, expects every server to hold what comes after its own last
// entry, tells the checks (raft.Elected), and sends AppendEntries at once.
// The heartbeat campaign started goes on.
func (s *Server) lead(ctx *sim.Context) {
	// TODO(lab): become the leader; set next and match for every server
	// (match of this server: its last index), an empty proposed, record
	// &raft.Elected{Term: s.term}, then broadcast.
	//lab:solution
	s.role, s.leader = leader, s.me
	ctx.CancelTimer(s.election)
	s.next, s.match = make([]int64, len(s.ids)), make([]int64, len(s.ids))
	for i := range s.next {
		s.next[i] = s.log.Last() + 1
	}
	s.match[s.me] = s.log.Last()
	s.proposed = map[uint64]int64{}
	ctx.Record(&raft.Elected{Term: s.term})
	s.broadcast(ctx)
	//lab:end
}
