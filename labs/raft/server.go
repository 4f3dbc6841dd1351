// Package raftlab is the Raft lab of dsim: your Raft servers, run among
// dsim's Raft clients and checks (raft.NewClusterOf). README.md teaches the
// protocol, the parts of the lab and the tools; `go run ./cmd/raftlab lab
// test` grades your work.
//
// This file and log.go are given whole. You write election.go (part 1),
// replicate.go (part 2) and persist.go (part 3), where the comments that
// start with TODO(lab) say what each function must do.
package raftlab

import (
	"strconv"
	"time"

	"github.com/dsimlab/dsim/protocols/raft"
	"github.com/dsimlab/dsim/sim"
)

// role is what a server is in its current term.
type role int

const (
	follower role = iota
	candidate
	leader
)

// noVote is the vote of a server that has not voted in its term, and the
// leader of a term nobody is known to lead.
const noVote = -1

// Server is one Raft server with the key-value state machine on top. Term,
// vote and log are written to disk (persist.go) before the server acts on
// them; everything else is lost in a crash, and a restarted server starts
// again from Start with what it reads back from its disk.
type Server struct {
	cfg raft.Config
	me  int          // this server's index: 0 is n1
	ids []sim.NodeID // the servers' node ids, by index

	// Durable state: on disk before the server acts on it.
	term int64 // the latest term this server has seen
	vote int   // the server it voted for in term, or noVote
	log  Log   // the log: index 1 is the first entry

	// Volatile state of every server.
	role     role
	leader   int   // the leader of term as far as this server knows, or noVote
	commit   int64 // the highest index known to be committed
	applied  int64 // the highest index applied to sm
	sm       raft.Machine
	election sim.TimerID // the election timeout, while one runs

	// Candidate: the servers that granted their vote in this term.
	votes map[int]bool

	// Leader.
	next     []int64          // per server: the next index to send it
	match    []int64          // per server: the highest index known to match the leader's log
	proposed map[uint64]int64 // per client session: the highest sequence number appended in this term
}

// NewServer returns the factory of server number i (0 is n1) of a cluster
// configured by cfg: a fresh Server at boot and at every restart.
func NewServer(cfg raft.Config, i int) sim.Factory {
	return func() sim.Node { return &Server{cfg: cfg, me: i} }
}

// Timer tags: the election timeout, and the heartbeat of a candidate or a
// leader of a term.
type (
	electionTimeout struct{}
	heartbeat       struct{ term int64 }
)

func (electionTimeout) String() string { return "election timeout" }
func (t heartbeat) String() string     { return "heartbeat of term " + strconv.FormatInt(t.term, 10) }

// Start boots the server: it finds the servers' node ids, reads its term,
// vote and log back from disk, tells the checks what log it found, and
// starts as a follower that has applied nothing.
func (s *Server) Start(ctx *sim.Context) {
	s.ids = make([]sim.NodeID, s.cfg.Servers)
	for i := range s.ids {
		id, ok := ctx.Lookup("n" + strconv.Itoa(i+1))
		if !ok {
			panic("raftlab: no server named n" + strconv.Itoa(i+1))
		}
		s.ids[i] = id
	}
	s.vote, s.leader = noVote, noVote
	s.sm = raft.NewMachine()
	s.load(ctx)
	ctx.Record(&raft.LogWrite{From: 1, Entries: s.log.From(1, int(s.log.Last())), Restart: true})
	s.resetElection(ctx)
}

// Receive dispatches a message to its handler. Messages of the servers
// from anyone else are ignored.
func (s *Server) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	if m, ok := msg.(*raft.Request); ok {
		s.onRequest(ctx, from, m)
		return
	}
	i := s.index(from)
	if i < 0 {
		return
	}
	switch m := msg.(type) {
	case *raft.RequestVote:
		s.onRequestVote(ctx, i, m)
	case *raft.Vote:
		s.onVote(ctx, i, m)
	case *raft.AppendEntries:
		s.onAppendEntries(ctx, i, m)
	case *raft.AppendReply:
		s.onAppendReply(ctx, i, m)
	}
}

// Timer handles the election timeout and the heartbeat: a leader sends
// every follower AppendEntries, a candidate asks again for the votes it
// lacks, every heartbeat of its term.
func (s *Server) Timer(ctx *sim.Context, tag any) {
	switch t := tag.(type) {
	case electionTimeout:
		if s.role != leader {
			s.campaign(ctx)
		}
	case heartbeat:
		if t.term != s.term || s.role == follower {
			return
		}
		if s.role == leader {
			s.broadcast(ctx)
		} else {
			s.requestVotes(ctx)
		}
		ctx.SetTimer(s.cfg.Heartbeat, t)
	}
}

// onRequest serves a client's command. The leader appends it to its log,
// once per session and sequence number in its term, and answers when it
// applies it (applyCommitted). A follower passes the command on to the
// leader it knows, or tells the client it does not lead.
func (s *Server) onRequest(ctx *sim.Context, from sim.NodeID, m *raft.Request) {
	cmd := m.Cmd
	switch {
	case s.role == leader:
		if s.proposed[cmd.Session] >= cmd.Seq {
			return // in the log already, waiting to be committed
		}
		s.proposed[cmd.Session] = cmd.Seq
		s.appendCmd(ctx, cmd)
	case s.leader >= 0 && !m.Forwarded:
		s.send(ctx, s.leader, &raft.Request{Cmd: cmd, Forwarded: true})
	case !m.Forwarded:
		ctx.Send(from, &raft.NotLeader{Seq: cmd.Seq, Leader: s.leader})
	}
}

// send sends msg to server i.
func (s *Server) send(ctx *sim.Context, i int, msg any) { ctx.Send(s.ids[i], msg) }

// index returns the server index of node id, or -1 for a client.
func (s *Server) index(id sim.NodeID) int {
	for i, sid := range s.ids {
		if sid == id {
			return i
		}
	}
	return -1
}

// quorum reports whether n servers are a majority of them all.
func (s *Server) quorum(n int) bool { return n > len(s.ids)/2 }

// resetElection restarts the election timeout: uniform in [T, 2T), drawn
// from the server's own random stream, so that servers rarely time out
// together.
func (s *Server) resetElection(ctx *sim.Context) {
	t := s.cfg.ElectionTimeout
	ctx.CancelTimer(s.election)
	s.election = ctx.SetTimer(t+time.Duration(ctx.Rand().Int64N(int64(t))), electionTimeout{})
}
