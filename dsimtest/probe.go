package dsimtest

import (
	"fmt"
	"slices"
	"time"

	"github.com/dsimlab/dsim/sim"
)

// Probe runs one node under test in a real sim.World, with passive peers
// around it, and lets a test drive it one step at a time: deliver a message
// from a named peer, let time pass until a timer fires, crash and restart
// it. It records what the node sent, which timers fired and the facts it
// recorded; its storage and history are the kernel's. Because the World is
// real, what a probe shows is what the kernel does.
//
// The network of a probe delivers every message at once (zero latency, no
// loss, no duplication), so time moves only when the test says: Advance and
// FireNext. The peers do nothing: they receive what the node sends and
// never answer on their own.
type Probe struct {
	w     *sim.World
	id    sim.NodeID
	sent  []Message
	taken int // Sent()[:taken] were returned by Take already
	fired []Timer
	facts []any
}

// Message is a message the node under test sent.
type Message struct {
	At  sim.Time // when it was sent
	To  string   // the receiver's name
	Msg any
}

// String formats m as "to: msg", the message described as traces show it.
func (m Message) String() string { return m.To + ": " + sim.Describe(m.Msg) }

// Timer is a timer of the node under test that fired.
type Timer struct {
	At  sim.Time // when it fired, in true virtual time
	Tag any      // the tag it was set with
}

// ProbeOption changes how NewProbe builds its World.
type ProbeOption func(*probeConfig)

type probeConfig struct {
	nodes []string
	seed  uint64
}

// Nodes names every node of the probe's World, in id order (ids from 0): the
// node under test and its peers. The list must include the node under test.
// Without it the World holds the node under test (id 0) and one peer named
// "peer" (id 1).
func Nodes(names ...string) ProbeOption { return func(c *probeConfig) { c.nodes = names } }

// ProbeSeed sets the World's root seed (default 1), which seeds the node's
// random stream, ctx.Rand().
func ProbeSeed(seed uint64) ProbeOption { return func(c *probeConfig) { c.seed = seed } }

// NewProbe starts a World holding the node called name, built by factory,
// and passive peers (see Nodes), and runs it through the Start of every
// node at time 0. Set-up mistakes (a name given twice, or name missing from
// Nodes) panic: they are bugs in the test.
func NewProbe(name string, factory sim.Factory, opts ...ProbeOption) *Probe {
	c := probeConfig{nodes: []string{name, "peer"}, seed: 1}
	for _, o := range opts {
		o(&c)
	}
	if !slices.Contains(c.nodes, name) {
		panic(fmt.Sprintf("dsimtest: the probe's nodes %v do not include %q", c.nodes, name))
	}
	w, err := sim.New(sim.Config{Seed: c.seed, Link: sim.LinkConfig{Latency: sim.Constant(0)}})
	if err != nil {
		panic(fmt.Sprintf("dsimtest: %v", err)) // the link above is valid
	}
	p := &Probe{w: w}
	for _, n := range c.nodes {
		f := sim.Factory(func() sim.Node { return peer{} })
		if n == name {
			f = factory
		}
		id := w.MustAddNode(n, f)
		if n == name {
			p.id = id
		}
	}
	w.Observe(p.observe)
	p.settle()
	return p
}

// peer is a node that does nothing: the probe's stand-in for the rest of
// the system.
type peer struct{}

func (peer) Start(*sim.Context)                    {}
func (peer) Receive(*sim.Context, sim.NodeID, any) {}
func (peer) Timer(*sim.Context, any)               {}

// observe records what the node under test does.
func (p *Probe) observe(e *sim.Event) {
	if e.Node != p.id {
		return
	}
	switch e.Kind {
	case sim.KindSend:
		p.sent = append(p.sent, Message{At: e.Time, To: p.w.Name(e.Peer), Msg: e.Msg})
	case sim.KindTimer:
		p.fired = append(p.fired, Timer{At: e.Time, Tag: e.Msg})
	case sim.KindRecord:
		p.facts = append(p.facts, e.Msg)
	}
}

// settle runs every event due now: deliveries at zero latency, timers of
// zero duration, and what they cause.
func (p *Probe) settle() { p.runTo(p.w.Now()) }

// runTo runs every event due by t, including those that events at t cause
// at t, and leaves the clock at t.
//
// It steps with RunEvents up to a marker scheduled at t rather than calling
// RunUntil: RunUntil looks at the first event after t, and the kernel's
// queue then misplaces an event scheduled later at an earlier time (a
// message delivered now), running it after that later event.
func (p *Probe) runTo(t sim.Time) {
	for {
		before := p.w.Events()
		reached := false
		p.w.At(t, func(*sim.World) { reached = true })
		for !reached {
			if stopped, _ := p.w.Stopped(); stopped {
				return
			}
			p.w.RunEvents(1)
		}
		if p.w.Events() == before+1 { // only the marker: nothing else is due
			return
		}
	}
}

// ID returns the id of the node called name: the node under test or a peer.
// It panics on a name the probe does not have.
func (p *Probe) ID(name string) sim.NodeID {
	id, ok := p.w.Lookup(name)
	if !ok {
		panic(fmt.Sprintf("dsimtest: the probe has no node %q", name))
	}
	return id
}

// Deliver has peer from send msg to the node under test now, and runs
// until the node has handled it and everything that causes at this
// instant. A crashed node does not get it (the kernel drops it).
func (p *Probe) Deliver(from string, msg any) {
	src := p.ID(from)
	p.w.At(p.w.Now(), func(w *sim.World) { w.Context(src).Send(p.id, msg) })
	p.settle()
}

// Advance lets d of virtual time pass: every timer due by then fires, in
// order, as the kernel fires them.
func (p *Probe) Advance(d time.Duration) { p.runTo(p.w.Now().Add(d)) }

// FireNext lets time pass until the node's next timer fires, fires it,
// handles what that causes at that instant, and returns it. It returns
// false if the node has no timer pending.
func (p *Probe) FireNext() (Timer, bool) {
	n := len(p.fired)
	for len(p.fired) == n {
		before := p.w.Events()
		p.w.RunEvents(1)
		if p.w.Events() == before {
			return Timer{}, false
		}
	}
	p.settle()
	return p.fired[n], true
}

// Crash crashes the node under test: its state and pending timers are
// lost, and so are the writes to its storage it had not synced.
func (p *Probe) Crash() { p.w.Crash(p.id) }

// Restart boots a fresh node from the factory (crashing it first if it is
// up) and runs its Start.
func (p *Probe) Restart() {
	p.w.Restart(p.id)
	p.settle()
}

// Sent returns every message the node has sent, in order.
func (p *Probe) Sent() []Message { return slices.Clone(p.sent) }

// Take returns the messages the node sent since the previous Take (since it
// started, the first time): what one step caused.
func (p *Probe) Take() []Message {
	out := slices.Clone(p.sent[p.taken:])
	p.taken = len(p.sent)
	return out
}

// SentTo returns the messages the node has sent to the node called name, in
// order.
func (p *Probe) SentTo(name string) []any {
	var out []any
	for _, m := range p.sent {
		if m.To == name {
			out = append(out, m.Msg)
		}
	}
	return out
}

// Fired returns the node's timers that fired, in order.
func (p *Probe) Fired() []Timer { return slices.Clone(p.fired) }

// Facts returns every fact the node recorded with ctx.Record, in order.
func (p *Probe) Facts() []any { return slices.Clone(p.facts) }

// FactsOf returns the facts of type T the node under test recorded, in
// order: the ones a check reading them with sim.ObserveFacts would see.
func FactsOf[T any](p *Probe) []T {
	var out []T
	for _, f := range p.facts {
		if v, ok := f.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

// Storage returns the node's durable storage, as the kernel keeps it.
func (p *Probe) Storage() *sim.Storage { return p.w.Storage(p.id) }

// History returns the operations the node invoked as a client, and what
// they returned.
func (p *Probe) History() []sim.Operation { return p.w.History() }

// Node returns the node's current state machine, for a type assertion that
// reads its state, or nil while it is crashed.
func (p *Probe) Node() sim.Node { return p.w.Node(p.id) }

// Up reports whether the node is running.
func (p *Probe) Up() bool { return p.w.Up(p.id) }

// Now returns the virtual time.
func (p *Probe) Now() sim.Time { return p.w.Now() }

// World returns the World underneath, for anything the probe does not
// offer (partitions, clock skew, pauses).
func (p *Probe) World() *sim.World { return p.w }
