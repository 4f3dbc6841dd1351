// Package paxoslab is the Paxos lab of dsim: your Multi-Paxos key-value
// servers, run among dsim's Paxos clients and checks (paxos.NewClusterOf).
// README.md teaches the protocol, the parts of the lab and the tools; `go
// run ./cmd/paxoslab lab test` grades your work.
//
// This file is given whole. You write acceptor.go (part 1), leader.go
// (part 2) and replica.go (part 3), where the comments that start with
// TODO(lab) say what each function must do.
package paxoslab

import (
	"strconv"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/paxos"
	"github.com/dsimlab/dsim/protocols/raft"
	"github.com/dsimlab/dsim/sim"
)

// Protocol is your Multi-Paxos as dsim runs it: the scenario protocol
// "paxos-lab", dsim's Paxos clients and checks around your servers, with
// paxos's parameters (but variant).
func Protocol() protocols.Protocol { return paxos.ProtocolOf("paxos-lab", NewServer) }

// role is what a server is: a follower, a candidate for leadership (phase
// 1 under way), or the leader (phase 1 done: it proposes).
type role int

const (
	follower role = iota
	candidate
	leader
)

// noop is the command a new leader proposes for a slot nobody asked for.
var noop = &paxos.Cmd{ID: checker.PaxosNoop}

// proposal is what an acceptor accepted at a slot: a ballot and a command
// (nil: nothing accepted).
type proposal struct {
	B   paxos.Ballot
	Cmd *paxos.Cmd
}

// inflight is a leader's proposal waiting for a majority to accept it.
type inflight struct {
	cmd    *paxos.Cmd
	acks   map[int]bool // the servers that accepted it
	sentAt sim.Time
}

// Server is one replica of the key-value store: an acceptor (part 1), a
// proposer when it leads (part 2) and a learner that applies the chosen
// commands to its state machine (part 3). Only the acceptor's state is on
// disk; everything else is lost in a crash and rebuilt.
type Server struct {
	cfg paxos.Config
	me  int          // this server's index: 0 is n1
	ids []sim.NodeID // the servers' node ids, by index

	// Acceptor: durable (acceptor.go).
	promised paxos.Ballot // the highest ballot promised; it covers every slot
	accepted []proposal   // by slot (index 0 unused)

	// Replica (replica.go).
	log       []*paxos.Cmd // the chosen commands by slot (index 0 unused); nil: not known yet
	applied   int64        // every slot up to applied is known and applied
	sm        raft.Machine // the key-value state machine with client sessions (Raft's: the same commands)
	catchUpAt sim.Time     // when a follower may ask for chosen commands again

	// Leadership (leader.go).
	role     role
	ballot   paxos.Ballot // this server's ballot as candidate or leader
	seen     paxos.Ballot // the highest ballot seen in any message
	leader   int          // the index of the believed leader, or -1
	election sim.TimerID  // a follower or candidate campaigns when it fires

	// Candidate.
	from     int64                 // the first slot phase 1 asks about
	promises map[int]bool          // the servers that promised this ballot
	found    map[int64]paxos.Entry // per slot: the highest-ballot proposal (or a chosen value) the promises reported
	sentAt   sim.Time              // when the prepares were last sent

	// Leader.
	next     int64               // the next free slot
	props    map[int64]*inflight // the proposals waiting for a majority, by slot
	proposed map[uint64]int64    // per client session: the highest sequence number proposed
}

// NewServer returns the factory of server number i (0 is n1) of a cluster
// configured by cfg: a fresh Server at boot and at every restart.
func NewServer(cfg paxos.Config, i int) sim.Factory {
	return func() sim.Node { return &Server{cfg: cfg, me: i} }
}

// Timer tags: the election timeout, and the tick of a candidate or a
// leader of a ballot.
type (
	electionTimeout struct{}
	tick            struct{ b paxos.Ballot }
)

func (electionTimeout) String() string { return "election timeout" }
func (t tick) String() string          { return "tick of " + t.b.String() }

// Start boots the server: it finds the servers' node ids, reads its
// acceptor's state back from disk, and starts as a follower that has
// learned nothing.
func (s *Server) Start(ctx *sim.Context) {
	s.ids = make([]sim.NodeID, s.cfg.Servers)
	for i := range s.ids {
		id, ok := ctx.Lookup("n" + strconv.Itoa(i+1))
		if !ok {
			panic("paxoslab: no server named n" + strconv.Itoa(i+1))
		}
		s.ids[i] = id
	}
	s.accepted = make([]proposal, 1)
	s.load(ctx)
	s.log = make([]*paxos.Cmd, 1)
	s.sm = raft.NewMachine()
	s.seen, s.leader = s.promised, -1
	s.resetElection(ctx)
}

// Timer handles the election timeout, which starts a campaign, and the
// tick of the server's ballot, every heartbeat while it is a candidate or
// the leader: a leader sends heartbeats and resends the proposals not yet
// accepted, a candidate resends its prepares.
func (s *Server) Timer(ctx *sim.Context, tag any) {
	switch t := tag.(type) {
	case electionTimeout:
		if s.role != leader {
			s.campaign(ctx)
		}
	case tick:
		if t.b != s.ballot || s.role == follower {
			return
		}
		if now := ctx.Now(); s.role == leader {
			s.heartbeat(ctx)
			s.retransmit(ctx, now)
		} else if now.Sub(s.sentAt) >= s.cfg.Retry/2 {
			s.sendPrepares(ctx)
		}
		ctx.SetTimer(s.cfg.Heartbeat, t)
	}
}

// Receive dispatches a message to its handler. Messages of the servers
// from anyone else are ignored.
func (s *Server) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	if m, ok := msg.(*paxos.Request); ok {
		s.onRequest(ctx, from, m)
		return
	}
	i := s.index(from)
	if i < 0 {
		return
	}
	switch m := msg.(type) {
	case *paxos.Prepare:
		s.onPrepare(ctx, i, m)
	case *paxos.Promise:
		s.onPromise(ctx, i, m)
	case *paxos.Nack:
		s.onNack(ctx, m)
	case *paxos.Accept:
		s.onAccept(ctx, i, m)
	case *paxos.Accepted:
		s.onAccepted(ctx, i, m)
	case *paxos.Heartbeat:
		s.onHeartbeat(ctx, i, m)
	case *paxos.CatchUp:
		s.onCatchUp(ctx, i, m)
	case *paxos.Chosen:
		s.onChosen(ctx, i, m)
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

// observe notes a ballot seen in a message: a campaign goes above it.
func (s *Server) observe(b paxos.Ballot) {
	if s.seen.Less(b) {
		s.seen = b
	}
}

// resetElection restarts the election timeout: uniform in [T, 2T), from
// the server's own random stream.
func (s *Server) resetElection(ctx *sim.Context) {
	t := s.cfg.ElectionTimeout
	ctx.CancelTimer(s.election)
	s.election = ctx.SetTimer(t+time.Duration(ctx.Rand().Int64N(int64(t))), electionTimeout{})
}

// backoff restarts the election timeout with a random backoff in [B, 5B)
// instead, after a refused campaign, so that two candidates stop refusing
// each other.
func (s *Server) backoff(ctx *sim.Context) {
	b := s.cfg.Backoff
	ctx.CancelTimer(s.election)
	s.election = ctx.SetTimer(b+time.Duration(ctx.Rand().Int64N(4*int64(b))), electionTimeout{})
}

// acceptedAt returns what this server's acceptor accepted at slot.
func (s *Server) acceptedAt(slot int64) proposal {
	if slot < int64(len(s.accepted)) {
		return s.accepted[slot]
	}
	return proposal{}
}

// chosen returns the command learned as chosen at slot, or nil.
func (s *Server) chosen(slot int64) *paxos.Cmd {
	if slot < int64(len(s.log)) {
		return s.log[slot]
	}
	return nil
}
