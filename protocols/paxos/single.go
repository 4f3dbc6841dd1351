package paxos

import (
	"fmt"
	"math/bits"
	"strconv"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/sim"
)

// SingleConfig configures a single-decree Paxos cluster: Nodes nodes
// (n1..nN), each an acceptor and a learner; the first Proposers of them
// also propose a value of their own, "v-nI".
type SingleConfig struct {
	Nodes     int
	Proposers int
	// Variant is Correct or one of IgnoreAccepted, NoSync, AcceptLower and
	// QuorumFloor (the others concern the key-value store).
	Variant Variant
	// Retry is how long a proposer waits for its ballot to succeed before
	// trying again with a higher one, and how often a node that has not
	// learned the decision asks the others: uniform in [Retry, 2·Retry),
	// drawn from the node's own random stream.
	Retry time.Duration
}

// Vote tells every learner that an acceptor accepted Cmd with ballot B.
type Vote struct {
	B   Ballot
	Cmd *Cmd
}

// Ask asks the other nodes for the decision.
type Ask struct{}

// Decided tells a node that asked what was decided.
type Decided struct {
	Cmd *Cmd
}

// String formats m for traces.
func (m *Vote) String() string { return "vote " + m.B.String() + " " + m.Cmd.ID }

// String formats m for traces.
func (m *Ask) String() string { return "ask" }

// String formats m for traces.
func (m *Decided) String() string { return "decided " + m.Cmd.ID }

// Single is a single-decree Paxos cluster set up in a World: its nodes
// and the Paxos events (at slot 1) the safety checks read, collected from
// the Facts the nodes record.
type Single struct {
	cfg    SingleConfig
	w      *sim.World
	quorum int
	nodes  []sim.NodeID
	ids    []int
	events []checker.PaxosEvent
}

// NewSingle adds cfg.Nodes single-decree Paxos nodes to w, n1..nN.
func NewSingle(w *sim.World, cfg SingleConfig) (*Single, error) {
	switch {
	case cfg.Nodes < 1 || cfg.Nodes > MaxServers:
		return nil, fmt.Errorf("%w: nodes: %d, want 1 to %d", ErrConfig, cfg.Nodes, MaxServers)
	case cfg.Proposers < 0 || cfg.Proposers > cfg.Nodes:
		return nil, fmt.Errorf("%w: proposers: %d, want 0 to %d", ErrConfig, cfg.Proposers, cfg.Nodes)
	case cfg.Retry <= 0:
		return nil, fmt.Errorf("%w: retry: %v, want a positive duration", ErrConfig, cfg.Retry)
	}
	if _, err := ParseVariant(string(cfg.Variant)); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	s := &Single{cfg: cfg, w: w, quorum: cfg.Variant.quorum(cfg.Nodes)}
	for i := 0; i < cfg.Nodes; i++ {
		me := i
		id, err := w.AddNode("n"+strconv.Itoa(i+1), func() sim.Node { return &singleNode{s: s, me: me} })
		if err != nil {
			return nil, fmt.Errorf("paxos: %w", err)
		}
		s.nodes = append(s.nodes, id)
		s.ids = append(s.ids, int(id))
	}
	sim.ObserveFacts(w, func(e *sim.Event, f *Fact) { s.events = append(s.events, f.event(e, s.ids)) })
	return s, nil
}

// Nodes returns the nodes' ids, n1 first.
func (s *Single) Nodes() []sim.NodeID { return s.nodes }

// Learned returns what each node has learned ("" if nothing, or if it is
// down), in node order.
func (s *Single) Learned() []string {
	out := make([]string, len(s.nodes))
	for i, id := range s.nodes {
		if n, ok := s.w.Node(id).(*singleNode); ok && n.learned != nil {
			out[i] = n.learned.ID
		}
	}
	return out
}

// Trace returns the Paxos events of the Facts recorded so far. The slice is shared and
// must not be modified.
func (s *Single) Trace() checker.PaxosTrace {
	names := make([]string, len(s.w.Nodes()))
	for _, id := range s.w.Nodes() {
		names[id] = s.w.Name(id)
	}
	return checker.PaxosTrace{Acceptors: s.cfg.Nodes, Events: s.events, Names: names}
}

// Check runs the Paxos safety checks (agreement, validity, and prefix,
// which for one slot says every learner learned the same value) and a
// liveness check: every running node learned a value.
func (s *Single) Check() ([]checker.Result, error) {
	res, err := checker.CheckPaxos(s.Trace())
	if err != nil {
		return nil, err
	}
	live := checker.Result{Check: LivenessCheck, Kind: checker.Liveness, Verdict: checker.Holds}
	var missing []string
	for i, v := range s.Learned() {
		if v == "" && s.w.Up(s.nodes[i]) {
			missing = append(missing, s.w.Name(s.nodes[i]))
		}
	}
	if len(missing) > 0 {
		live.Verdict = checker.Violated
		live.Offending = missing
		live.Detail = fmt.Sprintf("%d running nodes learned nothing by %v", len(missing), s.w.Now())
	} else {
		live.Detail = "every running node learned the decision by " + s.w.Now().String()
	}
	return append(res, live), nil
}

// singleNode is an acceptor, a learner and possibly a proposer of
// single-decree Paxos. Only the acceptor's state survives a crash.
type singleNode struct {
	s   *Single
	me  int
	acc acceptor

	// Proposer.
	value    *Cmd // own value, nil if not a proposer
	ballot   Ballot
	seen     Ballot
	promised uint64
	best     proposal // highest-ballot accepted proposal reported in promises
	phase2   bool

	// Learner.
	votes   map[Ballot]uint64 // acceptors that voted for the ballot's value
	learned *Cmd
}

type singleTick struct{}

// Start reloads the acceptor's state and, for a proposer, its value, and
// schedules the first attempt.
func (n *singleNode) Start(ctx *sim.Context) {
	if err := n.acc.load(ctx.Storage(), n.s.cfg.Variant, nil, func(slot int64, b Ballot, cmd *Cmd) {
		ctx.Record(NewFact(checker.PaxosAccept, slot, b, cmd.ID))
	}); err != nil {
		panic(ctx.Name() + ": " + err.Error())
	}
	n.seen = n.acc.promised
	n.votes = map[Ballot]uint64{}
	if n.me < n.s.cfg.Proposers {
		id := "v-" + ctx.Name()
		n.value = &Cmd{Op: checker.KVPut, Key: "decree", Value: id, ID: id, Client: ctx.ID()}
		ctx.Record(NewFact(checker.PaxosRequest, 0, Ballot{}, id))
	}
	ctx.SetTimer(n.wait(ctx)/2, singleTick{})
}

// wait draws a retry delay, uniform in [Retry, 2·Retry).
func (n *singleNode) wait(ctx *sim.Context) time.Duration {
	r := n.s.cfg.Retry
	return r + time.Duration(ctx.Rand().Int64N(int64(r)))
}

// Timer makes a proposer try a new ballot, and a node that has not learned
// the decision ask for it, until it is learned.
func (n *singleNode) Timer(ctx *sim.Context, _ any) {
	if n.learned != nil {
		return // done: no more timers
	}
	if n.value != nil {
		n.prepare(ctx)
	} else {
		n.broadcast(ctx, &Ask{})
	}
	ctx.SetTimer(n.wait(ctx), singleTick{})
}

// broadcast sends m to every other node.
func (n *singleNode) broadcast(ctx *sim.Context, m any) {
	for i, id := range n.s.nodes {
		if i != n.me {
			ctx.Send(id, m)
		}
	}
}

// prepare starts a new ballot, above every ballot seen.
func (n *singleNode) prepare(ctx *sim.Context) {
	n.ballot = Ballot{Round: max(n.seen.Round, n.acc.promised.Round) + 1, Node: int32(n.me)}
	n.seen = n.ballot
	n.promised, n.best, n.phase2 = 0, proposal{}, false
	m := &Prepare{B: n.ballot, From: 1}
	n.broadcast(ctx, m)
	n.onPrepare(ctx, n.me, m)
}

// Receive dispatches a message from another node to its role's handler.
func (n *singleNode) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	i := -1
	for k, id := range n.s.nodes {
		if id == from {
			i = k
		}
	}
	if i < 0 {
		return
	}
	switch m := msg.(type) {
	case *Prepare:
		n.onPrepare(ctx, i, m)
	case *Promise:
		n.onPromise(ctx, i, m)
	case *Nack:
		if n.seen.Less(m.Promised) {
			n.seen = m.Promised
		}
	case *Accept:
		n.onAccept(ctx, i, m)
	case *Vote:
		n.onVote(ctx, i, m)
	case *Ask:
		if n.learned != nil {
			ctx.Send(from, &Decided{Cmd: n.learned})
		}
	case *Decided:
		n.learn(ctx, m.Cmd)
	}
}

// reply sends m to node i, or handles it at once if i is this node.
func (n *singleNode) reply(ctx *sim.Context, i int, m any) {
	if i == n.me {
		n.Receive(ctx, ctx.ID(), m)
		return
	}
	ctx.Send(n.s.nodes[i], m)
}

func (n *singleNode) onPrepare(ctx *sim.Context, i int, m *Prepare) {
	if n.seen.Less(m.B) {
		n.seen = m.B
	}
	if !n.acc.promise(m.B) {
		n.reply(ctx, i, &Nack{B: m.B, Promised: n.acc.promised})
		return
	}
	var es []Entry
	if p := n.acc.get(1); p.cmd != nil {
		es = []Entry{{Slot: 1, B: p.ballot, Cmd: p.cmd}}
	}
	n.reply(ctx, i, &Promise{B: m.B, Entries: es})
}

func (n *singleNode) onPromise(ctx *sim.Context, i int, m *Promise) {
	if n.value == nil || m.B != n.ballot || n.phase2 {
		return
	}
	n.promised |= 1 << i
	for _, e := range m.Entries {
		if e.Slot == 1 && n.best.ballot.Less(e.B) {
			n.best = proposal{ballot: e.B, cmd: e.Cmd}
		}
	}
	if bits.OnesCount64(n.promised) < n.s.quorum {
		return
	}
	n.phase2 = true
	v := n.value
	if n.best.cmd != nil && n.s.cfg.Variant != IgnoreAccepted {
		v = n.best.cmd
	}
	ctx.Record(NewFact(checker.PaxosPropose, 1, n.ballot, v.ID))
	a := &Accept{B: n.ballot, Slot: 1, Cmd: v}
	n.broadcast(ctx, a)
	n.onAccept(ctx, n.me, a)
}

func (n *singleNode) onAccept(ctx *sim.Context, i int, m *Accept) {
	if n.seen.Less(m.B) {
		n.seen = m.B
	}
	if !n.acc.accept(1, m.B, m.Cmd) {
		n.reply(ctx, i, &Nack{B: m.B, Promised: n.acc.promised})
		return
	}
	v := &Vote{B: m.B, Cmd: m.Cmd}
	n.broadcast(ctx, v)
	n.onVote(ctx, n.me, v)
}

func (n *singleNode) onVote(ctx *sim.Context, i int, m *Vote) {
	n.votes[m.B] |= 1 << i
	if bits.OnesCount64(n.votes[m.B]) >= n.s.quorum {
		n.learn(ctx, m.Cmd)
	}
}

func (n *singleNode) learn(ctx *sim.Context, cmd *Cmd) {
	if n.learned != nil {
		return
	}
	n.learned = cmd
	ctx.Record(NewFact(checker.PaxosApply, 1, Ballot{}, cmd.ID))
}
