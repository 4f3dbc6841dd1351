package paxoslab

import (
	"maps"
	"slices"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols/paxos"
	"github.com/dsimlab/dsim/sim"
)

// Part 2: the leader (proposer). Read "Part 2" in README.md first.

// stepDown gives up candidacy or leadership. A leader, which runs no
// election timeout, starts one.
func (s *Server) stepDown(ctx *sim.Context) {
	if s.role == follower {
		return
	}
	if s.role == leader {
		s.resetElection(ctx)
	}
	s.role = follower
	s.promises, s.found, s.props, s.proposed = nil, nil, nil, nil
	if s.leader == s.me {
		s.leader = -1
	}
}

// yield gives way to a candidate whose ballot b this server just
// promised: a candidate or leader with a lower ballot steps down, and a
// follower gives the candidate time to win before campaigning itself.
func (s *Server) yield(ctx *sim.Context, b paxos.Ballot) {
	if s.role != follower && s.ballot.Less(b) {
		s.stepDown(ctx)
	}
	if s.role == follower {
		s.leader = -1
		s.resetElection(ctx)
	}
}

// campaign starts phase 1 with a ballot above every ballot seen.
func (s *Server) campaign(ctx *sim.Context) {
	// TODO(lab): step down, become a candidate with ballot (the highest
	// round seen or promised + 1, this server's index), restart the
	// election timeout (if this campaign stalls, the next one starts
	// then), start the tick of the ballot (ctx.SetTimer(s.cfg.Heartbeat,
	// tick{s.ballot})), promise the ballot (a failed promise ends the
	// campaign), count this server's own promise (addPromise with its
	// entries from applied+1), and send the prepares if still a
	// candidate.
	//lab:solution
	s.stepDown(ctx)
	s.role, s.leader = candidate, -1
	s.ballot = paxos.Ballot{Round: max(s.seen.Round, s.promised.Round) + 1, Node: int32(s.me)}
	s.observe(s.ballot)
	s.from = s.applied + 1
	s.promises, s.found = map[int]bool{}, map[int64]paxos.Entry{}
	s.resetElection(ctx)
	ctx.SetTimer(s.cfg.Heartbeat, tick{s.ballot})
	if !s.promise(ctx, s.ballot) {
		s.stepDown(ctx)
		return
	}
	s.addPromise(ctx, s.me, s.entries(s.from))
	if s.role == candidate {
		s.sendPrepares(ctx)
	}
	//lab:end
}

// sendPrepares sends phase 1a to every server that has not promised yet.
func (s *Server) sendPrepares(ctx *sim.Context) {
	// TODO(lab): a paxos.Prepare of the ballot from slot s.from; note
	// when (s.sentAt), for the tick to send them again.
	//lab:solution
	s.sentAt = ctx.Now()
	m := &paxos.Prepare{B: s.ballot, From: s.from}
	for i := range s.ids {
		if !s.promises[i] {
			s.send(ctx, i, m)
		}
	}
	//lab:end
}

// onPromise counts a promise of this candidate's ballot.
func (s *Server) onPromise(ctx *sim.Context, i int, m *paxos.Promise) {
	// TODO(lab): only while a candidate, for its own ballot, once per
	// server.
	//lab:solution
	if s.role == candidate && m.B == s.ballot && !s.promises[i] {
		s.addPromise(ctx, i, m.Entries)
	}
	//lab:end
}

// addPromise notes server i's promise and what it reported: for each
// slot, the proposal with the highest ballot wins (a chosen value beats
// any). With a majority of promises, the candidate leads.
func (s *Server) addPromise(ctx *sim.Context, i int, entries []paxos.Entry) {
	// TODO(lab): this is where Paxos is safe: a value that may have been
	// chosen was accepted by a majority, and every majority of promises
	// includes one of them, with the highest ballot of the slot.
	//lab:solution
	s.promises[i] = true
	for _, e := range entries {
		f, ok := s.found[e.Slot]
		switch {
		case f.Chosen:
		case e.Chosen, !ok, f.B.Less(e.B):
			s.found[e.Slot] = e
		}
	}
	if s.quorum(len(s.promises)) {
		s.lead(ctx)
	}
	//lab:end
}

// lead makes the candidate the leader: every slot after the applied ones,
// up to the highest one reported, gets the value found there (learned, if
// a promise said it was chosen; proposed again otherwise), or the no-op;
// new commands go after.
func (s *Server) lead(ctx *sim.Context) {
	// TODO(lab): become the leader (no election timeout; empty props and
	// proposed; next after the highest slot found or known); then each
	// slot, in order: skip it if chosen already (s.chosen), learn a
	// chosen value, propose the value found, or propose noop. Then send a
	// heartbeat.
	//lab:solution
	s.role, s.leader = leader, s.me
	ctx.CancelTimer(s.election)
	s.props, s.proposed = map[int64]*inflight{}, map[uint64]int64{}
	found := s.found
	s.found = nil
	top := max(s.applied, int64(len(s.log))-1)
	for slot := range found { // order does not matter: only the maximum
		top = max(top, slot)
	}
	s.next = top + 1
	for slot := s.applied + 1; slot <= top; slot++ {
		f, ok := found[slot]
		switch {
		case s.chosen(slot) != nil:
		case ok && f.Chosen:
			s.learn(ctx, slot, f.Cmd)
		case ok:
			s.propose(ctx, slot, f.Cmd)
		default:
			s.propose(ctx, slot, noop)
		}
	}
	if s.role == leader {
		s.heartbeat(ctx)
	}
	//lab:end
}

// propose is phase 2a: the leader asks every acceptor, itself first, to
// accept cmd at slot with its ballot, and tells the checks (a paxos.Fact
// of kind checker.PaxosPropose).
func (s *Server) propose(ctx *sim.Context, slot int64, cmd *paxos.Cmd) {
	// TODO(lab): only a leader proposes. Record the fact, keep the
	// proposal in props, accept it itself (if its acceptor refuses, a
	// higher ballot was promised: step down), send paxos.Accept (with the
	// commit index s.applied) to the others, and see if it is chosen
	// already (one server is a majority of one).
	//lab:solution
	if s.role != leader {
		return
	}
	ctx.Record(paxos.NewFact(checker.PaxosPropose, slot, s.ballot, cmd.ID))
	p := &inflight{cmd: cmd, acks: map[int]bool{}, sentAt: ctx.Now()}
	s.props[slot] = p
	if !s.accept(ctx, slot, s.ballot, cmd) {
		s.stepDown(ctx)
		return
	}
	p.acks[s.me] = true
	m := &paxos.Accept{B: s.ballot, Slot: slot, Cmd: cmd, Commit: s.applied}
	for i := range s.ids {
		if i != s.me {
			s.send(ctx, i, m)
		}
	}
	s.tryChoose(ctx, slot, p)
	//lab:end
}

// onAccepted counts an acceptance of this leader's proposal.
func (s *Server) onAccepted(ctx *sim.Context, i int, m *paxos.Accepted) {
	// TODO(lab): only a leader, for its ballot and a proposal waiting.
	//lab:solution
	if s.role != leader || m.B != s.ballot {
		return
	}
	if p := s.props[m.Slot]; p != nil {
		p.acks[i] = true
		s.tryChoose(ctx, m.Slot, p)
	}
	//lab:end
}

// tryChoose learns slot's command once a majority accepted it.
func (s *Server) tryChoose(ctx *sim.Context, slot int64, p *inflight) {
	// TODO(lab): then it is chosen: forget the proposal, learn it.
	//lab:solution
	if s.quorum(len(p.acks)) {
		delete(s.props, slot)
		s.learn(ctx, slot, p.cmd)
	}
	//lab:end
}

// retransmit resends, in slot order, the proposals that waited half a
// Retry to the acceptors that have not accepted them.
func (s *Server) retransmit(ctx *sim.Context, now sim.Time) {
	// TODO(lab): iterate props in slot order (slices.Sorted(maps.Keys)):
	// the order messages are sent must not depend on a map's.
	//lab:solution
	for _, slot := range slices.Sorted(maps.Keys(s.props)) {
		p := s.props[slot]
		if now.Sub(p.sentAt) < s.cfg.Retry/2 {
			continue
		}
		p.sentAt = now
		m := &paxos.Accept{B: s.ballot, Slot: slot, Cmd: p.cmd, Commit: s.applied}
		for i := range s.ids {
			if !p.acks[i] {
				s.send(ctx, i, m)
			}
		}
	}
	//lab:end
}

// heartbeat tells every follower that the leader is alive and how far the
// log is chosen (its applied slots).
func (s *Server) heartbeat(ctx *sim.Context) {
	// TODO(lab): a paxos.Heartbeat to every other server.
	//lab:solution
	m := &paxos.Heartbeat{B: s.ballot, Commit: s.applied}
	for i := range s.ids {
		if i != s.me {
			s.send(ctx, i, m)
		}
	}
	//lab:end
}

// onNack learns of a higher ballot promised: a candidate or leader it
// refused steps down and backs off before campaigning again.
func (s *Server) onNack(ctx *sim.Context, m *paxos.Nack) {
	// TODO(lab): observe m.Promised; step down and back off if the
	// refusal is of this server's ballot and the promised one is higher.
	//lab:solution
	s.observe(m.Promised)
	if s.role != follower && m.B == s.ballot && s.ballot.Less(m.Promised) {
		s.stepDown(ctx)
		s.backoff(ctx)
	}
	//lab:end
}
