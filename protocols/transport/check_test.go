package transport_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols/transport"
	"github.com/dsimlab/dsim/sim"
)

// A hand-made trace: c1 (node 0) writes stream 1 to n1 (node 1).
const (
	c1 sim.NodeID = 0
	n1 sim.NodeID = 1
)

// fact is node recording f.
func fact(node sim.NodeID, f fmt.Stringer) sim.Event {
	return sim.Event{Kind: sim.KindRecord, Node: node, Peer: sim.None, Msg: f, Text: f.String()}
}

func kind(k sim.Kind, node sim.NodeID) sim.Event {
	return sim.Event{Kind: k, Node: node, Peer: sim.None}
}

var (
	started = []sim.Event{kind(sim.KindStart, c1), kind(sim.KindStart, n1)}
	opened  = fact(c1, transport.StreamOpened{Stream: 1, Conn: "c1#1.1", Local: 1, To: "n1"})
)

func writes(n int) []sim.Event {
	var out []sim.Event
	for i := 0; i < n; i++ {
		out = append(out, fact(c1, transport.StreamWritten{Stream: 1, Index: i}))
	}
	return out
}

// deliver is n1 delivering message i of stream 1 on its end local of
// connection c1#1.1.
func deliver(i int, local uint64) sim.Event {
	return fact(n1, transport.StreamDelivered{Stream: 1, Index: i, Conn: "c1#1.1", Local: local})
}

// closed is node's end 1 of connection c1#1.1 ending with err.
func closed(node sim.NodeID, err string) sim.Event {
	return fact(node, transport.StreamClosed{Conn: "c1#1.1", Local: 1, Err: err})
}

func TestStreamChecker(t *testing.T) {
	const conn = 1
	closedOK, closedBroken := closed(c1, "ok"), closed(c1, "broken")
	seq := func(parts ...[]sim.Event) []sim.Event {
		var out []sim.Event
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	one := func(es ...sim.Event) []sim.Event { return es }
	for _, tc := range []struct {
		name               string
		events             []sim.Event
		delivery, complete checker.Verdict
		detail             string
	}{
		{"exactly once, in order, closed", seq(started, one(opened), writes(3),
			one(deliver(0, conn), deliver(1, conn), deliver(2, conn), closed(n1, "ok"), closedOK)),
			checker.Holds, checker.Holds, ""},
		{"duplicate", seq(started, one(opened), writes(3), one(deliver(0, conn), deliver(1, conn), deliver(1, conn), deliver(2, conn), closedOK)),
			checker.Violated, checker.Holds, "message 1 delivered again"},
		{"gap", seq(started, one(opened), writes(3), one(deliver(0, conn), deliver(2, conn), closedBroken)),
			checker.Violated, checker.Holds, "skipping messages 1 to 1"},
		{"reordered", seq(started, one(opened), writes(3), one(deliver(1, conn), deliver(0, conn))),
			checker.Violated, checker.Violated, "skipping messages 0 to 0"},
		{"delivered after close", seq(started, one(opened), writes(3),
			one(deliver(0, conn), closed(n1, "reset"), deliver(1, conn), closedBroken)),
			checker.Violated, checker.Holds, "after that connection ended"},
		{"delivered across incarnations", seq(started, one(opened), writes(3),
			one(deliver(0, conn), kind(sim.KindCrash, n1), kind(sim.KindRestart, n1), deliver(1, conn), closedBroken)),
			checker.Violated, checker.Holds, "incarnation 2"},
		{"delivered on two connections", seq(started, one(opened), writes(3),
			one(deliver(0, conn), deliver(1, 2), closedBroken)),
			checker.Violated, checker.Holds, "but earlier ones"},
		{"not a stream message", seq(started, one(opened), writes(1),
			one(fact(n1, transport.StreamDelivered{Index: -1, Conn: "c1#1.1", Local: 1}), deliver(0, conn), closedOK)),
			checker.Violated, checker.Holds, "of no stream written"},
		{"delivered before written", seq(started, one(opened), writes(1), one(deliver(0, conn), deliver(1, conn), closedOK)),
			checker.Violated, checker.Holds, "before it was written"},
		{"closed in order with messages missing", seq(started, one(opened), writes(3), one(deliver(0, conn), deliver(1, conn), closedOK)),
			checker.Violated, checker.Holds, "only 2 of 3"},
		{"broken, a prefix delivered", seq(started, one(opened), writes(3), one(deliver(0, conn), deliver(1, conn), closedBroken)),
			checker.Holds, checker.Holds, ""},
		{"still open at the end", seq(started, one(opened), writes(3), one(deliver(0, conn))),
			checker.Holds, checker.Violated, "still open"},
		{"writer crashed: abandoned, not stuck", seq(started, one(opened), writes(3), one(deliver(0, conn), kind(sim.KindCrash, c1))),
			checker.Holds, checker.Holds, ""},
		{"written but never opened", seq(started, writes(1)),
			checker.Violated, checker.Holds, "of a stream never opened"},
		{"a note that reads like a fact is not one", seq(started, one(opened), writes(1),
			one(sim.Event{Kind: sim.KindRecord, Node: n1, Msg: "stream deliver s=0000000000000001 i=0 conn=c1#1.1/1"}, closedOK)),
			checker.Violated, checker.Holds, "only 0 of 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k := transport.NewStreamChecker(func(id sim.NodeID) string { return []string{"c1", "n1"}[id] })
			for i := range tc.events {
				k.Observe(&tc.events[i])
			}
			d, c := k.Results()
			assert.Equal(t, tc.delivery, d.Verdict, d.Detail)
			assert.Equal(t, tc.complete, c.Verdict, c.Detail)
			assert.Equal(t, checker.Safety, d.Kind)
			assert.Equal(t, checker.Liveness, c.Kind)
			if tc.detail != "" {
				assert.True(t, strings.Contains(d.Detail, tc.detail) || strings.Contains(c.Detail, tc.detail),
					"want %q in %q / %q", tc.detail, d.Detail, c.Detail)
			}
			if d.Verdict == checker.Violated {
				assert.NotEmpty(t, d.Offending)
			}
			d2, c2 := k.Results()
			assert.Equal(t, d, d2, "Results does not change the checker")
			assert.Equal(t, c, c2)
		})
	}
}

// The facts describe themselves with the stable lines the traces and
// fingerprints have always had.
func TestFactsDescribeThemselves(t *testing.T) {
	for _, tc := range []struct {
		fact fmt.Stringer
		want string
	}{
		{transport.StreamOpened{Stream: 0xff, Conn: "c1#1.1", Local: 1, To: "n1"}, "stream open s=00000000000000ff conn=c1#1.1/1 to=n1"},
		{transport.StreamWritten{Stream: 1<<64 - 1, Index: 3}, "stream write s=ffffffffffffffff i=3"},
		{transport.StreamDelivered{Index: -1, Conn: "n1#2.7", Local: 12}, "stream deliver s=0000000000000000 i=-1 conn=n1#2.7/12"},
		{transport.StreamClosed{Conn: "c1#1.1", Local: 1, Err: "reset"}, "stream closed conn=c1#1.1/1 err=reset"},
		{transport.StreamClientDone{}, "stream client done"},
		{transport.ConnEvent{What: "open", Conn: "c1#1.1", Peer: "n1"}, "transport open c1#1.1 peer=n1"},
		{transport.EndpointStarted{Incarnation: 2}, "transport incarnation 2"},
		{&transport.StreamMsg{Stream: 0xabc, Index: 7}, "s=0000000000000abc i=7"},
	} {
		assert.Equal(t, tc.want, tc.fact.String())
	}
}
