package sim

import (
	"math/rand/v2"
	"time"
)

// NodeID identifies a node of a World: its index, in the order nodes were
// added, from 0.
type NodeID int32

// Node is a deterministic state machine driven by the kernel, in the style of
// etcd's raft: it reacts to Start (boot and every restart), Receive (a message)
// and Timer (a timer it set), and acts only through the Context it is handed.
// A Node must not start goroutines, read the wall clock, use the global
// random source, or let map iteration order reach its behaviour.
//
// Messages are values the kernel passes by reference: once sent, a message
// must not be modified, because the network may deliver it twice.
type Node interface {
	// Start is called when the node boots and after every restart. A
	// restarted node is a fresh value from its factory; what it remembers is
	// only what it synced to ctx.Storage().
	Start(ctx *Context)
	// Receive is called when msg from node from is delivered.
	Receive(ctx *Context, from NodeID, msg any)
	// Timer is called when a timer set with ctx.SetTimer fires, with the tag
	// it was set with.
	Timer(ctx *Context, tag any)
}

// Factory builds a fresh Node: at the first boot and at every restart.
type Factory func() Node

// TimerID identifies a pending timer so it can be cancelled. The zero
// TimerID is never issued.
type TimerID uint64

// nodeState is the kernel's record of one node.
//
// Node states are allocated in chunks (nodeChunk), with their random
// stream and disk inside them rather than behind pointers, so that an event
// for a node touches one small stretch of memory: in a world of ten
// thousand nodes, each pointer followed was a cache miss.
type nodeState struct {
	// What every event touches comes first, in as few cache lines as it
	// fits: a world of many nodes is bound by memory, not instructions.
	ctx    Context
	impl   Node
	up     bool
	paused bool
	inc    uint32   // incarnation: bumped at every crash, so stale timers are ignored
	group  int32    // its side of the current partition; 0 when the network is whole
	pcg    rand.PCG // rng's source
	rng    rand.Rand
	clock  clock

	held    []int32 // slab slots of events that arrived while paused, in arrival order
	name    string
	factory Factory
	store   Storage
}

// nodeChunk is how many node states are allocated together.
const nodeChunk = 64

// clock maps true time to a node's local time:
// local(t) = t + offset + drift*(t - anchor), where anchor is when it was set.
type clock struct {
	skewed bool
	offset time.Duration
	drift  float64
	anchor Time
}

func (c *clock) local(t Time) Time {
	if !c.skewed {
		return t
	}
	return t + Time(c.offset) + Time(c.drift*float64(t-c.anchor))
}

// trueSpan converts a span of the node's local time into true time. A
// positive span stays positive: on a fast clock a span of a nanosecond or
// so would round to none, and a node that sets a timer until its clock
// reaches a deadline would set it again and again at the same instant.
func (c *clock) trueSpan(d time.Duration) time.Duration {
	if !c.skewed || c.drift == 0 {
		return d
	}
	t := time.Duration(float64(d) / (1 + c.drift))
	if t == 0 && d > 0 {
		t = 1
	}
	return t
}

// Context is a node's handle on the world: the only way a node observes time,
// sends messages, sets timers, draws random numbers, uses its disk, and
// records history and facts. The kernel hands the same Context to every
// callback of a node; it stays valid across restarts.
type Context struct {
	w  *World
	id NodeID
	n  *nodeState
}

// ID returns the node's id.
func (c *Context) ID() NodeID { return c.id }

// Name returns the node's name.
func (c *Context) Name() string { return c.n.name }

// Now returns the node's local clock: true virtual time, skewed by the
// node's clock offset and drift if any (see World.SetClock).
func (c *Context) Now() Time { return c.n.clock.local(c.w.now) }

// Nodes returns the ids of every node in the world, in order. The slice is
// shared and must not be modified.
func (c *Context) Nodes() []NodeID { return c.w.ids }

// NodeName returns the name of node id.
func (c *Context) NodeName(id NodeID) string { return c.w.nodes[id].name }

// Lookup returns the id of the node with the given name.
func (c *Context) Lookup(name string) (NodeID, bool) { return c.w.Lookup(name) }

// Rand returns the node's own random stream (named "node/NAME"), which
// survives restarts.
func (c *Context) Rand() *rand.Rand { return &c.n.rng }

// Storage returns the node's durable storage.
func (c *Context) Storage() *Storage { return &c.n.store }

// Send sends msg to node to over the network, which may delay, drop,
// duplicate or reorder it according to the link's configuration.
func (c *Context) Send(to NodeID, msg any) { c.w.send(c.id, to, msg) }

// SetTimer arranges for Timer(ctx, tag) to be called after d of the node's
// local time (so a drifting clock stretches or shrinks it). A crash cancels
// every pending timer.
func (c *Context) SetTimer(d time.Duration, tag any) TimerID {
	if d < 0 {
		d = 0
	}
	w := c.w
	slot := w.alloc()
	p := &w.slab[slot]
	p.kind = evTimer
	p.to = c.id
	p.inc = c.n.inc
	p.payload = tag
	w.push(w.now.Add(c.n.clock.trueSpan(d)), slot)
	return TimerID(uint64(p.gen)<<32 | uint64(slot))
}

// CancelTimer cancels a pending timer. Cancelling a timer that has fired or
// was cancelled already does nothing.
func (c *Context) CancelTimer(id TimerID) {
	slot := int32(uint32(id))
	w := c.w
	if id == 0 || int(slot) >= len(w.slab) {
		return
	}
	p := &w.slab[slot]
	if p.kind == evTimer && p.gen == uint32(id>>32) && p.to == c.id {
		p.cancelled = true
	}
}

// Record records a fact: something this node did or saw that a check needs
// to know, as a typed value (for example a struct saying which slot was
// decided and with what value). It is the one way a node tells checks what
// happened: the fact is folded into the fingerprint through its description
// (Describe: its String method, or its Go syntax), traces write that
// description, and observers receive the value itself as the event's Msg,
// so a check reads the fact back by its type (see ObserveFacts) rather than
// by parsing text. A string is a fact too: a note for people reading the
// trace. Facts are values, like messages: do not modify one once recorded.
func (c *Context) Record(fact any) {
	c.w.emitFact(c.id, fact)
}

// Invoke records that this node, as a client, invoked an operation with the
// given input, and returns its id for Return. Times in the history are true
// virtual times.
func (c *Context) Invoke(input any) OpID {
	w := c.w
	id := OpID(len(w.history) + 1)
	w.history = append(w.history, Operation{ID: id, Client: c.id, Input: input, Invoke: w.now, Return: Never})
	w.emitOp(KindInvoke, c.id, id, input)
	return id
}

// Return records that operation op, invoked by this node, returned output.
// An operation that never returns (the client gave up) has an unknown
// outcome in the history. Return panics if op is not this node's pending
// operation: that is a bug in the client.
func (c *Context) Return(op OpID, output any) {
	w := c.w
	if op < 1 || int(op) > len(w.history) {
		panic("sim: Return of unknown operation")
	}
	h := &w.history[op-1]
	if h.Client != c.id || h.Returned {
		panic("sim: Return of an operation that is not this node's or has returned")
	}
	h.Output, h.Return, h.Returned = output, w.now, true
	w.emitOp(KindReturn, c.id, op, output)
}

// StopRun ends the run after the current event, e.g. when a client has
// finished its workload. reason is recorded in the trace.
func (c *Context) StopRun(reason string) { c.w.Stop(reason) }
