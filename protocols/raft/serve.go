package raft

import (
	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/sim"
)

// onRequest serves a client's command. The leader appends it to its log,
// once per session and sequence number in its term, and answers when it
// applies it; a command applied already is answered at once. A follower
// passes the command on to the leader it knows, or tells the client it
// does not lead. In the FollowerReads variant a follower answers a get
// from its own state machine.
func (s *server) onRequest(ctx *sim.Context, from sim.NodeID, m *Request) {
	cmd := m.Cmd
	switch {
	case s.role == leader:
		if s.sm.applied(cmd.Session, cmd.Seq) {
			if r := s.sm.sessions[cmd.Session].result; r.Seq == cmd.Seq {
				r.Leader = s.me
				ctx.Send(cmd.Client, &r)
			}
			return
		}
		if s.proposed[cmd.Session] >= cmd.Seq {
			return // in the log already, waiting to be committed
		}
		s.proposed[cmd.Session] = cmd.Seq
		s.appendCmd(ctx, cmd)
	case s.g.cfg.Variant == FollowerReads && cmd.Op == checker.KVGet:
		ctx.Send(cmd.Client, &Reply{Seq: cmd.Seq, Value: s.sm.kv[cmd.Key], Leader: s.leader})
	case s.leader >= 0 && !m.Forwarded:
		s.send(ctx, s.leader, &Request{Cmd: cmd, Forwarded: true})
	case !m.Forwarded:
		ctx.Send(from, &NotLeader{Seq: cmd.Seq, Leader: s.leader})
	}
}

// appendCmd appends cmd to the leader's log, on disk, and sends it on to
// the followers. The leader counts its own copy at once: it is synced.
func (s *server) appendCmd(ctx *sim.Context, cmd *Cmd) {
	s.write(ctx, s.log.last()+1, []*Entry{{Term: s.term, Cmd: cmd}})
	s.match[s.me], s.next[s.me] = s.log.last(), s.log.last()+1
	s.broadcast(ctx)
	s.advanceCommit(ctx)
}
