package transport

import (
	"fmt"
	"maps"
	"slices"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/sim"
)

// The names of the stream workload's checks.
const (
	CheckDelivery = "stream-delivery" // safety: exactly once, in order, a prefix, nothing after close or across incarnations
	CheckComplete = "stream-complete" // liveness: every stream of a live writer ended
)

// StreamChecker checks the stream workload from the trace, as it happens:
// feed it every event (World.Observe(k.Observe)), then ask for Results. It
// reads the workload's facts (StreamOpened, StreamWritten, StreamDelivered,
// StreamClosed) and the kernel's start, restart and crash events, so it
// judges what was delivered by the messages' own names, not by what the
// transport believes. For every stream:
//
//   - the messages delivered are messages 0, 1, 2, ... of the stream, each
//     once, in order (a prefix of what was written);
//   - all are delivered on one connection of one incarnation of the
//     receiver, and none after that connection was reported closed, reset
//     or broken;
//   - if its writer's connection closed in order, all were delivered;
//   - (liveness) it ended (closed, reset or broken) unless its writer
//     crashed or the run ended while it was still writing.
type StreamChecker struct {
	name       func(sim.NodeID) string
	inc        map[sim.NodeID]int // starts seen: the node's incarnation
	up         map[sim.NodeID]bool
	streams    map[uint64]*streamRec
	order      []uint64 // streams by opening
	closed     map[connRef]sim.Time
	onConn     map[connRef][]uint64 // streams written on a connection
	violations []string
	offending  map[string]bool
	delivered  int
	ended      map[string]int
}

// connRef names one end of a connection: node, incarnation, and the
// connection's ID and Local number there.
type connRef struct {
	node  sim.NodeID
	inc   int
	conn  string
	local uint64
}

// String formats the end as "ID/Local", e.g. "c1#1.1/1".
func (r connRef) String() string { return string(appendConn(nil, r.conn, r.local)) }

type streamRec struct {
	id        uint64
	at        sim.Time
	writer    connRef
	to        string
	written   int
	next      int // next index expected
	delivered int
	recv      *connRef
	end       string // "", "ok", "reset", "broken"
}

// NewStreamChecker returns a checker that names nodes with name (e.g.
// World.Name) in its reports.
func NewStreamChecker(name func(sim.NodeID) string) *StreamChecker {
	return &StreamChecker{name: name, inc: map[sim.NodeID]int{}, up: map[sim.NodeID]bool{},
		streams: map[uint64]*streamRec{}, closed: map[connRef]sim.Time{}, onConn: map[connRef][]uint64{},
		offending: map[string]bool{}, ended: map[string]int{}}
}

// Observe feeds one event to the checker.
func (k *StreamChecker) Observe(e *sim.Event) {
	switch e.Kind {
	case sim.KindStart, sim.KindRestart:
		k.inc[e.Node]++
		k.up[e.Node] = true
	case sim.KindCrash:
		k.up[e.Node] = false
	case sim.KindRecord:
		switch f := e.Msg.(type) {
		case StreamOpened:
			k.onOpen(e, f)
		case StreamWritten:
			k.onWrite(e, f)
		case StreamDelivered:
			k.onDeliver(e, f)
		case StreamClosed:
			k.onClose(e, f)
		}
	}
}

func (k *StreamChecker) violate(stream uint64, at sim.Time, format string, args ...any) {
	k.offending[streamName(stream)] = true
	k.violations = append(k.violations, violation(stream, at, format, args...))
}

func violation(stream uint64, at sim.Time, format string, args ...any) string {
	return fmt.Sprintf("at %v: stream %s: %s", at, streamName(stream), fmt.Sprintf(format, args...))
}

// streamName formats a stream's name as 16 hex digits.
func streamName(stream uint64) string { return string(appendHex16(nil, stream)) }

// ref names the end of connection conn/local at the event's node, in its
// current incarnation.
func (k *StreamChecker) ref(e *sim.Event, conn string, local uint64) connRef {
	return connRef{node: e.Node, inc: k.inc[e.Node], conn: conn, local: local}
}

func (k *StreamChecker) onOpen(e *sim.Event, f StreamOpened) {
	r := k.ref(e, f.Conn, f.Local)
	k.streams[f.Stream] = &streamRec{id: f.Stream, at: e.Time, writer: r, to: f.To}
	k.order = append(k.order, f.Stream)
	k.onConn[r] = append(k.onConn[r], f.Stream)
}

func (k *StreamChecker) onWrite(e *sim.Event, f StreamWritten) {
	st := k.streams[f.Stream]
	switch {
	case st == nil:
		k.violate(f.Stream, e.Time, "wrote message %d of a stream never opened (the workload is broken)", f.Index)
		return
	case f.Index != st.written:
		k.violate(f.Stream, e.Time, "wrote message %d after %d messages (the workload is broken)", f.Index, st.written)
	}
	st.written++
}

func (k *StreamChecker) onDeliver(e *sim.Event, f StreamDelivered) {
	sid, idx := f.Stream, f.Index
	k.delivered++
	r := k.ref(e, f.Conn, f.Local)
	at := fmt.Sprintf("%s on %s", k.name(e.Node), r)
	if t, ok := k.closed[r]; ok {
		k.violate(sid, e.Time, "message %d delivered at %s after that connection ended at %v", idx, at, t)
	}
	st := k.streams[sid]
	if st == nil {
		k.violate(sid, e.Time, "delivered at %s a message %d of no stream written (a corrupt or foreign message)", at, idx)
		return
	}
	st.delivered++
	if st.recv == nil {
		st.recv = &r
	} else if *st.recv != r {
		k.violate(sid, e.Time, "message %d delivered at %s (incarnation %d), but earlier ones at %s on %s (incarnation %d)",
			idx, at, r.inc, k.name(st.recv.node), st.recv, st.recv.inc)
	}
	switch {
	case idx >= st.written:
		k.violate(sid, e.Time, "message %d delivered at %s before it was written (%d written)", idx, at, st.written)
	case idx < st.next:
		k.violate(sid, e.Time, "message %d delivered again (or out of order) at %s, after message %d", idx, at, st.next-1)
	case idx > st.next:
		k.violate(sid, e.Time, "message %d delivered at %s, skipping messages %d to %d", idx, at, st.next, idx-1)
	}
	st.next = max(st.next, idx+1)
}

func (k *StreamChecker) onClose(e *sim.Event, f StreamClosed) {
	r := k.ref(e, f.Conn, f.Local)
	k.closed[r] = e.Time
	for _, sid := range k.onConn[r] {
		if st := k.streams[sid]; st.end == "" {
			st.end = f.Err
			k.ended[st.end]++
		}
	}
}

// Results returns the verdicts of the delivery (safety) and completion
// (liveness) checks of the events seen so far.
func (k *StreamChecker) Results() (delivery, complete checker.Result) {
	violations := slices.Clone(k.violations)
	offending := maps.Clone(k.offending)
	for _, sid := range k.order {
		st := k.streams[sid]
		if st.end == "ok" && st.delivered < st.written {
			offending[streamName(sid)] = true
			violations = append(violations, violation(sid, st.at, "its writer %s closed it in order, yet only %d of %d messages were delivered",
				k.name(st.writer.node), st.delivered, st.written))
		}
	}
	delivery = checker.Result{Check: CheckDelivery, Kind: checker.Safety, Verdict: checker.Holds,
		Detail: fmt.Sprintf("%d streams, %d messages written, %d delivered exactly once and in order; ended: %d in order, %d reset, %d broken",
			len(k.order), k.written(), k.delivered, k.ended["ok"], k.ended["reset"], k.ended["broken"])}
	if len(violations) > 0 {
		delivery.Verdict = checker.Violated
		delivery.Detail = fmt.Sprintf("%d violations; first: %s", len(violations), violations[0])
		delivery.Offending = slices.Sorted(maps.Keys(offending))
	}
	return delivery, k.completion()
}

// completion is the liveness verdict: every stream of a live writer ended.
func (k *StreamChecker) completion() checker.Result {
	var stuck []string
	var first *streamRec
	for _, sid := range k.order {
		st := k.streams[sid]
		if st.end == "" && k.up[st.writer.node] && k.inc[st.writer.node] == st.writer.inc {
			stuck = append(stuck, streamName(sid))
			if first == nil {
				first = st
			}
		}
	}
	res := checker.Result{Check: CheckComplete, Kind: checker.Liveness, Verdict: checker.Holds,
		Detail: fmt.Sprintf("every stream of a live writer ended (%d streams)", len(k.order))}
	if len(stuck) > 0 {
		res.Verdict = checker.Violated
		res.Detail = fmt.Sprintf("%d streams still open at the end of the run; first: %s from %s to %s, %d of %d delivered",
			len(stuck), stuck[0], k.name(first.writer.node), first.to, first.delivered, first.written)
		res.Offending = slices.Sorted(slices.Values(stuck))
	}
	return res
}

func (k *StreamChecker) written() int {
	n := 0
	for _, st := range k.streams {
		n += st.written
	}
	return n
}
