package sim

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
)

// This file lets a program look at the events a world has pending and choose
// what happens next instead of the kernel: which message arrives, which is
// lost or arrives twice. A debugger uses it to branch a run, an explorer to
// try every order. Every choice names an event by its ID, its sequence
// number, which a replay of the same run gives the same event, so a path of
// choices replays exactly.

// PendingEvent is an event scheduled but not processed yet: a message in
// flight, a timer, a node's first start, or a call scheduled with At.
type PendingEvent struct {
	// ID names the event: its sequence number, the same in every replay of
	// the run up to this point.
	ID uint64
	// Kind is KindDeliver, KindTimer, KindStart, or KindStop for a
	// scheduled call (such as a fault).
	Kind Kind
	// At is when the kernel will process it, in true virtual time; for an
	// event held by a paused node, when it arrived.
	At Time
	// From sends a message to To; a timer or start is To's.
	From, To NodeID
	// Msg is the message or the timer's tag.
	Msg any
	// Held says a paused node holds it until Resume.
	Held bool
}

// ErrNoSuchEvent is returned for an ID that is not pending, or not of a kind
// the call can act on.
var ErrNoSuchEvent = errors.New("sim: no such pending event")

// Describer is what a node may implement to say what state it is in: text
// equal for two nodes exactly when their states are. The web debugger shows
// it; exploration hashes it to recognise a state it has seen. A node without
// it is shown by the facts it recorded.
type Describer interface {
	DescribeState() string
}

// Pending returns the events the world has pending, in the order the kernel
// would process them (held events last, in arrival order). Cancelled timers
// and timers of a crashed incarnation are left out. It costs time in
// proportion to the pending events.
func (w *World) Pending() []PendingEvent {
	var out []PendingEvent
	w.q.each(func(e entry) {
		if pe, ok := w.pendingOf(e.slot(), e.at); ok {
			out = append(out, pe)
		}
	})
	slices.SortFunc(out, func(a, b PendingEvent) int { return cmp.Or(cmp.Compare(a.At, b.At), cmp.Compare(a.ID, b.ID)) })
	for _, n := range w.nodes {
		for _, slot := range n.held {
			if pe, ok := w.pendingOf(slot, w.now); ok {
				pe.Held = true
				out = append(out, pe)
			}
		}
	}
	return out
}

// pendingOf describes the live event in slot, scheduled at at.
func (w *World) pendingOf(slot int32, at Time) (PendingEvent, bool) {
	p := &w.slab[slot]
	pe := PendingEvent{ID: p.seq, At: at, From: p.from, To: p.to, Msg: p.payload}
	switch p.kind {
	case evDeliver:
		pe.Kind = KindDeliver
	case evTimer:
		n := w.nodes[p.to]
		if p.cancelled || p.inc != n.inc || !n.up {
			return pe, false
		}
		pe.Kind, pe.From = KindTimer, None
	case evStart:
		pe.Kind, pe.From = KindStart, None
	case evCall:
		pe.Kind, pe.From, pe.To, pe.Msg = KindStop, None, None, nil
	default:
		return pe, false
	}
	return pe, true
}

// find returns the slot of the queued (not held) event id.
func (w *World) find(id uint64) (int32, bool) {
	slot, found := int32(0), false
	w.q.each(func(e entry) {
		if s := e.slot(); !found && w.slab[s].seq == id && w.slab[s].kind != evStale {
			slot, found = s, true
		}
	})
	return slot, found
}

// Fire processes pending event id now, at the current time, before any
// other: a message arrives early, a timer fires early. It returns
// ErrNoSuchEvent if id is not a queued event (held events wait for Resume).
func (w *World) Fire(id uint64) error {
	slot, ok := w.find(id)
	if !ok {
		return fmt.Errorf("%w: %d", ErrNoSuchEvent, id)
	}
	fresh := w.alloc()
	gen := w.slab[fresh].gen // the copy keeps its own slot's generation
	w.slab[fresh] = w.slab[slot]
	w.slab[fresh].gen = gen
	w.slab[slot].kind = evStale // its queue entry is skipped when it pops
	w.dispatch(fresh, &w.slab[fresh])
	return nil
}

// Drop loses the message in flight id, as the network would (the trace says
// why: "chosen"). It returns ErrNoSuchEvent if id is not a queued message.
func (w *World) Drop(id uint64) error {
	slot, ok := w.find(id)
	if !ok || w.slab[slot].kind != evDeliver {
		return fmt.Errorf("%w: %d is not a message in flight", ErrNoSuchEvent, id)
	}
	p := &w.slab[slot]
	p.kind = evStale
	w.emit(KindDrop, p.from, p.to, p.payload, DropChosen)
	return nil
}

// Duplicate makes the network deliver a second copy of the message in
// flight id, at the same time as the first. It returns ErrNoSuchEvent if id
// is not a queued message.
func (w *World) Duplicate(id uint64) error {
	slot, ok := w.find(id)
	if !ok || w.slab[slot].kind != evDeliver {
		return fmt.Errorf("%w: %d is not a message in flight", ErrNoSuchEvent, id)
	}
	at := Time(-1)
	w.q.each(func(e entry) {
		if e.slot() == slot {
			at = e.at
		}
	})
	p := w.slab[slot]
	w.emit(KindDuplicate, p.from, p.to, p.payload, DropNone)
	fresh := w.alloc()
	w.slab[fresh] = pending{kind: evDeliver, from: p.from, to: p.to, payload: p.payload, gen: w.slab[fresh].gen}
	w.push(max(at, w.now), fresh)
	return nil
}

// RunTo processes the events scheduled at or before until, at most n of
// them (n counts the events Events counts), and stops; unlike RunUntil it
// leaves the clock where the last event put it.
func (w *World) RunTo(until Time, n uint64) { w.run(until, w.events+n) }
