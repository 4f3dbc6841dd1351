package reports

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/dsimlab/dsim/scenarios"
)

func TestFaultSpans(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	f := func(at int, kind scenarios.FaultKind, node string) scenarios.Fault {
		return scenarios.Fault{At: ms(at), Kind: kind, Node: node}
	}
	part := scenarios.Fault{At: ms(10), Kind: scenarios.FaultPartition, Groups: [][]string{{"n1"}, {"n2", "n3"}}}
	cut := scenarios.Fault{At: ms(20), Kind: scenarios.FaultCut, From: "n1", To: "n2"}
	healAll := scenarios.Fault{At: ms(30), Kind: scenarios.FaultHeal}
	for _, tc := range []struct {
		name   string
		faults []scenarios.Fault
		want   []faultSpan
	}{
		{"a crash lasts until its restart, a pause until its resume",
			[]scenarios.Fault{f(10, scenarios.FaultCrash, "n1"), f(15, scenarios.FaultPause, "n2"),
				f(20, scenarios.FaultRestart, "n1"), f(40, scenarios.FaultResume, "n2")},
			[]faultSpan{{Kind: "crash", Text: "crash n1", Start: ms(10), End: ms(20)},
				{Kind: "pause", Text: "pause n2", Start: ms(15), End: ms(40)}}},
		{"an undone fault with no undo lasts until the end",
			[]scenarios.Fault{f(10, scenarios.FaultCrash, "n1")},
			[]faultSpan{{Kind: "crash", Text: "crash n1", Start: ms(10), End: ms(100), Open: true}}},
		{"a restart with nothing to undo is a point",
			[]scenarios.Fault{f(10, scenarios.FaultRestart, "n1")},
			[]faultSpan{{Kind: "restart", Text: "restart n1", Start: ms(10), End: ms(10), Point: true}}},
		{"heal ends every partition and cut",
			[]scenarios.Fault{part, cut, healAll},
			[]faultSpan{{Kind: "partition", Text: "partition {n1} {n2, n3}", Start: ms(10), End: ms(30)},
				{Kind: "cut", Text: "cut n1 -> n2", Start: ms(20), End: ms(30)}}},
		{"a clock skew lasts until the clock is reset",
			[]scenarios.Fault{{At: ms(5), Kind: scenarios.FaultClock, Node: "n1", Offset: ms(3), Nemesis: true},
				{At: ms(25), Kind: scenarios.FaultClock, Node: "n1", Nemesis: true}},
			[]faultSpan{{Kind: "clock", Text: "clock n1 offset 3ms drift 0", Start: ms(5), End: ms(25), Nemesis: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, faultSpans(tc.faults, ms(100)))
		})
	}
}

func TestNiceStep(t *testing.T) {
	for _, tc := range []struct {
		span time.Duration
		n    int
		want time.Duration
	}{
		{time.Second, 8, 200 * time.Millisecond},
		{time.Second, 10, 100 * time.Millisecond},
		{16 * time.Millisecond, 10, 2 * time.Millisecond},
		{7, 10, 1},
	} {
		assert.Equal(t, tc.want, niceStep(tc.span, tc.n), "%s / %d", tc.span, tc.n)
	}
}
