package sim_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/sim"
)

// talker sends "m1", "m2", "m3" to node 1 at start, and sets a timer;
// node 1 remembers what it received, in order.
type talker struct{ got []string }

func (t *talker) Start(ctx *sim.Context) {
	if ctx.ID() == 0 {
		for i := 1; i <= 3; i++ {
			ctx.Send(1, fmt.Sprintf("m%d", i))
		}
		ctx.SetTimer(time.Second, "tick")
	}
}
func (t *talker) Receive(_ *sim.Context, _ sim.NodeID, msg any) { t.got = append(t.got, msg.(string)) }
func (t *talker) Timer(*sim.Context, any)                       {}
func (t *talker) DescribeState() string                         { return fmt.Sprint(t.got) }

// controlled builds two talkers and runs their starts.
func controlled(t *testing.T) *sim.World {
	t.Helper()
	w, err := sim.New(sim.Config{Seed: 5, Trace: true, Link: sim.LinkConfig{Latency: sim.Constant(10 * time.Millisecond)}})
	require.NoError(t, err)
	w.MustAddNode("a", func() sim.Node { return &talker{} })
	w.MustAddNode("b", func() sim.Node { return &talker{} })
	w.RunEvents(2)
	return w
}

func TestPendingFireDropDuplicate(t *testing.T) {
	w := controlled(t)
	pend := w.Pending()
	require.Len(t, pend, 4, "three messages and a timer")
	for i, p := range pend[:3] {
		assert.Equal(t, sim.KindDeliver, p.Kind)
		assert.Equal(t, fmt.Sprintf("m%d", i+1), p.Msg)
		assert.Equal(t, sim.Time(10*time.Millisecond), p.At)
	}
	assert.Equal(t, sim.KindTimer, pend[3].Kind)
	assert.Equal(t, "tick", pend[3].Msg)

	require.NoError(t, w.Fire(pend[2].ID), "m3 arrives first")
	require.NoError(t, w.Drop(pend[1].ID), "m2 is lost")
	require.NoError(t, w.Duplicate(pend[0].ID), "m1 arrives twice")
	assert.ErrorIs(t, w.Fire(pend[2].ID), sim.ErrNoSuchEvent, "m3 is no longer pending")
	assert.ErrorIs(t, w.Drop(pend[3].ID), sim.ErrNoSuchEvent, "a timer is not a message")
	w.Run()
	b := w.Node(1).(sim.Describer)
	assert.Equal(t, "[m3 m1 m1]", b.DescribeState())
	var drops []string
	for _, e := range w.Trace() {
		if e.Kind == sim.KindDrop {
			drops = append(drops, fmt.Sprintf("%v %s", e.Msg, e.Reason))
		}
	}
	assert.Equal(t, []string{"m2 chosen"}, drops)
}

// TestChoicesReplay: the same choices, by ID, give the same run.
func TestChoicesReplay(t *testing.T) {
	run := func() (uint64, []uint64) {
		w := controlled(t)
		var ids []uint64
		for _, p := range w.Pending() {
			ids = append(ids, p.ID)
		}
		require.NoError(t, w.Fire(ids[1]))
		require.NoError(t, w.Drop(ids[0]))
		w.Run()
		return w.Fingerprint(), ids
	}
	fp1, ids1 := run()
	fp2, ids2 := run()
	assert.Equal(t, ids1, ids2, "IDs are the same in a replay")
	assert.Equal(t, fp1, fp2)
	plain := controlled(t)
	plain.Run()
	assert.NotEqual(t, fp1, plain.Fingerprint(), "the choices changed the run")
}

// TestFiringATimerEarly: a fired timer runs now, and once: its own queue
// entry does not fire it again.
func TestFiringATimerEarly(t *testing.T) {
	w := controlled(t)
	var timer sim.PendingEvent
	for _, p := range w.Pending() {
		if p.Kind == sim.KindTimer {
			timer = p
		}
	}
	require.NoError(t, w.Fire(timer.ID))
	fired := 0
	for _, e := range w.Trace() {
		if e.Kind == sim.KindTimer {
			fired++
			assert.Equal(t, sim.Time(0), e.Time, "early: at the current time")
		}
	}
	assert.Equal(t, 1, fired)
	w.Run()
	count := 0
	for _, e := range w.Trace() {
		if e.Kind == sim.KindTimer {
			count++
		}
	}
	assert.Equal(t, 1, count, "its queue entry does not fire it again")
}
