package reports

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/sim"
)

type ping struct{ n int }

// ev builds a hand-made trace event; Seq and Time follow its position.
func ev(kind sim.Kind, node, peer sim.NodeID, msg any) sim.Event {
	return sim.Event{Kind: kind, Node: node, Peer: peer, Msg: msg}
}

func drop(node, peer sim.NodeID, msg any, r sim.DropReason) sim.Event {
	e := ev(sim.KindDrop, node, peer, msg)
	e.Reason = r
	return e
}

func TestMatchFlights(t *testing.T) {
	p1, p2 := &ping{1}, &ping{2}
	const a, b, c = sim.NodeID(0), sim.NodeID(1), sim.NodeID(2)
	for _, tc := range []struct {
		name   string
		trace  []sim.Event
		lo, hi int // 0, 0: the whole trace
		want   []flight
	}{
		{"pointer messages reordered on a link are matched by identity",
			[]sim.Event{ev(sim.KindSend, a, b, p1), ev(sim.KindSend, a, b, p2),
				ev(sim.KindDeliver, b, a, p2), ev(sim.KindDeliver, b, a, p1)}, 0, 0,
			[]flight{{send: 0, fate: 3}, {send: 1, fate: 2}}},
		{"equal values on one link are matched first sent, first delivered",
			[]sim.Event{ev(sim.KindSend, a, b, ping{7}), ev(sim.KindSend, a, b, ping{7}),
				ev(sim.KindDeliver, b, a, ping{7}), ev(sim.KindDeliver, b, a, ping{7})}, 0, 0,
			[]flight{{send: 0, fate: 2}, {send: 1, fate: 3}}},
		{"the same value on two links is kept apart",
			[]sim.Event{ev(sim.KindSend, a, b, "x"), ev(sim.KindSend, a, c, "x"),
				ev(sim.KindDeliver, c, a, "x"), ev(sim.KindDeliver, b, a, "x")}, 0, 0,
			[]flight{{send: 0, fate: 3}, {send: 1, fate: 2}}},
		{"a duplicate is a second copy of the same send",
			[]sim.Event{ev(sim.KindSend, a, b, p1), ev(sim.KindDuplicate, a, b, p1),
				ev(sim.KindDeliver, b, a, p1), ev(sim.KindDeliver, b, a, p1)}, 0, 0,
			[]flight{{send: 0, fate: 2}, {send: 0, fate: 3, dup: true}}},
		{"a loss at send time takes the copy just sent, an arrival drop the oldest",
			[]sim.Event{ev(sim.KindSend, a, b, "m"), ev(sim.KindSend, a, b, "m"), drop(a, b, "m", sim.DropLoss),
				drop(a, b, "m", sim.DropNodeDown)}, 0, 0,
			[]flight{{send: 0, fate: 3}, {send: 1, fate: 2}}},
		{"a message still in flight at the end has no fate",
			[]sim.Event{ev(sim.KindSend, a, b, p1), ev(sim.KindSend, b, a, p2), ev(sim.KindDeliver, a, b, p2)}, 0, 0,
			[]flight{{send: 0, fate: -1}, {send: 1, fate: 2}}},
		{"a delivery nothing explains has no send",
			[]sim.Event{ev(sim.KindDeliver, b, a, p1)}, 0, 0,
			[]flight{{send: -1, fate: 0}}},
		{"messages that cannot be compared are matched by type and text",
			[]sim.Event{ev(sim.KindSend, a, b, []int{1}), ev(sim.KindSend, a, b, []int{2}),
				ev(sim.KindDeliver, b, a, []int{2}), ev(sim.KindDeliver, b, a, []int{1})}, 0, 0,
			[]flight{{send: 0, fate: 3}, {send: 1, fate: 2}}},
		{"a window keeps copies with one end inside and reads on to find fates",
			[]sim.Event{
				ev(sim.KindSend, a, b, p1),    // 0: before the window, delivered inside
				ev(sim.KindSend, a, c, "old"), // 1: before the window, delivered before it
				ev(sim.KindDeliver, c, a, "old"),
				ev(sim.KindDeliver, b, a, p1), // 3: window starts
				ev(sim.KindSend, b, a, p2),    // 4: inside, delivered after the window
				ev(sim.KindTimer, a, sim.None, "t"),
				ev(sim.KindSend, c, a, "late"), // 6: after the window
				ev(sim.KindDeliver, a, b, p2),
			}, 3, 6,
			[]flight{{send: 0, fate: 3}, {send: 4, fate: 7}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hi := tc.hi
			if hi == 0 {
				hi = len(tc.trace)
			}
			assert.Equal(t, tc.want, matchFlights(tc.trace, tc.lo, hi))
		})
	}
}

// TestMatchFlightsWholeRun checks the pairing on a real run with loss,
// duplication, a partition, crashes and pauses: over the whole trace every
// send and duplicate is exactly one copy, every delivery and drop is the
// fate of exactly one copy of the same message on the same link, no later
// than its send, and nothing is left unexplained.
func TestMatchFlightsWholeRun(t *testing.T) {
	o := runScenario(t, "echo-faults", 1)
	trace := o.World.Trace()
	flights := matchFlights(trace, 0, len(trace))
	var sends, dups, fates, drops int
	for _, e := range trace {
		switch e.Kind {
		case sim.KindSend:
			sends++
		case sim.KindDuplicate:
			dups++
		case sim.KindDeliver:
			fates++
		case sim.KindDrop:
			fates++
			drops++
		}
	}
	require.Positive(t, dups, "the scenario duplicates messages")
	require.Positive(t, drops, "the scenario drops messages")
	require.Len(t, flights, sends+dups)
	seenFate := map[int]bool{}
	copies := map[int]int{}
	inFlight := 0
	for _, f := range flights {
		require.GreaterOrEqual(t, f.send, 0, "every fate has a send")
		s := trace[f.send]
		require.Equal(t, sim.KindSend, s.Kind)
		copies[f.send]++
		if f.fate < 0 {
			inFlight++
			continue
		}
		require.False(t, seenFate[f.fate], "a fate is used once")
		seenFate[f.fate] = true
		e := trace[f.fate]
		require.Same(t, s.Msg, e.Msg, "pointer messages are matched exactly")
		require.GreaterOrEqual(t, e.Time, s.Time)
		if e.Kind == sim.KindDeliver {
			require.Equal(t, [2]sim.NodeID{s.Node, s.Peer}, [2]sim.NodeID{e.Peer, e.Node})
		} else {
			require.Equal(t, sim.KindDrop, e.Kind)
			require.Equal(t, [2]sim.NodeID{s.Node, s.Peer}, [2]sim.NodeID{e.Node, e.Peer})
		}
	}
	require.Len(t, seenFate, fates, "every delivery and drop is matched")
	require.Equal(t, sends+dups-fates, inFlight)
	for send, n := range copies {
		require.LessOrEqual(t, n, 2, "send %d has at most the original and a duplicate", send)
	}
}

// TestInFlight checks the copies left in flight at a trace's end: a
// delivery or a drop settles one, a duplicate adds one of the same send.
func TestInFlight(t *testing.T) {
	const a, b = sim.NodeID(0), sim.NodeID(1)
	for _, tc := range []struct {
		name  string
		trace []sim.Event
		want  []int
	}{
		{"none", nil, nil},
		{"delivered", []sim.Event{ev(sim.KindSend, a, b, "x"), ev(sim.KindDeliver, b, a, "x")}, nil},
		{"in flight", []sim.Event{ev(sim.KindSend, a, b, "x"), ev(sim.KindSend, b, a, "y")}, []int{0, 1}},
		{"a duplicate's second copy", []sim.Event{ev(sim.KindSend, a, b, "x"), ev(sim.KindDuplicate, a, b, "x"),
			ev(sim.KindDeliver, b, a, "x")}, []int{0}},
		{"both copies", []sim.Event{ev(sim.KindSend, a, b, "x"), ev(sim.KindDuplicate, a, b, "x")}, []int{0, 0}},
		{"dropped", []sim.Event{ev(sim.KindSend, a, b, "x"), ev(sim.KindSend, a, b, "z"), drop(a, b, "x", sim.DropNodeDown)},
			[]int{1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, InFlight(tc.trace))
		})
	}
}
