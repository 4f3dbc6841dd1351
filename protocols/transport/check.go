package transport

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

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
// reads the workload's annotations ("stream open", "write", "deliver",
// "closed") and the kernel's start, restart and crash events, so it judges
// what was delivered by the messages' own names, not by what the transport
// believes. For every stream:
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
	parseErrs  int
	delivered  int
	ended      map[string]int
}

// connRef names one end of a connection: node, incarnation and the
// connection's "ID/Local" as annotated.
type connRef struct {
	node sim.NodeID
	inc  int
	conn string
}

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
		if strings.HasPrefix(e.Text, "stream ") {
			k.annotation(e)
		}
	}
}

func (k *StreamChecker) violate(stream uint64, at sim.Time, format string, args ...any) {
	k.offending[fmt.Sprintf("%016x", stream)] = true
	k.violations = append(k.violations, violation(stream, at, format, args...))
}

func violation(stream uint64, at sim.Time, format string, args ...any) string {
	return fmt.Sprintf("at %v: stream %016x: %s", at, stream, fmt.Sprintf(format, args...))
}

func (k *StreamChecker) annotation(e *sim.Event) {
	f := strings.Fields(e.Text)
	kv := map[string]string{}
	for _, w := range f[2:] {
		if i := strings.IndexByte(w, '='); i > 0 {
			kv[w[:i]] = w[i+1:]
		}
	}
	ref := func() connRef { return connRef{node: e.Node, inc: k.inc[e.Node], conn: kv["conn"]} }
	sid, errS := strconv.ParseUint(kv["s"], 16, 64)
	idx, errI := strconv.Atoi(kv["i"])
	switch f[1] {
	case "open":
		if errS != nil {
			k.parseErrs++
			return
		}
		r := ref()
		k.streams[sid] = &streamRec{id: sid, at: e.Time, writer: r, to: kv["to"]}
		k.order = append(k.order, sid)
		k.onConn[r] = append(k.onConn[r], sid)
	case "write":
		st := k.streams[sid]
		if errS != nil || errI != nil || st == nil {
			k.parseErrs++
			return
		}
		if idx != st.written {
			k.violate(sid, e.Time, "wrote message %d after %d messages (the workload is broken)", idx, st.written)
		}
		st.written++
	case "deliver":
		if errS != nil || errI != nil {
			k.parseErrs++
			return
		}
		k.delivered++
		r := ref()
		at := fmt.Sprintf("%s on %s", k.name(e.Node), r.conn)
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
				idx, at, r.inc, k.name(st.recv.node), st.recv.conn, st.recv.inc)
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
	case "closed":
		r := ref()
		k.closed[r] = e.Time
		for _, sid := range k.onConn[r] {
			if st := k.streams[sid]; st.end == "" {
				st.end = kv["err"]
				k.ended[st.end]++
			}
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
			offending[fmt.Sprintf("%016x", sid)] = true
			violations = append(violations, violation(sid, st.at, "its writer %s closed it in order, yet only %d of %d messages were delivered",
				k.name(st.writer.node), st.delivered, st.written))
		}
	}
	if k.parseErrs > 0 {
		violations = append(violations, fmt.Sprintf("%d stream annotations could not be read", k.parseErrs))
	}
	delivery = checker.Result{Check: CheckDelivery, Kind: checker.Safety, Verdict: checker.Holds,
		Detail: fmt.Sprintf("%d streams, %d messages written, %d delivered exactly once and in order; ended: %d in order, %d reset, %d broken",
			len(k.order), k.written(), k.delivered, k.ended["ok"], k.ended["reset"], k.ended["broken"])}
	if len(violations) > 0 {
		delivery.Verdict = checker.Violated
		delivery.Detail = fmt.Sprintf("%d violations; first: %s", len(violations), violations[0])
		delivery.Offending = slices.Sorted(maps.Keys(offending))
	}
	var stuck []string
	for _, sid := range k.order {
		st := k.streams[sid]
		if st.end == "" && k.up[st.writer.node] && k.inc[st.writer.node] == st.writer.inc {
			stuck = append(stuck, fmt.Sprintf("%016x", sid))
		}
	}
	complete = checker.Result{Check: CheckComplete, Kind: checker.Liveness, Verdict: checker.Holds,
		Detail: fmt.Sprintf("every stream of a live writer ended (%d streams)", len(k.order))}
	if len(stuck) > 0 {
		st := k.streams[mustParseHex(stuck[0])]
		complete.Verdict = checker.Violated
		complete.Detail = fmt.Sprintf("%d streams still open at the end of the run; first: %s from %s to %s, %d of %d delivered",
			len(stuck), stuck[0], k.name(st.writer.node), st.to, st.delivered, st.written)
		complete.Offending = slices.Sorted(slices.Values(stuck))
	}
	return delivery, complete
}

func (k *StreamChecker) written() int {
	n := 0
	for _, st := range k.streams {
		n += st.written
	}
	return n
}

func mustParseHex(s string) uint64 {
	v, _ := strconv.ParseUint(s, 16, 64)
	return v
}
