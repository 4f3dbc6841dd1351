package reports

import (
	"cmp"
	"reflect"
	"slices"

	"github.com/dsimlab/dsim/sim"
)

// flight is one copy of a message on a link: the send that put it there
// and its fate, a delivery or a drop. The trace does not link the two, so
// matchFlights pairs them (see there for the heuristic).
type flight struct {
	send int  // index of the KindSend event in the trace; -1 if none matched
	fate int  // index of the KindDeliver or KindDrop event; -1 if the run ended first
	dup  bool // the network's second copy (a KindDuplicate followed the send)
}

// flightKey identifies the copies a delivery or drop may belong to: the
// directed link and the message's identity.
type flightKey struct {
	from, to sim.NodeID
	id       any
}

// describedMsg is the identity of a message that cannot be compared with
// ==: its type and its description.
type describedMsg struct {
	t reflect.Type
	s string
}

// msgIdentity returns a comparable identity for msg: msg itself when it is
// comparable (a pointer, or a value of a comparable type), else its type
// and sim.Describe text.
func msgIdentity(msg any) any {
	if msg == nil || reflect.ValueOf(msg).Comparable() {
		return msg
	}
	return describedMsg{reflect.TypeOf(msg), sim.Describe(msg)}
}

// matchFlights pairs the sends of trace with their deliveries and drops and
// returns every copy whose send or fate lies in trace[lo:hi], sorted by
// send (an unmatched fate by its own position), the original before its
// duplicate.
//
// The heuristic: every KindSend puts a copy on its link (sender -> Peer),
// and a KindDuplicate right after it a second copy of the same send. A
// KindDeliver (Node is the receiver, Peer the sender) or a drop on arrival
// (reasons cut-in-flight, node-down, crash) takes the oldest copy in flight
// on that link with the same message identity: pointer equality for
// pointer messages, == for other comparable values, and type plus
// sim.Describe text for the rest. A drop at send time (reasons loss and
// partition) takes the newest copy, the one just sent. Pointer messages
// are therefore matched exactly; equal value messages on one link are
// matched in FIFO order of their sends, which may pair them wrongly on a
// reordering link (the arrows then cross differently, but the counts and
// the times of sends and deliveries stay right). Copies still in flight
// when the run ended have fate -1; a fate with no copy to match (which a
// message mutated after it was sent can cause) has send -1.
//
// It reads the trace only as far as it must: up to hi, then on until every
// copy sent in the window has met its fate.
func matchFlights(trace []sim.Event, lo, hi int) []flight {
	pending := map[flightKey][]flight{}
	in := func(i int) bool { return i >= lo && i < hi }
	var out []flight
	open := 0 // copies sent in the window still in flight
	settle := func(k flightKey, fate int, newest bool) {
		q := pending[k]
		if len(q) == 0 {
			if in(fate) {
				out = append(out, flight{send: -1, fate: fate})
			}
			return
		}
		var f flight
		if newest {
			f, q = q[len(q)-1], q[:len(q)-1]
		} else {
			f, q = q[0], q[1:]
		}
		if len(q) == 0 {
			delete(pending, k)
		} else {
			pending[k] = q
		}
		f.fate = fate
		if in(f.send) {
			open--
		}
		if in(f.send) || in(fate) {
			out = append(out, f)
		}
	}
	for i := 0; i < len(trace) && (i < hi || open > 0); i++ {
		e := &trace[i]
		switch e.Kind {
		case sim.KindSend:
			k := flightKey{e.Node, e.Peer, msgIdentity(e.Msg)}
			pending[k] = append(pending[k], flight{send: i, fate: -1})
			if in(i) {
				open++
			}
		case sim.KindDuplicate:
			k := flightKey{e.Node, e.Peer, msgIdentity(e.Msg)}
			send := -1
			if q := pending[k]; len(q) > 0 {
				send = q[len(q)-1].send
			}
			pending[k] = append(pending[k], flight{send: send, fate: -1, dup: true})
			if in(send) {
				open++
			}
		case sim.KindDeliver:
			settle(flightKey{e.Peer, e.Node, msgIdentity(e.Msg)}, i, false)
		case sim.KindDrop:
			atSend := e.Reason == sim.DropLoss || e.Reason == sim.DropPartition
			settle(flightKey{e.Node, e.Peer, msgIdentity(e.Msg)}, i, atSend)
		}
	}
	for _, q := range pending {
		for _, f := range q {
			if in(f.send) {
				out = append(out, f)
			}
		}
	}
	slices.SortFunc(out, func(a, b flight) int {
		return cmp.Or(cmp.Compare(a.position(), b.position()), boolCompare(a.dup, b.dup), cmp.Compare(a.fate, b.fate))
	})
	return out
}

// InFlight returns the message copies of trace still in flight at its end,
// as the diagram pairs sends with their deliveries and drops (see
// matchFlights for the heuristic): for each, the position in trace of the
// send that made it, in order; a send the network duplicated counts twice.
func InFlight(trace []sim.Event) []int {
	var out []int
	for _, f := range matchFlights(trace, 0, len(trace)) {
		if f.fate < 0 && f.send >= 0 {
			out = append(out, f.send)
		}
	}
	return out
}

// position is where a flight sorts: its send, or its fate if it has none.
func (f flight) position() int {
	if f.send >= 0 {
		return f.send
	}
	return f.fate
}

// boolCompare orders false before true.
func boolCompare(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}
