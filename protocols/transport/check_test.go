package transport_test

import (
	"strconv"
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

func ann(node sim.NodeID, text string) sim.Event {
	return sim.Event{Kind: sim.KindRecord, Node: node, Peer: sim.None, Text: text}
}

func kind(k sim.Kind, node sim.NodeID) sim.Event {
	return sim.Event{Kind: k, Node: node, Peer: sim.None}
}

var (
	started = []sim.Event{kind(sim.KindStart, c1), kind(sim.KindStart, n1)}
	opened  = ann(c1, "stream open s=0000000000000001 conn=c1#1.1/1 to=n1")
)

func writes(n int) []sim.Event {
	var out []sim.Event
	for i := 0; i < n; i++ {
		out = append(out, ann(c1, "stream write s=0000000000000001 i="+strconv.Itoa(i)))
	}
	return out
}

func deliver(i int, conn string) sim.Event {
	return ann(n1, "stream deliver s=0000000000000001 i="+strconv.Itoa(i)+" conn="+conn)
}

func TestStreamChecker(t *testing.T) {
	const conn = "c1#1.1/1"
	closedOK := ann(c1, "stream closed conn=c1#1.1/1 err=ok")
	closedBroken := ann(c1, "stream closed conn=c1#1.1/1 err=broken")
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
			one(deliver(0, conn), deliver(1, conn), deliver(2, conn), ann(n1, "stream closed conn=c1#1.1/1 err=ok"), closedOK)),
			checker.Holds, checker.Holds, ""},
		{"duplicate", seq(started, one(opened), writes(3), one(deliver(0, conn), deliver(1, conn), deliver(1, conn), deliver(2, conn), closedOK)),
			checker.Violated, checker.Holds, "message 1 delivered again"},
		{"gap", seq(started, one(opened), writes(3), one(deliver(0, conn), deliver(2, conn), closedBroken)),
			checker.Violated, checker.Holds, "skipping messages 1 to 1"},
		{"reordered", seq(started, one(opened), writes(3), one(deliver(1, conn), deliver(0, conn))),
			checker.Violated, checker.Violated, "skipping messages 0 to 0"},
		{"delivered after close", seq(started, one(opened), writes(3),
			one(deliver(0, conn), ann(n1, "stream closed conn=c1#1.1/1 err=reset"), deliver(1, conn), closedBroken)),
			checker.Violated, checker.Holds, "after that connection ended"},
		{"delivered across incarnations", seq(started, one(opened), writes(3),
			one(deliver(0, conn), kind(sim.KindCrash, n1), kind(sim.KindRestart, n1), deliver(1, conn), closedBroken)),
			checker.Violated, checker.Holds, "incarnation 2"},
		{"delivered on two connections", seq(started, one(opened), writes(3),
			one(deliver(0, conn), deliver(1, "c1#1.2/2"), closedBroken)),
			checker.Violated, checker.Holds, "but earlier ones"},
		{"not a stream message", seq(started, one(opened), writes(1),
			one(ann(n1, "stream deliver s=0000000000000000 i=-1 conn=c1#1.1/1"), deliver(0, conn), closedOK)),
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
		{"unreadable annotation", seq(started, one(ann(n1, "stream deliver s=zz i=1 conn=x"))),
			checker.Violated, checker.Holds, "could not be read"},
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
			if d.Verdict == checker.Violated && !strings.Contains(tc.name, "unreadable") {
				assert.NotEmpty(t, d.Offending)
			}
			d2, c2 := k.Results()
			assert.Equal(t, d, d2, "Results does not change the checker")
			assert.Equal(t, c, c2)
		})
	}
}
