package detector_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols/detector"
	"github.com/dsimlab/dsim/sim"
)

// A hand-made run of two nodes: n1 (0) monitors n2 (1) with the fixed
// detector.
func ev(ms float64, k sim.Kind, node sim.NodeID, text string) sim.Event {
	return sim.Event{Time: at(ms), Kind: k, Node: node, Peer: sim.None, Text: text}
}

// suspects and trusts are n1's (node 0) changes of opinion about target.
func suspects(ms float64, det, target string) sim.Event {
	return opinion(ms, detector.Opinion{Detector: det, Peer: target, Suspect: true})
}

func trusts(ms float64, det, target string) sim.Event {
	return opinion(ms, detector.Opinion{Detector: det, Peer: target})
}

func opinion(ms float64, op detector.Opinion) sim.Event {
	return sim.Event{Time: at(ms), Kind: sim.KindRecord, Node: 0, Peer: sim.None, Msg: op, Text: op.String()}
}

var names = func(id sim.NodeID) string { return []string{"n1", "n2"}[id] }

func analyse(events ...sim.Event) *detector.Analysis {
	a := detector.NewAnalysis(names, detector.NameFixed)
	base := []sim.Event{ev(0, sim.KindStart, 0, ""), ev(0, sim.KindStart, 1, "")}
	for _, e := range append(base, events...) {
		a.Observe(&e)
	}
	return a
}

func TestDetectionTimeAndCompleteness(t *testing.T) {
	a := analyse(
		ev(1000, sim.KindCrash, 1, ""),
		suspects(1400, "fixed", "n2"),
		ev(3000, sim.KindRestart, 1, ""),
		trusts(3010, "fixed", "n2"),
	)
	q := a.QoS(at(5000))
	require.Len(t, q, 1)
	assert.Equal(t, []time.Duration{400 * time.Millisecond}, q[0].Detections)
	assert.Empty(t, q[0].Mistakes)
	assert.Equal(t, checker.Holds, a.Completeness(at(5000), time.Second).Verdict)
	r := a.Completeness(at(5000), 300*time.Millisecond)
	assert.Equal(t, checker.Violated, r.Verdict)
	assert.Contains(t, r.Detail, "n1 did not suspect n2 by 1.3s")
	assert.Equal(t, checker.Liveness, r.Kind)
	assert.Equal(t, checker.Holds, a.Accuracy(at(5000), time.Second).Verdict)
}

func TestASilentDetectorIsStillJudged(t *testing.T) {
	a := analyse(ev(1000, sim.KindCrash, 1, ""))
	r := a.Completeness(at(5000), time.Second)
	assert.Equal(t, checker.Violated, r.Verdict, "no annotation at all is no suspicion")
	assert.Equal(t, 1, a.QoS(at(5000))[0].Undetected)
	other := detector.NewAnalysis(names, detector.NameFixed)
	for _, e := range []sim.Event{ev(0, sim.KindStart, 0, ""), ev(0, sim.KindStart, 1, ""),
		ev(1000, sim.KindCrash, 1, ""), suspects(1100, "phi", "n2")} {
		other.Observe(&e)
	}
	assert.Equal(t, checker.Violated, other.Completeness(at(5000), time.Second).Verdict, "another detector's suspicion does not count")
}

func TestMistakes(t *testing.T) {
	a := analyse(
		suspects(500, "fixed", "n2"),
		trusts(600, "fixed", "n2"),
		ev(2000, sim.KindPause, 1, ""),
		suspects(2300, "fixed", "n2"),
		ev(3000, sim.KindResume, 1, ""),
		trusts(3005, "fixed", "n2"),
		suspects(4000, "fixed", "n2"),
		ev(4100, sim.KindCrash, 1, ""), // the suspicion becomes right: the mistake ends
	)
	q := a.QoS(at(3_600_000))[0]
	require.Len(t, q.Mistakes, 3)
	assert.Equal(t, []time.Duration{100 * time.Millisecond, 705 * time.Millisecond, 100 * time.Millisecond},
		[]time.Duration{q.Mistakes[0].Duration, q.Mistakes[1].Duration, q.Mistakes[2].Duration})
	assert.Equal(t, "fixed n1→n2 at 500ms for 100ms", q.Mistakes[0].String())
	// Both up: n1 the whole hour, n2 until 4.1s; the pair n2→n1 counts too.
	assert.Equal(t, 2*4100*time.Millisecond, q.Monitored)
	assert.InDelta(t, 3/(8.2/3600), q.MistakeRate(), 1e-6)
	assert.Equal(t, 905*time.Millisecond/3, q.MeanMistakeDuration())
	assert.Equal(t, []time.Duration{0}, q.Detections, "suspected before the crash and ever since")

	acc := a.Accuracy(at(3_600_000), time.Second)
	assert.Equal(t, checker.Holds, acc.Verdict)
	assert.Contains(t, acc.Detail, "3 false suspicions: fixed n1→n2 at 500ms for 100ms")
}

func TestAccuracyAtTheEnd(t *testing.T) {
	stuck := analyse(suspects(500, "fixed", "n2"))
	r := stuck.Accuracy(at(10_000), time.Second)
	assert.Equal(t, checker.Violated, r.Verdict)
	assert.Equal(t, []string{"fixed: n1 has suspected n2 since 500ms, to the end"}, r.Offending)
	brief := analyse(suspects(9500, "fixed", "n2"))
	assert.Equal(t, checker.Holds, brief.Accuracy(at(10_000), time.Second).Verdict, "a mistake younger than the bound may yet be corrected")
	assert.True(t, stuck.QoS(at(10_000))[0].Mistakes[0].StillSuspected)

	// Not calm for the bound before the end: nothing to require.
	cut := analyse(suspects(500, "fixed", "n2"), ev(9500, sim.KindPartition, sim.None, "n1 | n2"))
	assert.Equal(t, checker.Holds, cut.Accuracy(at(10_000), time.Second).Verdict)
}

func TestPartitionDefersTheBound(t *testing.T) {
	events := []sim.Event{
		ev(900, sim.KindPartition, sim.None, "n1 | n2"),
		ev(1000, sim.KindCrash, 1, ""),
		ev(3000, sim.KindHeal, sim.None, ""),
		suspects(3200, "fixed", "n2"),
	}
	a := analyse(events...)
	assert.Equal(t, checker.Holds, a.Completeness(at(10_000), time.Second).Verdict, "due 1s after the heal")
	noCut := analyse(events[1], events[3])
	r := noCut.Completeness(at(10_000), time.Second)
	assert.Equal(t, checker.Violated, r.Verdict, "due 1s after the crash")
	assert.True(t, strings.HasPrefix(r.Offending[0], "fixed: n1 did not suspect n2 by 2s"))
}

func TestMonitorCrashForgets(t *testing.T) {
	a := analyse(
		suspects(500, "fixed", "n2"),
		ev(700, sim.KindCrash, 0, ""),
		ev(800, sim.KindRestart, 0, ""),
	)
	q := a.QoS(at(10_000))[0]
	require.Len(t, q.Mistakes, 1)
	assert.Equal(t, 200*time.Millisecond, q.Mistakes[0].Duration, "a restarted monitor trusts everyone")
	assert.Equal(t, checker.Holds, a.Accuracy(at(10_000), time.Second).Verdict)
}

func TestOpinionFacts(t *testing.T) {
	assert.Equal(t, "detector phi suspect n3", detector.Opinion{Detector: "phi", Peer: "n3", Suspect: true}.String())
	assert.Equal(t, "detector fixed trust n2", detector.Opinion{Detector: "fixed", Peer: "n2"}.String())

	// Only the typed fact counts: a note that merely reads like one is not
	// an opinion.
	text := ev(500, sim.KindRecord, 0, "detector fixed suspect n2")
	text.Msg = text.Text
	a := analyse(ev(400, sim.KindCrash, 1, ""), text)
	assert.Equal(t, checker.Violated, a.Completeness(at(5000), time.Second).Verdict)
	a = analyse(ev(400, sim.KindCrash, 1, ""), suspects(500, "fixed", "n2"))
	assert.Equal(t, checker.Holds, a.Completeness(at(5000), time.Second).Verdict)
}

// TestALateHeartbeatMovesTheDeadline: n2 crashes at 1s, but a heartbeat it
// sent before arrives at n1 at 2.5s (a heavy tail) and n1 trusts it again
// until 2.9s. The bound counts from that arrival, not from the crash; a
// monitor that stays silent past it is still caught.
func TestALateHeartbeatMovesTheDeadline(t *testing.T) {
	late := sim.Event{Time: at(2500), Kind: sim.KindDeliver, Node: 0, Peer: 1}
	events := []sim.Event{
		ev(1000, sim.KindCrash, 1, ""),
		suspects(1400, "fixed", "n2"),
		late,
		trusts(2500, "fixed", "n2"),
		suspects(2900, "fixed", "n2"),
	}
	a := analyse(events...)
	assert.Equal(t, checker.Holds, a.Completeness(at(5000), time.Second).Verdict,
		"suspected 400ms after the late heartbeat, within 1s of it")
	r := a.Completeness(at(5000), 300*time.Millisecond)
	assert.Equal(t, checker.Violated, r.Verdict)
	assert.Contains(t, r.Detail, "by 2.8s", "the deadline is the arrival plus the bound")
}
