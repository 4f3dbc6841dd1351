package paxos

import (
	"fmt"
	"maps"
	"math/bits"
	"slices"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// This file is what the cluster adds for bug hunts: the check that no
// acceptor goes back on a promise (durable state: what it promised before a
// crash it still honours after), the online agreement check, and what
// liveness mode needs.

// promises watches what each acceptor says in its messages: every Promise,
// Accepted and Nack states a ballot it has promised, and an acceptor's
// promises only grow, across its crashes too, since they are on its disk.
// A message with a lower ballot than one it stated before is a promise
// forgotten (not synced, or misread after a restart).
type promises struct {
	top      []Ballot           // per server: the highest ballot it stated
	at       []sim.Time         // when it stated it
	accepted []map[int64]Ballot // per server, with queries: the highest ballot it said it accepted, by slot
	broken   []string           // what went wrong, the first few
	count    int
}

// maxBroken bounds the problems the promises check keeps to report.
const maxBroken = 3

func newPromises(servers int, queries bool) promises {
	p := promises{top: make([]Ballot, servers), at: make([]sim.Time, servers)}
	if queries {
		p.accepted = make([]map[int64]Ballot, servers)
		for i := range p.accepted {
			p.accepted[i] = map[int64]Ballot{}
		}
	}
	return p
}

// sent checks a message acceptor i sent at e, and reports a broken promise.
func (p *promises) sent(c *Cluster, i int, e *sim.Event) (string, bool) {
	var b Ballot
	what := ""
	switch m := e.Msg.(type) {
	case *Promise:
		b, what = m.B, "promised"
	case *Accepted:
		b, what = m.B, "accepted"
		if p.accepted != nil && p.accepted[i][m.Slot].Less(b) {
			p.accepted[i][m.Slot] = b
		}
	case *Nack:
		b, what = m.Promised, "refused a ballot as it had promised"
	default:
		return "", false
	}
	if !b.Less(p.top[i]) {
		p.top[i], p.at[i] = b, e.Time
		return "", false
	}
	return p.problem(fmt.Sprintf("%s %s %v at %v after promising %v at %v (a promise forgotten)",
		c.w.Name(c.servers[i]), what, b, time.Duration(e.Time), p.top[i], time.Duration(p.at[i]))), true
}

// problem counts a broken promise and keeps its description.
func (p *promises) problem(msg string) string {
	p.count++
	if len(p.broken) < maxBroken {
		p.broken = append(p.broken, msg)
	}
	return msg
}

// recovered checks, with queries on, what acceptor i loaded from its disk
// when it restarted at e against what it said before: its promise and
// every proposal it said it accepted (durable state).
func (p *promises) recovered(c *Cluster, i int, e *sim.Event) (string, bool) {
	n, ok := c.w.Node(c.servers[i]).(*server)
	if !ok {
		return "", false
	}
	name := c.w.Name(c.servers[i])
	if n.acc.promised.Less(p.top[i]) {
		return p.problem(fmt.Sprintf("%s recovered at %v with promise %v, but had promised %v at %v (a promise forgotten)",
			name, time.Duration(e.Time), n.acc.promised, p.top[i], time.Duration(p.at[i]))), true
	}
	for _, slot := range slices.Sorted(maps.Keys(p.accepted[i])) {
		if b := p.accepted[i][slot]; n.acc.get(slot).ballot.Less(b) {
			return p.problem(fmt.Sprintf("%s recovered at %v without the proposal it accepted at slot %d with ballot %v (an acceptance forgotten)",
				name, time.Duration(e.Time), slot, b)), true
		}
	}
	return "", false
}

// validity adds the promises check to the validity check's result.
func (p *promises) validity(r checker.Result) checker.Result {
	if p.count == 0 {
		if r.Verdict == checker.Holds {
			r.Detail += ", and no acceptor went back on a promise"
		}
		return r
	}
	detail := fmt.Sprintf("%d messages went back on a promise: %s", p.count, joinProblems(p.broken, p.count))
	if r.Verdict == checker.Violated {
		r.Detail += "; and " + detail
		return r
	}
	r.Verdict, r.Detail = checker.Violated, detail
	return r
}

func joinProblems(ps []string, n int) string {
	s := ""
	for i, p := range ps {
		if i > 0 {
			s += "; "
		}
		s += p
	}
	if n > len(ps) {
		s += fmt.Sprintf("; and %d more", n-len(ps))
	}
	return s
}

// agreement is the online agreement check: per slot, the acceptors that
// accepted each ballot's value, the value chosen (accepted by a majority of
// the acceptors with one ballot) and the value replicas applied.
type agreement struct {
	slots []slotWatch
}

type slotWatch struct {
	accepts []ballotAcks
	chosen  string
	applied string
}

type ballotAcks struct {
	b     Ballot
	value string
	acks  uint64
}

// watch checks one fact as it is recorded, and returns a violation of
// agreement, if any.
func (a *agreement) watch(c *Cluster, e *sim.Event, f *Fact) (string, bool) {
	if f.Kind != checker.PaxosAccept && f.Kind != checker.PaxosApply || f.Slot < 1 || f.Slot >= maxCachedSlot {
		return "", false
	}
	for int64(len(a.slots)) <= f.Slot {
		a.slots = append(a.slots, slotWatch{})
	}
	sw := &a.slots[f.Slot]
	if f.Kind == checker.PaxosApply {
		switch {
		case sw.applied == "":
			sw.applied = f.Value
		case sw.applied != f.Value:
			return fmt.Sprintf("slot %d: %s applied %s, another replica %s", f.Slot, c.w.Name(e.Node), f.Value, sw.applied), true
		}
		return "", false
	}
	i := c.index(e.Node)
	if i < 0 {
		return "", false
	}
	k := 0
	for k < len(sw.accepts) && (sw.accepts[k].b != f.Ballot || sw.accepts[k].value != f.Value) {
		k++
	}
	if k == len(sw.accepts) {
		sw.accepts = append(sw.accepts, ballotAcks{b: f.Ballot, value: f.Value})
	}
	sw.accepts[k].acks |= 1 << i
	if bits.OnesCount64(sw.accepts[k].acks) < c.cfg.Servers/2+1 {
		return "", false
	}
	switch {
	case sw.chosen == "":
		sw.chosen = f.Value
	case sw.chosen != f.Value:
		return fmt.Sprintf("slot %d: %s chosen with ballot %v, after %s was chosen", f.Slot, f.Value, f.Ballot, sw.chosen), true
	}
	return "", false
}

// hunt checks an event for the bug hunts: messages against the promises
// (always), facts against agreement (with online checks).
func (c *Cluster) hunt(e *sim.Event) {
	switch e.Kind {
	case sim.KindSend:
		if i := c.index(e.Node); i >= 0 {
			if msg, bad := c.promises.sent(c, i, e); bad {
				c.mon.Violate(checker.PaxosValidityCheck, e.Seq, msg)
			}
		}
	case sim.KindRecord:
		if f, ok := e.Msg.(*Fact); ok && c.mon.On() {
			if msg, bad := c.agree.watch(c, e, f); bad {
				c.mon.Violate(checker.PaxosAgreementCheck, e.Seq, msg)
			}
		}
	case sim.KindRestart:
		if i := c.index(e.Node); i >= 0 && c.promises.accepted != nil {
			ev := *e
			c.w.At(e.Time, func(*sim.World) {
				if msg, bad := c.promises.recovered(c, i, &ev); bad {
					c.mon.Violate(checker.PaxosValidityCheck, ev.Seq, msg)
				}
			})
		}
	}
}

// FirstViolation returns the first violation the online checks saw (see
// protocols.Online).
func (c *Cluster) FirstViolation() *protocols.Violation { return c.mon.FirstViolation() }

// Core returns the replicas liveness mode heals: a majority, n1 first.
func (c *Cluster) Core() []sim.NodeID { return c.servers[:c.cfg.Servers/2+1] }

// Progress returns the operations the clients completed, and whether any
// client has operations left.
func (c *Cluster) Progress(*sim.World) (int, bool) {
	done, pending := 0, false
	for _, d := range c.clients.Drivers {
		done += d.Completed()
		pending = pending || d.Busy()
	}
	return done, pending
}

// LivenessBound is the liveness check's bound: the configuration's.
func (c *Cluster) LivenessBound() time.Duration { return c.cfg.LivenessBound }

// Compile-time checks: a Cluster takes part in online checks and liveness
// mode.
var (
	_ protocols.Online   = (*Cluster)(nil)
	_ protocols.Recovery = (*Cluster)(nil)
)

// The fault points of a Multi-Paxos server (sim.Context.Maybe): rare but
// legal paths that a run with fault points takes now and then.
const (
	// fpSpuriousElection: a follower's election timeout fires early, so it
	// campaigns while its leader is alive and still sending.
	fpSpuriousElection = "paxos/spurious-election"
	// fpSlowDisk: an acceptor's disk is slow, so a prepare or accept it
	// receives is handled (promised or accepted, and answered) some
	// milliseconds after it arrived.
	fpSlowDisk = "paxos/slow-disk"
)

// spuriousElection reports whether a follower's tick fires its election
// timeout early: about once in a hundred ticks where the site is enabled.
func (s *server) spuriousElection(ctx *sim.Context) bool {
	return ctx.MaybeP(fpSpuriousElection, 0.01)
}

// heldForDisk is the timer tag of a message a slow disk holds back.
type heldForDisk struct {
	from sim.NodeID
	msg  any
}

// String describes the timer for traces.
func (h heldForDisk) String() string { return "slow disk: " + sim.Describe(h.msg) }

// holdForDisk holds a prepare or accept back, 1 to 20ms, where the fault
// point fires, and reports whether it did.
func (s *server) holdForDisk(ctx *sim.Context, from sim.NodeID, msg any) bool {
	switch msg.(type) {
	case *Prepare, *Accept:
		if ctx.Maybe(fpSlowDisk) {
			ctx.SetTimer(time.Duration(1+ctx.Rand().IntN(20))*time.Millisecond, heldForDisk{from, msg})
			return true
		}
	}
	return false
}

// slowDisk handles a message the slow disk held back, and reports whether
// tag was one.
func (s *server) slowDisk(ctx *sim.Context, tag any) bool {
	h, ok := tag.(heldForDisk)
	if ok {
		s.Receive(ctx, h.from, h.msg)
	}
	return ok
}
