package raft

import (
	"math/bits"
	"time"

	"github.com/dsimlab/dsim/sim"
)

// role is what a server is in its term.
type role uint8

const (
	follower role = iota
	candidate
	leader
)

var roleNames = [...]string{"follower", "candidate", "leader"}

// server is one Raft server with the key-value state machine on top. Its
// term, vote and log are on disk (persist.go) before it acts on them;
// everything else is volatile and rebuilt when it restarts.
type server struct {
	g    *group
	me   int // index among the servers
	disk disk

	// Durable state, mirrored in memory.
	term int64
	vote int // index of the server voted for in term, or noVote
	log  raftLog

	// Volatile state of every server.
	role      role
	leader    int   // the leader of term as far as this server knows, or -1
	commit    int64 // highest index known committed
	applied   int64 // highest index applied to sm
	sm        Machine
	snapState []byte // sm as it was at log.snapIndex, encoded; nil: no snapshot
	election  sim.TimerID

	// Candidate: bit i is set when server i granted its vote.
	votes uint64

	// Leader.
	next     []int64          // per server: the next index to send it
	match    []int64          // per server: highest index known to match
	proposed map[uint64]int64 // session -> highest sequence number appended in this term
	scratch  []int64
}

// Start boots the server: it reads its term, vote, snapshot and log back
// from disk and starts as a follower that has applied only its snapshot.
func (s *server) Start(ctx *sim.Context) {
	s.g.resolve(ctx)
	s.disk = disk{store: ctx.Storage(), variant: s.g.cfg.Variant, keys: &s.g.keys}
	st, err := s.disk.load()
	if err != nil {
		panic(ctx.Name() + ": " + err.Error()) // the disk is ours: corruption is a bug
	}
	s.term, s.vote, s.log = st.term, st.vote, st.log
	s.sm = NewMachine()
	if st.state != nil {
		if s.sm, err = decodeMachine(st.state); err != nil {
			panic(ctx.Name() + ": load snapshot: " + err.Error())
		}
		s.snapState = st.state
	}
	s.commit, s.applied, s.leader = s.log.snapIndex, s.log.snapIndex, -1
	n := len(s.log.entries)
	ctx.Record(&LogWrite{From: s.log.snapIndex + 1, Entries: s.log.entries[:n:n], Restart: true})
	s.resetElection(ctx)
}

// Timer handles the election timeout and the heartbeat.
func (s *server) Timer(ctx *sim.Context, tag any) {
	switch t := tag.(type) {
	case electionTimeout:
		if s.role != leader {
			s.campaign(ctx)
		}
	case heartbeatTick:
		if t.term != s.term || s.role == follower {
			return
		}
		if s.role == leader {
			s.broadcast(ctx)
		} else {
			s.requestVotes(ctx)
		}
		ctx.SetTimer(s.g.cfg.Heartbeat, t)
	}
}

// Receive dispatches a message to its handler; anything else is ignored,
// and so is a server message from a node that is not a server.
func (s *server) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	if m, ok := msg.(*Request); ok {
		s.onRequest(ctx, from, m)
		return
	}
	i := s.g.index(from)
	if i < 0 {
		return
	}
	switch m := msg.(type) {
	case *AppendEntries:
		s.onAppendEntries(ctx, i, m)
	case *AppendReply:
		s.onAppendReply(ctx, i, m)
	case *RequestVote:
		s.onRequestVote(ctx, i, m)
	case *Vote:
		s.onVote(ctx, i, m)
	case *InstallSnapshot:
		s.onInstallSnapshot(ctx, i, m)
	case *SnapshotReply:
		s.onSnapshotReply(ctx, i, m)
	}
}

// send sends msg to server i.
func (s *server) send(ctx *sim.Context, i int, msg any) { ctx.Send(s.g.ids[i], msg) }

// resetElection restarts the election timeout: uniform in [T, 2T).
func (s *server) resetElection(ctx *sim.Context) {
	t := s.g.cfg.ElectionTimeout
	ctx.CancelTimer(s.election)
	s.election = ctx.SetTimer(t+time.Duration(ctx.Rand().Int64N(int64(t))), electionTimeout{})
}

// quorum reports whether set holds a majority of the servers.
func (s *server) quorum(set uint64) bool { return bits.OnesCount64(set) >= s.g.cfg.quorum() }

// --- Terms and elections ----------------------------------------------------

// observeTerm moves to a higher term seen in a message, as a follower
// without a vote in it, on disk before anything else. A leader that steps
// down starts waiting for the next leader.
func (s *server) observeTerm(ctx *sim.Context, term int64) {
	if term <= s.term {
		return
	}
	s.term, s.vote = term, noVote
	s.disk.saveHard(s.term, s.vote)
	s.follow(ctx, -1)
}

// follow makes the server a follower of server who (-1: unknown) in its
// term.
func (s *server) follow(ctx *sim.Context, who int) {
	if s.role == leader {
		s.resetElection(ctx) // a leader has no election timeout running
	}
	s.role, s.leader = follower, who
	s.next, s.match, s.proposed = nil, nil, nil
	if s.g.cfg.Variant != CountStaleVotes {
		s.votes = 0 // a tally counts only in its own candidacy
	}
}

// campaign starts an election: a new term, a vote for itself on disk,
// then a RequestVote to every other server.
func (s *server) campaign(ctx *sim.Context) {
	s.term++
	s.vote, s.role, s.leader = s.me, candidate, -1
	s.disk.saveHard(s.term, s.vote)
	if s.g.cfg.Variant != CountStaleVotes {
		s.votes = 0 // only votes granted in this term count
	}
	s.votes |= 1 << s.me
	s.resetElection(ctx)
	ctx.SetTimer(s.g.cfg.Heartbeat, heartbeatTick{s.term}) // the leader's too, if it wins
	if s.quorum(s.votes) {
		s.lead(ctx)
		return
	}
	s.requestVotes(ctx)
}

// requestVotes asks the servers that have not granted their vote yet.
func (s *server) requestVotes(ctx *sim.Context) {
	m := &RequestVote{Term: s.term, LastIndex: s.log.last(), LastTerm: s.log.lastTerm()}
	for i := range s.g.ids {
		if s.votes&(1<<i) == 0 {
			s.send(ctx, i, m)
		}
	}
}

// onRequestVote grants the vote of this term to the first candidate that
// asks whose log is at least as up to date as this server's, on disk
// before the answer.
func (s *server) onRequestVote(ctx *sim.Context, i int, m *RequestVote) {
	s.observeTerm(ctx, m.Term)
	grant := m.Term == s.term && (s.vote == noVote || s.vote == i) &&
		(s.g.cfg.Variant == VoteAnyLog || s.log.upToDate(m.LastTerm, m.LastIndex))
	if grant {
		if s.vote != i {
			s.vote = i
			s.disk.saveHard(s.term, s.vote)
		}
		s.resetElection(ctx)
	}
	s.send(ctx, i, &Vote{Term: s.term, Granted: grant})
}

// onVote counts a vote granted in the candidate's term (in the
// CountStaleVotes variant, a vote granted in any term, which it also keeps
// from one candidacy to the next) and leads once a majority granted
// theirs.
func (s *server) onVote(ctx *sim.Context, i int, m *Vote) {
	s.observeTerm(ctx, m.Term)
	if s.role != candidate || !m.Granted || m.Term != s.term && s.g.cfg.Variant != CountStaleVotes {
		return
	}
	s.votes |= 1 << i
	if s.quorum(s.votes) {
		s.lead(ctx)
	}
}

// lead makes the candidate the leader of its term: it stops its election
// timeout and starts sending every server AppendEntries from the end of
// its log; the heartbeat the candidate started goes on.
func (s *server) lead(ctx *sim.Context) {
	s.role, s.leader = leader, s.me
	if s.g.cfg.Variant != CountStaleVotes {
		s.votes = 0
	}
	ctx.CancelTimer(s.election)
	n := len(s.g.ids)
	s.next, s.match = make([]int64, n), make([]int64, n)
	for i := range s.next {
		s.next[i] = s.log.last() + 1
	}
	s.match[s.me] = s.log.last()
	s.proposed = map[uint64]int64{}
	ctx.Record(&Elected{Term: s.term})
	s.broadcast(ctx)
}
