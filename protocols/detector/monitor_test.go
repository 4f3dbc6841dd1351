package detector_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols/detector"
	"github.com/dsimlab/dsim/sim"
)

// annotations returns "time node text" for every detector annotation.
func annotations(w *sim.World) []string {
	var out []string
	for _, e := range w.Trace() {
		if e.Kind == sim.KindRecord {
			out = append(out, fmt.Sprintf("%v %s %s", e.Time, w.Name(e.Node), e.Text))
		}
	}
	return out
}

func TestMonitorSuspectsAndTrusts(t *testing.T) {
	// Constant 5ms latency, heartbeats every 100ms from time 0. n3 crashes
	// at 1s, after its heartbeat of 900ms (which arrives at 905ms): the
	// fixed detector (350ms) suspects it at 1255ms exactly, everywhere.
	// n3 restarts at 2s and its first heartbeat arrives at 2005ms.
	cfg := &detector.Config{Interval: 100 * time.Millisecond, Timeout: 350 * time.Millisecond}
	require.NoError(t, cfg.Validate())
	w, err := sim.New(sim.Config{Seed: 1, Trace: true, Link: sim.LinkConfig{Latency: sim.Constant(5 * time.Millisecond)}})
	require.NoError(t, err)
	for i := 1; i <= 3; i++ {
		w.MustAddNode(fmt.Sprintf("n%d", i), detector.NewMonitor(cfg))
	}
	w.At(sim.Time(time.Second), func(w *sim.World) { w.Crash(2) })
	w.At(sim.Time(2*time.Second), func(w *sim.World) { w.Restart(2) })
	w.RunUntil(sim.Time(3 * time.Second))
	assert.Equal(t, []string{
		"1.255s n1 detector fixed suspect n3",
		"1.255s n2 detector fixed suspect n3",
		"2.005s n1 detector fixed trust n3",
		"2.005s n2 detector fixed trust n3",
	}, annotations(w))
	assert.False(t, w.Node(0).(*detector.Monitor).Suspects(detector.NameFixed, 2))
}

func TestMonitorIgnoresDuplicateHeartbeats(t *testing.T) {
	// Every heartbeat is duplicated. Were the copies learned from, phi
	// would see intervals of a millisecond or two between a heartbeat and
	// its copy, a huge variance, and take three times as long to suspect a
	// crash. Heartbeat sequence numbers keep the copies out: n3, whose last
	// heartbeat (sent at 4.9s) arrives by 4.903s, is suspected within
	// 100ms + 5.6 × 5ms of it.
	cfg := &detector.Config{Interval: 100 * time.Millisecond,
		Phi: detector.PhiConfig{Threshold: 8, Window: 50, MinStdDev: 5 * time.Millisecond}}
	w, err := sim.New(sim.Config{Seed: 1, Trace: true, Link: sim.LinkConfig{
		Latency: sim.Uniform(time.Millisecond, 3*time.Millisecond), Duplicate: 1}})
	require.NoError(t, err)
	for i := 1; i <= 3; i++ {
		w.MustAddNode(fmt.Sprintf("n%d", i), detector.NewMonitor(cfg))
	}
	w.At(sim.Time(4950*time.Millisecond), func(w *sim.World) { w.Crash(2) })
	w.RunUntil(sim.Time(6 * time.Second))
	got := annotations(w)
	require.Len(t, got, 2, "no false suspicion, and both others suspect n3")
	for _, a := range got {
		var s float64
		var node, rest string
		_, err := fmt.Sscanf(a, "%fs %s %s", &s, &node, &rest)
		require.NoError(t, err)
		assert.Less(t, s, 5.04, a)
		assert.Contains(t, a, "phi suspect n3")
	}
}

func TestConfigValidation(t *testing.T) {
	for _, tc := range []struct {
		cfg detector.Config
		ok  bool
	}{
		{detector.Config{Interval: time.Second, Timeout: time.Second}, true},
		{detector.Config{Interval: time.Second, Phi: detector.PhiConfig{Threshold: 8, Window: 10}}, true},
		{detector.Config{Interval: time.Second}, false},
		{detector.Config{Timeout: time.Second}, false},
		{detector.Config{Interval: time.Second, Phi: detector.PhiConfig{Threshold: 8}}, false},
		{detector.Config{Interval: time.Second, Timeout: time.Second, Variant: "nonsense"}, false},
		{detector.Config{Interval: time.Second, Detectors: []detector.Spec{detector.FixedSpec("a b", time.Second)}}, false},
		{detector.Config{Interval: time.Second, Timeout: time.Second, Detectors: []detector.Spec{detector.FixedSpec("fixed", time.Second)}}, false},
	} {
		err := tc.cfg.Validate()
		if tc.ok {
			assert.NoError(t, err, "%+v", tc.cfg)
		} else {
			assert.ErrorIs(t, err, detector.ErrBadConfig, "%+v", tc.cfg)
		}
	}
}
