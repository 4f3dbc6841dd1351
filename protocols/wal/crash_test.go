package wal

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/sim"
)

// crashRun is the small run the crash-point tests crash: one node appends
// records in bursts, syncs some bursts and not others, and checkpoints
// every few records, either incrementally (one chunk per event) or all at
// once. The oracle fields live outside the node, so they survive its
// crashes.
type crashRun struct {
	atomic  bool // Checkpoint instead of BeginCheckpoint and Step
	bug     bool // the truncate-early bug
	records uint64

	// Oracle.
	durable    uint64 // the node's Log.Durable after its latest event
	appended   uint64 // its Log.LastIndex
	inProgress bool   // whether a checkpoint was being written
	recovered  []Recovery
	err        error
	node       *walNode
}

type walNode struct {
	r   *crashRun
	sm  *kvSM
	log *Log
}

type tick struct{}

func (n *walNode) Start(ctx *sim.Context) {
	n.sm = newKV()
	l, rec, err := Open(ctx.Storage(), n.sm, Options{Every: 7, ChunkSize: 16})
	if err != nil {
		n.r.err = err
		return
	}
	l.truncateEarly = n.r.bug
	n.log = l
	n.r.recovered = append(n.r.recovered, rec)
	n.r.node = n
	n.note()
	ctx.SetTimer(time.Millisecond, tick{})
}

func (n *walNode) Receive(*sim.Context, sim.NodeID, any) {}

func (n *walNode) Timer(ctx *sim.Context, _ any) {
	l := n.log
	switch {
	case l.InProgress():
		l.Step()
	case l.LastIndex() < n.r.records:
		for k := 1 + ctx.Rand().IntN(3); k > 0 && l.LastIndex() < n.r.records; k-- {
			if _, err := l.Append(record(l.LastIndex() + 1)); err != nil {
				n.r.err = err
			}
		}
		if ctx.Rand().IntN(3) > 0 {
			l.Sync()
		}
		if l.Due() {
			if n.r.atomic {
				l.Checkpoint()
			} else if err := l.BeginCheckpoint(); err != nil {
				n.r.err = err
			}
		}
	default:
		l.Sync()
		n.note()
		return // done: no more timers
	}
	n.note()
	ctx.SetTimer(time.Duration(1+ctx.Rand().IntN(3))*time.Millisecond, tick{})
}

func (n *walNode) note() {
	n.r.durable, n.r.appended, n.r.inProgress = n.log.Durable(), n.log.LastIndex(), n.log.InProgress()
}

func (r *crashRun) world(seed uint64) (*sim.World, sim.NodeID) {
	w, err := sim.New(sim.Config{Seed: seed})
	if err != nil {
		panic(err)
	}
	id := w.MustAddNode("disk", func() sim.Node { return &walNode{r: r} })
	return w, id
}

// crashStats counts what the crash points exercised.
type crashStats struct {
	points, midCheckpoint, lostUnsynced, fromCheckpoint int
	failures                                            []string
}

// crashEveryEvent runs the reference run to learn its length, then, for
// every event index e, runs it again, crashes the node after e events,
// restarts it, and checks that the recovered state is exactly the state
// after some prefix of the records that includes every synced one, and
// that the run then finishes with every record.
func crashEveryEvent(seed uint64, atomic, bug bool) crashStats {
	const records = 200
	ref := &crashRun{atomic: atomic, records: records}
	w, _ := ref.world(seed)
	w.Run()
	total := w.Events()
	var st crashStats
	for e := uint64(1); e <= total; e++ {
		r := &crashRun{atomic: atomic, bug: bug, records: records}
		w, id := r.world(seed)
		w.RunEvents(e)
		st.points++
		durable, appended := r.durable, r.appended
		if r.inProgress {
			st.midCheckpoint++
		}
		w.Crash(id)
		w.Restart(id)
		fail := func(format string, args ...any) {
			st.failures = append(st.failures, fmt.Sprintf("seed %d, crash after event %d: ", seed, e)+fmt.Sprintf(format, args...))
		}
		if r.err != nil {
			fail("recovery: %v", r.err)
			continue
		}
		rec := r.recovered[len(r.recovered)-1]
		m := rec.LastIndex
		switch {
		case m < durable:
			fail("recovered %d records, but %d were synced", m, durable)
			continue
		case m > appended:
			fail("recovered %d records, but only %d were appended", m, appended)
			continue
		case !r.node.sm.equal(prefixState(m)):
			fail("recovered state %v is not the state after %d records", r.node.sm, m)
			continue
		}
		if m < appended {
			st.lostUnsynced++
		}
		if rec.Checkpoint > 0 {
			st.fromCheckpoint++
		}
		w.Run()
		if r.err != nil {
			fail("after restart: %v", r.err)
		} else if got := r.node.sm; got.n != records || !got.equal(prefixState(records)) {
			fail("final state %v is not the state after %d records", got, records)
		}
	}
	return st
}

func TestCrashAtEveryEvent(t *testing.T) {
	for _, atomic := range []bool{false, true} {
		for seed := uint64(1); seed <= 3; seed++ {
			t.Run(fmt.Sprintf("atomic=%v/seed=%d", atomic, seed), func(t *testing.T) {
				st := crashEveryEvent(seed, atomic, false)
				require.Empty(t, st.failures[:min(3, len(st.failures))])
				assert.Greater(t, st.points, 80)
				assert.Positive(t, st.lostUnsynced, "some crash points lose unsynced records")
				assert.Positive(t, st.fromCheckpoint, "some recoveries start from a checkpoint")
				if !atomic {
					assert.Positive(t, st.midCheckpoint, "some crash points fall in the middle of a checkpoint")
				}
			})
		}
	}
}

// TestCrashAtEveryEventCatchesEarlyTruncation shows the crash-point test
// can fail: a log that truncates when a checkpoint begins, not once it is
// complete, loses synced records when a crash interrupts the checkpoint.
func TestCrashAtEveryEventCatchesEarlyTruncation(t *testing.T) {
	st := crashEveryEvent(1, false, true)
	require.NotEmpty(t, st.failures)
	t.Logf("%d of %d crash points fail, e.g. %s", len(st.failures), st.points, st.failures[0])
}

// TestCrashAtEverySync crashes a store at every Sync in turn (later Syncs
// persist nothing) during appends, whole checkpoints, incremental ones and
// an Install, so even crashes inside one call of Checkpoint or Install are
// covered, and checks what Open recovers from the durable keys.
func TestCrashAtEverySync(t *testing.T) {
	// script drives a Log; states[i] is the state after index i.
	// While an Install runs, its index is not durable until its manifest
	// is: a crash inside it may recover the state before it.
	installing := false
	script := func(st *memStore, capture func(l *Log)) []*kvSM {
		sm := newKV()
		l, _, err := Open(st, sm, Options{Every: 5, ChunkSize: 8})
		require.NoError(t, err)
		st.onSync = func() { capture(l) }
		states := []*kvSM{newKV()}
		add := func(from, to uint64) {
			for i := from; i <= to; i++ {
				_, err := l.Append(record(i))
				require.NoError(t, err)
				c := newKV()
				require.NoError(t, c.Restore(sm.Snapshot()))
				states = append(states, c)
			}
		}
		add(1, 6)
		l.Sync()
		add(7, 8)
		l.Checkpoint()
		add(9, 13)
		require.NoError(t, l.BeginCheckpoint())
		for !l.Step() {
		}
		add(14, 16)
		snap := prefixState(3).Snapshot()
		installing = true
		require.NoError(t, l.Install(snap))
		installing = false
		c := newKV()
		require.NoError(t, c.Restore(snap))
		states = append(states, c)
		// After the install, records continue the installed state.
		for i := uint64(17); i <= 20; i++ {
			_, err := l.Append(record(i))
			require.NoError(t, err)
			c := newKV()
			require.NoError(t, c.Restore(sm.Snapshot()))
			states = append(states, c)
		}
		l.Checkpoint()
		return states
	}
	full := newMemStore(nil, -1)
	states := script(full, func(*Log) {})
	total := full.Syncs()
	require.Greater(t, total, 10)
	for k := 0; k <= total; k++ {
		st := newMemStore(nil, k)
		var durable uint64
		script(st, func(l *Log) {
			if !installing {
				durable = l.LastIndex()
			}
		})
		sm := newKV()
		_, rec, err := Open(newMemStore(st.MemStore, -1), sm, Options{Every: 5, ChunkSize: 8})
		require.NoError(t, err, "crash after sync %d", k)
		m := rec.LastIndex
		require.LessOrEqual(t, m, uint64(len(states)-1), "crash after sync %d", k)
		require.GreaterOrEqual(t, m, durable, "crash after sync %d: synced index %d lost", k, durable)
		require.Truef(t, sm.equal(states[m]), "crash after sync %d: state %v, want %v", k, sm, states[m])
	}
}
