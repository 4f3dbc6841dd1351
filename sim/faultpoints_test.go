package sim_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/sim"
)

// buggyPinger pings a peer every millisecond; where a fault point fires it
// sends an extra ping, the rare path of the test.
type buggyPinger struct{ peer sim.NodeID }

func (p *buggyPinger) Start(ctx *sim.Context) { ctx.SetTimer(time.Millisecond, "tick") }

func (p *buggyPinger) Receive(*sim.Context, sim.NodeID, any) {}

func (p *buggyPinger) Timer(ctx *sim.Context, _ any) {
	ctx.Send(p.peer, "ping")
	if ctx.Maybe("test/extra-ping") {
		ctx.Send(p.peer, "extra")
	}
	if ctx.MaybeP("test/rare", 0.01) {
		ctx.Send(p.peer, "rare")
	}
	ctx.SetTimer(time.Millisecond, "tick")
}

// pingRun runs two pingers for 200ms, with fault points if fp is not nil,
// and returns the world.
func pingRun(t *testing.T, seed uint64, fp *sim.FaultPoints) *sim.World {
	w, err := sim.New(sim.Config{Seed: seed, Trace: true})
	require.NoError(t, err)
	if fp != nil {
		require.NoError(t, w.SetFaultPoints(*fp))
	}
	w.MustAddNode("a", func() sim.Node { return &buggyPinger{peer: 1} })
	w.MustAddNode("b", func() sim.Node { return &buggyPinger{peer: 0} })
	w.RunUntil(sim.Time(200 * time.Millisecond))
	return w
}

// plainPinger is buggyPinger without its fault points.
type plainPinger struct{ peer sim.NodeID }

func (p *plainPinger) Start(ctx *sim.Context) { ctx.SetTimer(time.Millisecond, "tick") }

func (p *plainPinger) Receive(*sim.Context, sim.NodeID, any) {}

func (p *plainPinger) Timer(ctx *sim.Context, _ any) {
	ctx.Send(p.peer, "ping")
	ctx.SetTimer(time.Millisecond, "tick")
}

func TestFaultPointsOffChangeNothing(t *testing.T) {
	w, err := sim.New(sim.Config{Seed: 3})
	require.NoError(t, err)
	w.MustAddNode("a", func() sim.Node { return &plainPinger{peer: 1} })
	w.MustAddNode("b", func() sim.Node { return &plainPinger{peer: 0} })
	w.RunUntil(sim.Time(200 * time.Millisecond))

	off := pingRun(t, 3, nil)
	assert.Equal(t, w.Fingerprint(), off.Fingerprint(), "a run without fault points is the run without the sites")
	assert.Nil(t, off.FaultPointSites())
}

func TestFaultPointsReplayAndVaryBySeed(t *testing.T) {
	fp := &sim.FaultPoints{Enable: 0.5, Fire: 0.5}
	enabled := map[bool]int{}
	for seed := uint64(1); seed <= 40; seed++ {
		a, b := pingRun(t, seed, fp), pingRun(t, seed, fp)
		require.Equal(t, a.Fingerprint(), b.Fingerprint(), "seed %d replays", seed)
		require.Equal(t, a.FaultPointSites(), b.FaultPointSites())
		sites := a.FaultPointSites()
		require.Len(t, sites, 2)
		s := sites[0]
		assert.Equal(t, "test/extra-ping", s.Name, "sorted by name")
		assert.Equal(t, sim.FaultPointEnabled(seed, s.Name, 0.5), s.Enabled)
		assert.Equal(t, 2*200, s.Reached, "reached at every tick of both nodes")
		enabled[s.Enabled]++
		extras := 0
		for _, e := range a.Trace() {
			if e.Kind == sim.KindSend && e.Msg == "extra" {
				extras++
			}
		}
		assert.Equal(t, s.Fired, extras, "it fires exactly when the rare path is taken")
		if s.Enabled {
			assert.InDelta(t, 0.5, float64(s.Fired)/float64(s.Reached), 0.1, "fires at the set probability")
		} else {
			assert.Zero(t, s.Fired)
		}
	}
	assert.Greater(t, enabled[true], 5, "some seeds enable the site")
	assert.Greater(t, enabled[false], 5, "and some do not")
}

func TestFaultPointFiringIsAFact(t *testing.T) {
	var seed uint64 = 1
	for !sim.FaultPointEnabled(seed, "test/extra-ping", 0) {
		seed++
	}
	w := pingRun(t, seed, &sim.FaultPoints{})
	var facts []string
	for _, e := range w.Trace() {
		switch f := e.Msg.(type) {
		case sim.FaultPointFired:
			facts = append(facts, e.Text)
			assert.Equal(t, "test/extra-ping", f.Site)
		case sim.FaultPointOn:
			facts = append(facts, e.Text)
		}
	}
	require.Greater(t, len(facts), 1)
	assert.Equal(t, "fault point test/extra-ping enabled", facts[0], "the trace names the site enabled, when first reached")
	assert.Equal(t, "fault point test/extra-ping fires", facts[1])
}

func TestSetFaultPointsRejectsBadProbabilities(t *testing.T) {
	w, err := sim.New(sim.Config{Seed: 1})
	require.NoError(t, err)
	for _, fp := range []sim.FaultPoints{{Enable: -0.1}, {Fire: 1.5}, {Enable: 2}} {
		err := w.SetFaultPoints(fp)
		require.Error(t, err, "%+v", fp)
		assert.True(t, strings.Contains(err.Error(), "probabilities"), err.Error())
	}
}

// TestStopFromAnObserver stops a run from an observer, as an online check
// does: the stop event follows the event observed, every observer sees the
// event it was called for, and nothing runs after it.
func TestStopFromAnObserver(t *testing.T) {
	w, err := sim.New(sim.Config{Seed: 1, Trace: true})
	require.NoError(t, err)
	w.MustAddNode("a", func() sim.Node { return &plainPinger{peer: 1} })
	w.MustAddNode("b", func() sim.Node { return &plainPinger{peer: 0} })
	var stopAt uint64
	w.Observe(func(e *sim.Event) {
		if e.Kind == sim.KindDeliver && e.Time >= sim.Time(20*time.Millisecond) && stopAt == 0 {
			stopAt = e.Seq
			w.Stop(fmt.Sprintf("online check violated at event %d", e.Seq))
		}
	})
	var second []sim.Kind
	w.Observe(func(e *sim.Event) { second = append(second, e.Kind) })
	w.RunUntil(sim.Time(time.Second))
	tr := w.Trace()
	require.NotZero(t, stopAt)
	last := tr[len(tr)-1]
	assert.Equal(t, sim.KindStop, last.Kind)
	assert.Equal(t, stopAt+1, last.Seq, "the stop follows the violating event")
	assert.Equal(t, sim.KindDeliver, second[stopAt], "later observers still see the violating event")
	stopped, why := w.Stopped()
	assert.True(t, stopped)
	assert.Contains(t, why, "online check")
}
