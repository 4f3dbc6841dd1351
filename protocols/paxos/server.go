package paxos

import (
	"math/bits"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols/kv"
	"github.com/dsimlab/dsim/sim"
)

type role uint8

const (
	follower role = iota
	candidate
	leader
)

// catchUpBatch is the most chosen commands one Chosen message carries.
const catchUpBatch = 64

// session is what the state machine remembers of a client session: the
// last sequence number applied and its result, for at-most-once execution.
type session struct {
	seq    int64
	result Reply
}

// inflight is a proposal of the leader waiting for a quorum.
type inflight struct {
	cmd    *Cmd
	acks   uint64 // bit i: server i accepted
	sentAt sim.Time
}

// found is what a candidate learned about a slot from the promises.
type found struct {
	p      proposal
	chosen bool
}

// server is one replica of the Multi-Paxos key-value store: acceptor,
// proposer (when it leads) and learner, with the key-value state machine
// on top. Everything but the acceptor's state is volatile.
type server struct {
	cl  *Cluster
	me  int // index among the servers
	acc acceptor

	// Learner and state machine.
	log      []*Cmd // chosen commands by slot; nil: not known yet
	applied  int64  // every slot up to applied is known and applied
	kv       map[string]string
	sessions map[uint64]session

	// Leadership.
	role       role
	ballot     Ballot // own ballot as candidate or leader
	seen       Ballot // highest ballot seen anywhere
	leader     int    // index of the believed leader, or -1
	electionAt sim.Time

	// Candidate.
	promised uint64 // bit i: server i promised
	from     int64
	found    map[int64]found
	sentAt   sim.Time

	// Leader.
	next      int64
	props     map[int64]*inflight
	order     []int64          // slots of props, ascending, possibly stale
	proposed  map[uint64]int64 // session -> highest seq proposed by this leader
	contacted []sim.Time       // per server: when the leader last sent it anything

	// Follower.
	catchUpAt sim.Time
}

// Start boots the replica: it reloads its acceptor's state from disk and
// starts as a follower with an empty log and state machine.
func (s *server) Start(ctx *sim.Context) {
	cl := s.cl
	if err := s.acc.load(ctx.Storage(), cl.cfg.Variant, &cl.keys, func(slot int64, b Ballot, cmd *Cmd) {
		ctx.Record(cl.facts.accept(slot, b, cmd))
	}); err != nil {
		panic(ctx.Name() + ": " + err.Error()) // the disk is ours: corruption is a bug
	}
	s.log = make([]*Cmd, 1, 64)
	s.kv = map[string]string{}
	s.sessions = map[uint64]session{}
	s.seen = s.acc.promised
	s.leader = -1
	s.contacted = make([]sim.Time, cl.cfg.Servers)
	s.resetElection(ctx)
	ctx.SetTimer(s.tickEvery(), tick{})
}

// tickEvery returns the period of the server's tick: the heartbeat interval
// while it leads or campaigns; a follower, which only watches for a silent
// leader, ticks a quarter of an election timeout apart.
func (s *server) tickEvery() time.Duration {
	if s.role == follower {
		return max(s.cl.cfg.Heartbeat, s.cl.cfg.ElectionTimeout/4)
	}
	return s.cl.cfg.Heartbeat
}

// resetElection pushes the election deadline to a random point between one
// and two election timeouts from now.
func (s *server) resetElection(ctx *sim.Context) {
	t := s.cl.cfg.ElectionTimeout
	s.electionAt = ctx.Now().Add(t + time.Duration(ctx.Rand().Int64N(int64(t))))
}

// backoff pushes the election deadline by a random backoff, after a lost
// election or a refusal.
func (s *server) backoff(ctx *sim.Context) {
	b := s.cl.cfg.Backoff
	s.electionAt = ctx.Now().Add(b + time.Duration(ctx.Rand().Int64N(int64(b)*4)))
}

// Timer handles the periodic tick: a leader heartbeats and retransmits, a
// candidate retransmits or starts over, a follower campaigns if its leader
// has been silent too long.
func (s *server) Timer(ctx *sim.Context, tag any) {
	if s.slowDisk(ctx, tag) {
		return
	}
	if _, ok := tag.(tick); !ok {
		return
	}
	now := ctx.Now()
	switch s.role {
	case leader:
		s.heartbeat(ctx, now)
		s.retransmit(ctx, now)
	case candidate:
		if now >= s.electionAt {
			s.campaign(ctx)
		} else if now.Sub(s.sentAt) >= s.cl.cfg.Retry/2 {
			s.sendPrepares(ctx)
		}
	case follower:
		if now >= s.electionAt || s.spuriousElection(ctx) {
			s.campaign(ctx)
		}
	}
	ctx.SetTimer(s.tickEvery(), tick{})
}

// Receive dispatches a message to its handler; anything else is ignored.
func (s *server) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	if s.holdForDisk(ctx, from, msg) {
		return
	}
	switch m := msg.(type) {
	case *Accept:
		s.onAccept(ctx, from, m)
	case *Accepted:
		s.onAccepted(ctx, from, m)
	case *Heartbeat:
		s.onHeartbeat(ctx, from, m)
	case *Request:
		s.onRequest(ctx, from, m)
	case *Prepare:
		s.onPrepare(ctx, from, m)
	case *Promise:
		s.onPromise(ctx, from, m)
	case *Nack:
		s.onNack(ctx, m)
	case *CatchUp:
		s.onCatchUp(ctx, from, m)
	case *Chosen:
		s.onChosen(ctx, from, m)
	}
}

// send sends msg to server i.
func (s *server) send(ctx *sim.Context, i int, msg any) {
	ctx.Send(s.cl.servers[i], msg)
}

// index returns the server index of node id, or -1.
func (s *server) index(id sim.NodeID) int { return s.cl.index(id) }

func (s *server) quorum(set uint64) bool { return bits.OnesCount64(set) >= s.cl.quorum }

// observe notes ballot b seen in a message.
func (s *server) observe(b Ballot) {
	if s.seen.Less(b) {
		s.seen = b
	}
}

// stepDown gives up candidacy or leadership.
func (s *server) stepDown() {
	if s.role == follower {
		return
	}
	s.role = follower
	s.found, s.props, s.order, s.proposed = nil, nil, nil, nil
	if s.leader == s.me {
		s.leader = -1
	}
}

// follow accepts the sender of a message with ballot b as the leader, if b
// is at least as high as anything promised.
func (s *server) follow(ctx *sim.Context, i int, b Ballot) {
	if s.role != follower && s.ballot.Less(b) {
		s.stepDown()
	}
	if s.role == follower {
		s.leader = i
		s.resetElection(ctx)
	}
}

// --- Phase 1 -------------------------------------------------------------

// campaign starts an election with a ballot above every ballot seen.
func (s *server) campaign(ctx *sim.Context) {
	s.stepDown()
	s.role = candidate
	s.leader = -1
	s.ballot = Ballot{Round: max(s.seen.Round, s.acc.promised.Round) + 1, Node: int32(s.me)}
	s.observe(s.ballot)
	s.from = s.applied + 1
	s.found = map[int64]found{}
	s.promised = 0
	s.resetElection(ctx) // if this election stalls, try again after that
	s.cl.elections++
	if !s.acc.promise(s.ballot) {
		s.stepDown()
		return
	}
	s.addPromise(ctx, s.me, s.entries(s.from))
	if s.role == candidate {
		s.sendPrepares(ctx)
	}
}

func (s *server) sendPrepares(ctx *sim.Context) {
	s.sentAt = ctx.Now()
	m := &Prepare{B: s.ballot, From: s.from}
	for i := range s.cl.servers {
		if i != s.me && s.promised&(1<<i) == 0 {
			s.send(ctx, i, m)
		}
	}
}

// entries reports what this replica knows about slots from on.
func (s *server) entries(from int64) []Entry {
	var es []Entry
	top := max(s.acc.maxSlot(), int64(len(s.log))-1)
	for slot := from; slot <= top; slot++ {
		if slot < int64(len(s.log)) && s.log[slot] != nil {
			es = append(es, Entry{Slot: slot, Cmd: s.log[slot], Chosen: true})
		} else if p := s.acc.get(slot); p.cmd != nil {
			es = append(es, Entry{Slot: slot, B: p.ballot, Cmd: p.cmd})
		}
	}
	return es
}

func (s *server) onPrepare(ctx *sim.Context, from sim.NodeID, m *Prepare) {
	i := s.index(from)
	if i < 0 {
		return
	}
	s.observe(m.B)
	if !s.acc.promise(m.B) {
		ctx.Send(from, &Nack{B: m.B, Promised: s.acc.promised})
		return
	}
	if s.role != follower && s.ballot.Less(m.B) {
		s.stepDown()
	}
	if s.role == follower {
		s.leader = -1
		s.resetElection(ctx) // give the candidate time to win
	}
	ctx.Send(from, &Promise{B: m.B, Entries: s.entries(m.From)})
}

func (s *server) onPromise(ctx *sim.Context, from sim.NodeID, m *Promise) {
	i := s.index(from)
	if i < 0 || s.role != candidate || m.B != s.ballot || s.promised&(1<<i) != 0 {
		return
	}
	s.addPromise(ctx, i, m.Entries)
}

func (s *server) addPromise(ctx *sim.Context, i int, entries []Entry) {
	s.promised |= 1 << i
	for _, e := range entries {
		f, ok := s.found[e.Slot]
		switch {
		case f.chosen:
		case e.Chosen:
			s.found[e.Slot] = found{p: proposal{cmd: e.Cmd}, chosen: true}
		case !ok || f.p.ballot.Less(e.B):
			s.found[e.Slot] = found{p: proposal{ballot: e.B, cmd: e.Cmd}}
		}
	}
	if s.quorum(s.promised) {
		s.lead(ctx)
	}
}

// lead makes the candidate the leader: every open slot up to the highest
// one reported is re-proposed with the value of the highest ballot found
// there (or learned, if a promise said it was chosen), gaps get the no-op,
// and new commands go after.
func (s *server) lead(ctx *sim.Context) {
	s.role = leader
	s.leader = s.me
	s.props = map[int64]*inflight{}
	s.order = s.order[:0]
	s.proposed = map[uint64]int64{}
	for i := range s.contacted {
		s.contacted[i] = longAgo
	}
	top := s.applied
	for slot := range s.found { // order does not matter: only the maximum
		top = max(top, slot)
	}
	top = max(top, int64(len(s.log))-1)
	found := s.found
	s.found = nil
	s.next = top + 1
	for slot := s.applied + 1; slot <= top; slot++ {
		if slot < int64(len(s.log)) && s.log[slot] != nil {
			continue
		}
		f := found[slot]
		switch {
		case f.chosen:
			s.learn(ctx, slot, f.p.cmd)
		case f.p.cmd != nil && s.cl.cfg.Variant != IgnoreAccepted:
			s.propose(ctx, slot, f.p.cmd)
		default:
			s.propose(ctx, slot, noop)
		}
	}
	if s.role == leader {
		s.heartbeat(ctx, ctx.Now())
	}
}

// longAgo is a time before any run starts.
const longAgo = sim.Time(-1 << 62)

func (s *server) onNack(ctx *sim.Context, m *Nack) {
	s.observe(m.Promised)
	if s.role != follower && m.B == s.ballot && s.ballot.Less(m.Promised) {
		s.stepDown()
		s.backoff(ctx)
	}
}

// --- Phase 2 -------------------------------------------------------------

// propose sends cmd for slot to every acceptor, itself included.
func (s *server) propose(ctx *sim.Context, slot int64, cmd *Cmd) {
	if s.role != leader {
		return
	}
	p := &inflight{cmd: cmd, sentAt: ctx.Now()}
	s.props[slot] = p
	s.order = append(s.order, slot)
	ctx.Record(s.cl.facts.fact(checker.PaxosPropose, slot, s.ballot, cmd.ID))
	if !s.acc.accept(slot, s.ballot, cmd) {
		s.stepDown() // promised a higher ballot meanwhile
		return
	}
	p.acks = 1 << s.me
	m := &Accept{B: s.ballot, Slot: slot, Cmd: cmd, Commit: s.applied}
	for i := range s.cl.servers {
		if i != s.me {
			s.send(ctx, i, m)
			s.contacted[i] = ctx.Now()
		}
	}
	s.tryChoose(ctx, slot, p)
}

func (s *server) onAccept(ctx *sim.Context, from sim.NodeID, m *Accept) {
	i := s.index(from)
	if i < 0 {
		return
	}
	s.observe(m.B)
	if !s.acc.accept(m.Slot, m.B, m.Cmd) {
		ctx.Send(from, &Nack{B: m.B, Promised: s.acc.promised})
		return
	}
	ctx.Send(from, &Accepted{B: m.B, Slot: m.Slot})
	s.follow(ctx, i, m.B)
	s.learnCommit(ctx, i, m.B, m.Commit)
}

func (s *server) onAccepted(ctx *sim.Context, from sim.NodeID, m *Accepted) {
	i := s.index(from)
	if i < 0 || s.role != leader || m.B != s.ballot {
		return
	}
	p := s.props[m.Slot]
	if p == nil {
		return
	}
	p.acks |= 1 << i
	s.tryChoose(ctx, m.Slot, p)
}

// tryChoose learns slot's command once a quorum accepted it.
func (s *server) tryChoose(ctx *sim.Context, slot int64, p *inflight) {
	if s.quorum(p.acks) {
		delete(s.props, slot)
		s.learn(ctx, slot, p.cmd)
	}
}

// retransmit resends proposals that have waited too long to the acceptors
// that have not accepted them.
func (s *server) retransmit(ctx *sim.Context, now sim.Time) {
	live := s.order[:0]
	for _, slot := range s.order {
		p := s.props[slot]
		if p == nil {
			continue
		}
		live = append(live, slot)
		if now.Sub(p.sentAt) < s.cl.cfg.Retry/2 {
			continue
		}
		p.sentAt = now
		m := &Accept{B: s.ballot, Slot: slot, Cmd: p.cmd, Commit: s.applied}
		for i := range s.cl.servers {
			if p.acks&(1<<i) == 0 {
				s.send(ctx, i, m)
				s.contacted[i] = now
			}
		}
	}
	s.order = live
}

// heartbeat tells every follower the leader has not heard from in a
// heartbeat interval that it is alive, and how far the log is chosen.
func (s *server) heartbeat(ctx *sim.Context, now sim.Time) {
	var m *Heartbeat
	for i := range s.cl.servers {
		if i == s.me || now.Sub(s.contacted[i]) < s.cl.cfg.Heartbeat {
			continue
		}
		if m == nil {
			m = &Heartbeat{B: s.ballot, Commit: s.applied}
		}
		s.send(ctx, i, m)
		s.contacted[i] = ctx.Now()
	}
}

func (s *server) onHeartbeat(ctx *sim.Context, from sim.NodeID, m *Heartbeat) {
	i := s.index(from)
	if i < 0 {
		return
	}
	s.observe(m.B)
	if m.B.Less(s.acc.promised) {
		ctx.Send(from, &Nack{B: m.B, Promised: s.acc.promised})
		return
	}
	s.follow(ctx, i, m.B)
	s.learnCommit(ctx, i, m.B, m.Commit)
}

// --- Learning and catch-up -------------------------------------------------

// learnCommit learns from leader i with ballot b that every slot up to
// commit is chosen. A slot whose accepted ballot is b holds the chosen
// value (a leader proposes one value per slot per ballot); other slots are
// fetched from the leader.
func (s *server) learnCommit(ctx *sim.Context, i int, b Ballot, commit int64) {
	for slot := s.applied + 1; slot <= commit; slot++ {
		if slot < int64(len(s.log)) && s.log[slot] != nil {
			continue
		}
		p := s.acc.get(slot)
		if p.cmd == nil || p.ballot != b {
			break
		}
		s.learn(ctx, slot, p.cmd)
	}
	if s.applied < commit && ctx.Now() >= s.catchUpAt {
		s.catchUpAt = ctx.Now().Add(s.cl.cfg.Retry / 2)
		s.send(ctx, i, &CatchUp{From: s.applied + 1})
	}
}

func (s *server) onCatchUp(ctx *sim.Context, from sim.NodeID, m *CatchUp) {
	if m.From < 1 || m.From > s.applied {
		return
	}
	end := min(s.applied, m.From+catchUpBatch-1)
	ctx.Send(from, &Chosen{From: m.From, Cmds: append([]*Cmd(nil), s.log[m.From:end+1]...)})
}

func (s *server) onChosen(ctx *sim.Context, from sim.NodeID, m *Chosen) {
	for k, cmd := range m.Cmds {
		s.learn(ctx, m.From+int64(k), cmd)
	}
	if len(m.Cmds) == catchUpBatch && m.From+catchUpBatch > s.applied {
		// A full batch: there may be more; ask for them at once.
		s.catchUpAt = ctx.Now().Add(s.cl.cfg.Retry / 2)
		ctx.Send(from, &CatchUp{From: s.applied + 1})
	}
}

// learn records that cmd is chosen at slot and applies what it can.
func (s *server) learn(ctx *sim.Context, slot int64, cmd *Cmd) {
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
}

// apply executes cmd, the command of slot, on the key-value state, at most
// once per client sequence number, and answers the client if this replica
// leads.
func (s *server) apply(ctx *sim.Context, slot int64, cmd *Cmd) {
	ctx.Record(s.cl.facts.apply(slot, cmd))
	if cmd.IsNoop() {
		return
	}
	if sess, ok := s.sessions[cmd.Session]; ok && cmd.Seq <= sess.seq && s.cl.cfg.Variant != NoDedup {
		if cmd.Seq == sess.seq && s.role == leader {
			r := new(Reply)
			*r = sess.result
			ctx.Send(cmd.Client, r)
		}
		return
	}
	r := Reply{Seq: cmd.Seq, Leader: s.leader}
	r.Value, r.OK = kv.Apply(s.kv, cmd.Op, cmd.Key, cmd.Value, cmd.Expected)
	s.sessions[cmd.Session] = session{seq: cmd.Seq, result: r}
	if s.role == leader {
		reply := new(Reply)
		*reply = r
		ctx.Send(cmd.Client, reply)
	}
}

// --- Clients -----------------------------------------------------------------

// take returns the next free slot of the leader's log.
func (s *server) take() int64 {
	s.next++
	return s.next - 1
}

func (s *server) onRequest(ctx *sim.Context, from sim.NodeID, m *Request) {
	cmd := m.Cmd
	switch {
	case s.role == leader && s.cl.cfg.Variant == NoDedup:
		s.propose(ctx, s.take(), cmd)
	case s.role == leader:
		if sess, ok := s.sessions[cmd.Session]; ok && cmd.Seq <= sess.seq {
			if cmd.Seq == sess.seq {
				r := new(Reply)
				*r = sess.result
				ctx.Send(cmd.Client, r)
			}
			return
		}
		if s.proposed[cmd.Session] >= cmd.Seq {
			return // in flight
		}
		s.proposed[cmd.Session] = cmd.Seq
		s.propose(ctx, s.take(), cmd)
	case s.cl.cfg.Variant == LocalReads && cmd.Op == checker.KVGet:
		ctx.Send(cmd.Client, &Reply{Seq: cmd.Seq, Value: s.kv[cmd.Key], Leader: s.leader})
	case s.leader >= 0 && !m.Forwarded:
		s.send(ctx, s.leader, &Request{Cmd: cmd, Forwarded: true})
	case !m.Forwarded:
		ctx.Send(cmd.Client, &NotLeader{Seq: cmd.Seq, Leader: s.leader})
	}
}
