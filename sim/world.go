package sim

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// OpID identifies an operation in a run's history, from 1.
type OpID int32

// Operation is one client operation in a run's history: what a client
// invoked, when, and what it returned. An operation that never returned has
// Returned false and Return Never: its outcome is unknown (it may or may not
// have taken effect), which is how checkers must treat it.
type Operation struct {
	ID       OpID
	Client   NodeID
	Input    any
	Output   any
	Invoke   Time // true virtual time of the invocation
	Return   Time // true virtual time of the return, or Never
	Returned bool
}

// Config sets up a World.
type Config struct {
	// Seed is the root of every random stream in the run.
	Seed uint64
	// Link is the default behaviour of every link; the zero value means
	// DefaultLink.
	Link LinkConfig
	// Trace records events in memory for Trace and WriteTraceJSONL: every
	// one, or the first TraceLimit if that is positive (Traced counts them
	// all). The fingerprint is computed whether or not events are recorded.
	// To keep a whole long run, stream it instead (StreamTraceJSONL).
	Trace      bool
	TraceLimit int
	// OnEvent, if set, is called with every event as it happens (the Event
	// is only valid during the call). Checkers use it to watch a run without
	// recording the whole trace.
	OnEvent func(*Event)
}

type evKind uint8

const (
	evDeliver evKind = iota + 1
	evTimer
	evStart
	evCall
	evStale // processed out of order (Fire, Drop): skipped, and freed, when it pops
)

// pending is the payload of a scheduled event, kept in the World's slab and
// reused, so scheduling an event allocates nothing in steady state.
type pending struct {
	kind      evKind
	cancelled bool // timers: cancelled, skip when popped
	held      bool // deliveries: held by a pause, the link was checked already
	from, to  NodeID
	inc       uint32 // timers and starts: the incarnation they belong to
	gen       uint32 // bumped when the slot is freed, so stale TimerIDs miss
	seq       uint64 // the event's sequence number: its ID in Pending
	payload   any
	fn        func(*World)
}

// World is one simulation: virtual clock, event queue, nodes, network,
// faults, history and trace. It is single-threaded and deterministic: the
// same Config, nodes and calls give the same run, event for event. A World
// must be used from one goroutine; separate Worlds may run in parallel.
type World struct {
	now       Time
	seq       uint64
	q         queue
	slab      []pending
	free      []int32
	nodes     []*nodeState
	ids       []NodeID
	byName    map[string]NodeID
	root      uint64
	netSrc    *rand.PCG
	def       *model
	links     links
	fp        fingerprint
	record    bool
	limit     int // most events recorded, or 0 for all
	trace     []Event
	observers []observer
	watched   uint32 // the kinds some observer watches, one bit each
	listen    uint32 // the kinds to publish: watched, or all while recording
	scratch   Event  // handed to observers, valid during the call
	history   []Operation
	events    uint64
	traced    uint64 // trace events so far, recorded or not
	stopped   bool
	reason    string
	active    NodeID      // the node whose handler runs, or ran last; None for scheduled calls
	halt      atomic.Bool // Interrupt was called
	spare     []nodeState // the rest of the chunk the next nodes are allocated from

	fpts    *faultPoints // fault points, or nil when off (faultpoints.go)
	calling bool         // observers are being called: a Stop's event waits for them
	stopDue bool         // Stop was called by an observer; its event is emitted after it
}

// New returns an empty World configured by cfg.
func New(cfg Config) (*World, error) {
	w := &World{root: cfg.Seed, record: cfg.Trace, limit: cfg.TraceLimit, byName: map[string]NodeID{}, active: None}
	if cfg.Trace {
		w.listen = 1<<kindCount - 1
	}
	if cfg.OnEvent != nil {
		w.Observe(cfg.OnEvent)
	}
	w.netSrc = NewStream(cfg.Seed, "network")
	link := cfg.Link
	if link.Latency.Kind == "" {
		link = DefaultLink
	}
	m, err := w.compile(link)
	if err != nil {
		return nil, fmt.Errorf("default link: %w", err)
	}
	w.def = m
	return w, nil
}

// Active returns the node whose handler (Start, Receive or Timer, or its
// factory) the world is running or ran last, and false if it is running a
// function scheduled with At, or nothing yet. A run that recovers from a
// panic uses it to say which node panicked.
func (w *World) Active() (NodeID, bool) { return w.active, w.active != None }

// observer is a function watching some kinds of events.
type observer struct {
	kinds uint32 // one bit per Kind
	fn    func(*Event)
}

// Observe adds fn to the functions called with every event as it happens
// (after Config.OnEvent, in the order they were added). The Event is only
// valid during the call. Checkers use it to watch a run without recording
// the whole trace.
func (w *World) Observe(fn func(*Event)) { w.ObserveKinds(fn) }

// ObserveKinds is Observe for the given kinds of events only (all of them
// if none is given). A run builds an Event for an observer only when some
// observer watches its kind, so watching faults or facts costs nothing on
// the messages, which are most of a run's events.
func (w *World) ObserveKinds(fn func(*Event), kinds ...Kind) {
	mask := uint32(1)<<kindCount - 1
	if len(kinds) > 0 {
		mask = 0
		for _, k := range kinds {
			mask |= 1 << k
		}
	}
	w.observers = append(w.observers, observer{kinds: mask, fn: fn})
	w.watched |= mask
	w.listen |= mask
}

// ObserveFacts calls fn with every fact of type T that a node records (see
// Context.Record), as it is recorded, with the event that carries it; the
// event is only valid during the call. Checks use it to read facts by their
// type, as they happen.
func ObserveFacts[T any](w *World, fn func(e *Event, fact T)) {
	w.ObserveKinds(func(e *Event) {
		if fact, ok := e.Msg.(T); ok {
			fn(e, fact)
		}
	}, KindRecord)
}

// Stream returns a new random source for a named component of the run (for
// example "workload" or "faults"), derived from the root seed by SplitSeed.
// Nodes have their own streams ("node/NAME") and the network has "network".
func (w *World) Stream(name string) *rand.Rand {
	return rand.New(NewStream(w.root, name))
}

// Seed returns the run's root seed.
func (w *World) Seed() uint64 { return w.root }

// AddNode adds a node built by factory, with a unique name, and schedules its
// first Start at the current time.
func (w *World) AddNode(name string, factory Factory) (NodeID, error) {
	if _, dup := w.byName[name]; dup {
		return 0, fmt.Errorf("add node: name %q is taken", name)
	}
	if name == "" {
		return 0, fmt.Errorf("add node: empty name")
	}
	id := NodeID(len(w.nodes))
	if len(w.spare) == 0 {
		w.spare = make([]nodeState, nodeChunk)
	}
	n := &w.spare[0]
	w.spare = w.spare[1:]
	n.name, n.factory = name, factory
	n.pcg = *NewStream(w.root, "node/"+name)
	n.rng = *rand.New(&n.pcg)
	n.ctx = Context{w: w, id: id, n: n}
	w.nodes = append(w.nodes, n)
	w.ids = append(w.ids, id)
	w.byName[name] = id
	slot := w.alloc()
	p := &w.slab[slot]
	p.kind = evStart
	p.to = id
	w.push(w.now, slot)
	return id, nil
}

// MustAddNode is AddNode for set-up code where a duplicate name is a bug.
func (w *World) MustAddNode(name string, factory Factory) NodeID {
	id, err := w.AddNode(name, factory)
	if err != nil {
		panic(err)
	}
	return id
}

// Lookup returns the id of the node with the given name.
func (w *World) Lookup(name string) (NodeID, bool) {
	id, ok := w.byName[name]
	return id, ok
}

// Nodes returns the ids of all nodes, in order. The slice must not be modified.
func (w *World) Nodes() []NodeID { return w.ids }

// Name returns the name of node id.
func (w *World) Name(id NodeID) string { return w.nodes[id].name }

// Node returns the current state machine of node id, or nil while it is
// crashed. Tests and checkers use it to inspect state at the end of a run.
func (w *World) Node(id NodeID) Node { return w.nodes[id].impl }

// Up reports whether node id is running (started and not crashed).
func (w *World) Up(id NodeID) bool { return w.nodes[id].up }

// Paused reports whether node id is paused.
func (w *World) Paused(id NodeID) bool { return w.nodes[id].paused }

// Storage returns the durable storage of node id.
func (w *World) Storage(id NodeID) *Storage { return &w.nodes[id].store }

// Context returns the context of node id, for drivers that act on a node's
// behalf from a scheduled callback (for example a workload injecting client
// requests). Acting through it is as if the node had acted.
func (w *World) Context(id NodeID) *Context { return &w.nodes[id].ctx }

// Now returns the true virtual time.
func (w *World) Now() Time { return w.now }

// Events returns how many events have been processed: deliveries, timers
// fired, node starts and scheduled callbacks.
func (w *World) Events() uint64 { return w.events }

// Fingerprint returns the 64-bit hash of every event so far (kinds, true
// times, nodes, drop reasons, facts, operation inputs and outputs).
// Two runs with the same seed, nodes and calls have the same fingerprint.
func (w *World) Fingerprint() uint64 { return w.fp.sum() }

// Trace returns the recorded events (empty unless Config.Trace). The slice
// must not be modified.
func (w *World) Trace() []Event { return w.trace }

// Traced returns how many trace events the run has had so far, recorded or
// not: Trace's events are the first of them.
func (w *World) Traced() uint64 { return w.traced }

// History returns every operation recorded by clients, in invocation order.
func (w *World) History() []Operation { return w.history }

// Stopped reports whether Stop was called, and why.
func (w *World) Stopped() (bool, string) { return w.stopped, w.reason }

// Stop ends the run: Run and its variants return after the current event and
// do nothing when called again. An observer may call it (an online check
// that saw a violation): the stop event then follows the event observed.
func (w *World) Stop(reason string) {
	if w.stopped {
		return
	}
	w.stopped, w.reason = true, reason
	if w.calling {
		w.stopDue = true
		return
	}
	w.emitText(KindStop, None, None, reason)
}

// At schedules fn to run at time t (or now, if t has passed). Fault
// schedulers and workload drivers use it; fn may call any World method.
func (w *World) At(t Time, fn func(*World)) {
	if t < w.now {
		t = w.now
	}
	slot := w.alloc()
	p := &w.slab[slot]
	p.kind = evCall
	p.fn = fn
	w.push(t, slot)
}

// After schedules fn to run after d.
func (w *World) After(d time.Duration, fn func(*World)) { w.At(w.now.Add(d), fn) }

// Run processes events until none are left (quiescence) or Stop is called.
func (w *World) Run() { w.run(Never, ^uint64(0)) }

// RunUntil processes every event scheduled at or before t, then sets the
// clock to t (unless the run was stopped).
func (w *World) RunUntil(t Time) {
	w.run(t, ^uint64(0))
	if !w.stopped && w.now < t {
		w.now = t
	}
}

// RunEvents processes at most n more events.
func (w *World) RunEvents(n uint64) { w.run(Never, w.events+n) }

func (w *World) run(until Time, maxEvents uint64) {
	for !w.stopped && w.q.len() > 0 && w.events < maxEvents {
		if until != Never && w.q.peek().at > until {
			return
		}
		if w.halt.Load() {
			w.Stop("interrupted")
			return
		}
		e := w.q.pop()
		w.now = e.at
		slot := e.slot()
		if p := &w.slab[slot]; p.kind == evDeliver { // most events, without dispatch's call
			w.deliver(slot, p)
		} else {
			w.dispatch(slot, p)
		}
	}
}

// Interrupt asks the world to stop before its next event, as Stop does,
// with the reason "interrupted". Unlike every other method it may be called
// from any goroutine while the world runs: a command calls it when its user
// interrupts a long run. Where the run stops then depends on timing, so an
// interrupted run is not a replayable result; Interrupted tells one apart.
func (w *World) Interrupt() { w.halt.Store(true) }

// Interrupted reports whether Interrupt was called.
func (w *World) Interrupted() bool { return w.halt.Load() }

// dispatch processes the event in slot, p.
func (w *World) dispatch(slot int32, p *pending) {
	switch p.kind {
	case evDeliver:
		w.deliver(slot, p)
	case evTimer:
		n := w.nodes[p.to]
		if p.cancelled || p.inc != n.inc || !n.up {
			w.release(slot)
			return
		}
		if n.paused {
			n.held = append(n.held, slot)
			return
		}
		tag := p.payload
		w.release(slot)
		w.events++
		w.emit(KindTimer, n.ctx.id, None, tag, DropNone)
		w.active = n.ctx.id
		n.impl.Timer(&n.ctx, tag)
	case evStart:
		n := w.nodes[p.to]
		inc := p.inc
		w.release(slot)
		if inc != n.inc || n.up {
			return
		}
		w.events++
		w.boot(n, KindStart)
	case evCall:
		fn := p.fn
		w.release(slot)
		w.events++
		w.active = None
		fn(w)
	case evStale:
		w.release(slot)
	}
}

func (w *World) deliver(slot int32, p *pending) {
	from, to := p.from, p.to
	n := w.nodes[to]
	// A message held by a pause reached the node before any later cut, so
	// only a message still on the wire is checked against the link.
	if !p.held && w.links.cut && w.blocked(from, to) {
		w.drop(slot, from, to, DropCutInFlight)
		return
	}
	if !n.up {
		reason := DropNodeDown
		if p.held {
			reason = DropCrash
		}
		w.drop(slot, from, to, reason)
		return
	}
	if n.paused {
		p.held = true
		n.held = append(n.held, slot)
		return
	}
	msg := p.payload
	w.release(slot)
	w.events++
	w.fold(KindDeliver, to, from, DropNone)
	if w.listens(KindDeliver) {
		w.publishEvent(KindDeliver, to, from, msg, DropNone)
	}
	w.active = to
	n.impl.Receive(&n.ctx, from, msg)
}

// drop releases a delivery's slot and traces its loss.
func (w *World) drop(slot int32, from, to NodeID, reason DropReason) {
	msg := w.slab[slot].payload
	w.release(slot)
	w.emit(KindDrop, from, to, msg, reason)
}

func (w *World) push(at Time, slot int32) {
	w.seq++
	if w.seq >= seqLimit {
		panic("sim: more than 2^40 events scheduled in one run")
	}
	w.slab[slot].seq = w.seq
	if at < w.q.last {
		w.q.rebase(at) // rare: see queue.push
	}
	w.q.add(entry{at: at, key: w.seq<<slotBits | uint64(slot)})
}

// alloc returns a free slab slot, reset but for its generation.
func (w *World) alloc() int32 {
	if n := len(w.free); n > 0 {
		slot := w.free[n-1]
		w.free = w.free[:n-1]
		return slot
	}
	if len(w.slab) >= maxSlots {
		panic("sim: more than 2^24 events pending at once")
	}
	w.slab = append(w.slab, pending{})
	return int32(len(w.slab) - 1)
}

func (w *World) release(slot int32) {
	p := &w.slab[slot]
	*p = pending{gen: p.gen + 1}
	w.free = append(w.free, slot)
}

func (w *World) boot(n *nodeState, kind Kind) {
	n.up = true
	w.active = n.ctx.id
	n.impl = n.factory()
	w.emit(kind, n.ctx.id, None, nil, DropNone)
	n.impl.Start(&n.ctx)
}

// Crash crashes node id: its state machine is discarded, its pending timers
// and held events are dropped, and its storage loses unsynced writes.
// Messages it sent are still in flight. Crashing a crashed node does nothing.
func (w *World) Crash(id NodeID) {
	n := w.nodes[id]
	if !n.up {
		return
	}
	n.up, n.paused, n.impl = false, false, nil
	n.inc++
	n.store.crash()
	w.emit(KindCrash, id, None, nil, DropNone)
	for _, slot := range n.held {
		p := &w.slab[slot]
		if p.kind == evDeliver {
			w.emit(KindDrop, p.from, id, p.payload, DropCrash)
		}
		w.release(slot)
	}
	n.held = n.held[:0]
}

// Restart boots a fresh state machine for node id from its factory and calls
// its Start, now. Restarting a running node crashes it first (a reboot).
func (w *World) Restart(id NodeID) {
	n := w.nodes[id]
	if n.up {
		w.Crash(id)
	}
	w.boot(n, KindRestart)
}

// Pause freezes node id, like a long garbage-collection pause: messages and
// timers that reach it are held, not lost, and handled in order on Resume.
func (w *World) Pause(id NodeID) {
	n := w.nodes[id]
	if !n.up || n.paused {
		return
	}
	n.paused = true
	w.emit(KindPause, id, None, nil, DropNone)
}

// Resume unfreezes node id; the events held while it was paused are handled
// now, in the order they arrived.
func (w *World) Resume(id NodeID) {
	n := w.nodes[id]
	if !n.paused {
		return
	}
	n.paused = false
	w.emit(KindResume, id, None, nil, DropNone)
	for _, slot := range n.held {
		w.slab[slot].held = true
		w.push(w.now, slot)
	}
	n.held = n.held[:0]
}

// SetClock skews node id's clock from now on: its local time becomes
// true time + offset + drift × (time since now). drift is a rate (0.01 is a
// clock 1% fast) and must be greater than -1. The event queue stays on true
// time; timers the node sets are stretched by its drift.
func (w *World) SetClock(id NodeID, offset time.Duration, drift float64) error {
	if !(drift > -1) {
		return fmt.Errorf("set clock of %s: drift %v must be greater than -1", w.nodes[id].name, drift)
	}
	n := w.nodes[id]
	n.clock = clock{skewed: offset != 0 || drift != 0, offset: offset, drift: drift, anchor: w.now}
	w.emitText(KindClock, id, None, fmt.Sprintf("offset=%v drift=%v", offset, drift))
	return nil
}

// emit folds an event into the fingerprint and, if anyone listens, records it.
func (w *World) emit(kind Kind, node, peer NodeID, msg any, reason DropReason) {
	w.fold(kind, node, peer, reason)
	if w.listens(kind) {
		w.publishEvent(kind, node, peer, msg, reason)
	}
}

// fold numbers an event and folds it into the fingerprint. It is small
// enough to be inlined: the event loop's hot paths (a send, a delivery)
// call it and publish themselves, as emit does, without emit's call.
func (w *World) fold(kind Kind, node, peer NodeID, reason DropReason) {
	w.traced++
	w.fp.add(uint64(kind)|uint64(reason)<<8|uint64(uint32(node))<<32,
		uint64(w.now)^uint64(uint32(peer))*fpPrime2)
}

func (w *World) publishEvent(kind Kind, node, peer NodeID, msg any, reason DropReason) {
	w.publish(Event{Seq: w.traced - 1, Time: w.now, Kind: kind, Node: node, Peer: peer, Msg: msg, Reason: reason})
}

func (w *World) emitText(kind Kind, node, peer NodeID, text string) {
	w.emitDescribed(kind, node, peer, nil, text)
}

// emitFact records a node's fact. It is hashed through its description, like
// any text event, so the fingerprint depends on what a fact says, not on how
// its type is laid out; a FactHasher hashes itself, and is described only
// when someone reads the event's Description.
func (w *World) emitFact(node NodeID, fact any) {
	h, ok := fact.(FactHasher)
	if !ok {
		w.emitDescribed(KindRecord, node, None, fact, Describe(fact))
		return
	}
	w.fold(KindRecord, node, None, DropNone)
	w.fp.add(h.FingerprintWords())
	if w.listens(KindRecord) {
		w.publish(Event{Seq: w.traced - 1, Time: w.now, Kind: KindRecord, Node: node, Peer: None, Msg: fact})
	}
}

func (w *World) emitDescribed(kind Kind, node, peer NodeID, msg any, text string) {
	w.fold(kind, node, peer, DropNone)
	w.fp.addString(text)
	if w.listens(kind) {
		w.publish(Event{Seq: w.traced - 1, Time: w.now, Kind: kind, Node: node, Peer: peer, Msg: msg, Text: text})
	}
}

func (w *World) emitOp(kind Kind, node NodeID, op OpID, v any) {
	seq := w.nextEvent()
	w.fp.add(uint64(kind)|uint64(uint32(node))<<32, uint64(w.now)^uint64(op)*fpPrime2)
	w.fp.addString(Describe(v))
	if w.listens(kind) {
		w.publish(Event{Seq: seq, Time: w.now, Kind: kind, Node: node, Peer: None, Msg: v, Op: op})
	}
}

// listens reports whether events of kind are published: recorded or
// observed. (The mask keeps the shift within 32 bits, so it compiles to
// a bit test.)
func (w *World) listens(kind Kind) bool { return w.listen&(1<<(kind&31)) != 0 }

// nextEvent numbers the next trace event.
func (w *World) nextEvent() uint64 {
	w.traced++
	return w.traced - 1
}

func (w *World) publish(e Event) {
	if bit := uint32(1) << e.Kind; w.watched&bit != 0 {
		// Observers get a pointer to a scratch Event that is reused, so
		// watching a run allocates nothing per event.
		w.calling = true
		for _, o := range w.observers {
			if o.kinds&bit != 0 {
				w.scratch = e
				o.fn(&w.scratch)
			}
		}
		w.calling = false
	}
	if w.record {
		w.trace = append(w.trace, e)
		if w.limit > 0 && len(w.trace) >= w.limit {
			w.record, w.listen = false, w.watched // the window is full; the fingerprint goes on
		}
	}
	if w.stopDue {
		w.stopDue = false
		w.emitText(KindStop, None, None, w.reason)
	}
}
