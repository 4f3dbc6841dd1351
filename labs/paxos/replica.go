package paxoslab

import (
	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols/paxos"
	"github.com/dsimlab/dsim/protocols/raft"
	"github.com/dsimlab/dsim/sim"
)

// Part 3: the replica (learner). Read "Part 3" in README.md first.

// catchUpBatch is the most chosen commands one paxos.Chosen carries.
const catchUpBatch = 64

// follow accepts server i, whose message has ballot b, as the leader, if
// no higher ballot is known: a candidate or leader below b steps down.
func (s *Server) follow(ctx *sim.Context, i int, b paxos.Ballot) {
	// TODO(lab): then a follower believes in i, and restarts its
	// election timeout.
	//lab:solution
	if s.role != follower && s.ballot.Less(b) {
		s.stepDown(ctx)
	}
	if s.role == follower {
		s.leader = i
		s.resetElection(ctx)
	}
	//lab:end
}

// onHeartbeat follows a live leader and learns how far the log is chosen;
// a heartbeat below the promised ballot is refused.
func (s *Server) onHeartbeat(ctx *sim.Context, i int, m *paxos.Heartbeat) {
	// TODO(lab): observe, refuse (paxos.Nack) a ballot below the promise,
	// else follow and learnCommit.
	//lab:solution
	s.observe(m.B)
	if m.B.Less(s.promised) {
		s.send(ctx, i, &paxos.Nack{B: m.B, Promised: s.promised})
		return
	}
	s.follow(ctx, i, m.B)
	s.learnCommit(ctx, i, m.B, m.Commit)
	//lab:end
}

// learnCommit learns from leader i, of ballot b, that every slot up to
// commit is chosen. A slot whose accepted ballot is b holds the chosen
// command (a leader proposes one command per slot per ballot); the rest
// are fetched from the leader (paxos.CatchUp), at most every Retry/2.
func (s *Server) learnCommit(ctx *sim.Context, i int, b paxos.Ballot, commit int64) {
	// TODO(lab): learn in slot order from applied+1, stopping at the
	// first slot not accepted with b; ask for the rest.
	//lab:solution
	for slot := s.applied + 1; slot <= commit; slot++ {
		if s.chosen(slot) != nil {
			continue
		}
		p := s.acceptedAt(slot)
		if p.Cmd == nil || p.B != b {
			break
		}
		s.learn(ctx, slot, p.Cmd)
	}
	if s.applied < commit && ctx.Now() >= s.catchUpAt {
		s.catchUpAt = ctx.Now().Add(s.cfg.Retry / 2)
		s.send(ctx, i, &paxos.CatchUp{From: s.applied + 1})
	}
	//lab:end
}

// onCatchUp answers with the chosen commands from m.From on, at most
// catchUpBatch of them, if this server applied m.From.
func (s *Server) onCatchUp(ctx *sim.Context, i int, m *paxos.CatchUp) {
	// TODO(lab): a copy of the log's commands, never the log itself.
	//lab:solution
	if m.From < 1 || m.From > s.applied {
		return
	}
	end := min(s.applied, m.From+catchUpBatch-1)
	s.send(ctx, i, &paxos.Chosen{From: m.From, Cmds: append([]*paxos.Cmd(nil), s.log[m.From:end+1]...)})
	//lab:end
}

// onChosen learns chosen commands; after a full batch it asks at once for
// more.
func (s *Server) onChosen(ctx *sim.Context, i int, m *paxos.Chosen) {
	// TODO(lab): learn each; a full batch that ended past applied means
	// there may be more.
	//lab:solution
	for k, cmd := range m.Cmds {
		s.learn(ctx, m.From+int64(k), cmd)
	}
	if len(m.Cmds) == catchUpBatch && m.From+catchUpBatch > s.applied {
		s.catchUpAt = ctx.Now().Add(s.cfg.Retry / 2)
		s.send(ctx, i, &paxos.CatchUp{From: s.applied + 1})
	}
	//lab:end
}

// learn records that cmd is chosen at slot, and applies every slot that
// is now known in order.
func (s *Server) learn(ctx *sim.Context, slot int64, cmd *paxos.Cmd) {
	// TODO(lab): grow the log; a slot learned already stays as it is.
	//lab:solution
	for int64(len(s.log)) <= slot {
		s.log = append(s.log, nil)
	}
	if s.log[slot] != nil {
		return
	}
	s.log[slot] = cmd
	for s.applied+1 < int64(len(s.log)) && s.log[s.applied+1] != nil {
		s.applied++
		s.apply(ctx, s.applied, s.log[s.applied])
	}
	//lab:end
}

// apply applies the command of slot to the state machine, and tells the
// checks (a paxos.Fact of kind checker.PaxosApply, with no ballot); the
// leader answers the client.
func (s *Server) apply(ctx *sim.Context, slot int64, cmd *paxos.Cmd) {
	// TODO(lab): record the fact; the no-op changes nothing; s.sm.Apply
	// takes the command as a raft.Cmd (the same fields) and executes it
	// once per session and sequence number. A leader replies with the
	// result if it is this command's (r.Seq == cmd.Seq): a duplicate
	// gets the first result again.
	//lab:solution
	ctx.Record(paxos.NewFact(checker.PaxosApply, slot, paxos.Ballot{}, cmd.ID))
	if cmd.IsNoop() {
		return
	}
	r, _ := s.sm.Apply(&raft.Cmd{Session: cmd.Session, Seq: cmd.Seq, Op: cmd.Op, Key: cmd.Key,
		Value: cmd.Value, Expected: cmd.Expected, ID: cmd.ID})
	if s.role == leader && r.Seq == cmd.Seq {
		ctx.Send(cmd.Client, &paxos.Reply{Seq: r.Seq, Value: r.Value, OK: r.OK, Leader: s.me})
	}
	//lab:end
}

// onRequest serves a client's command: the leader proposes it at the next
// free slot, once per session and sequence number; a follower passes it on
// to the leader it believes in, or tells the client it does not lead.
func (s *Server) onRequest(ctx *sim.Context, from sim.NodeID, m *paxos.Request) {
	// TODO(lab): a command already proposed by this leader is in flight:
	// ignore it (the reply comes when it is applied).
	//lab:solution
	cmd := m.Cmd
	switch {
	case s.role == leader:
		if s.proposed[cmd.Session] >= cmd.Seq {
			return
		}
		s.proposed[cmd.Session] = cmd.Seq
		s.next++
		s.propose(ctx, s.next-1, cmd)
	case s.leader >= 0 && !m.Forwarded:
		s.send(ctx, s.leader, &paxos.Request{Cmd: cmd, Forwarded: true})
	case !m.Forwarded:
		ctx.Send(from, &paxos.NotLeader{Seq: cmd.Seq, Leader: s.leader})
	}
	//lab:end
}
