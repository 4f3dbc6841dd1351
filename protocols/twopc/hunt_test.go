package twopc

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// misreadRun runs twopc-coordinator-crash with the coordinator's log made
// to lie while it is down: every committed transaction whose commit every
// participant acknowledged loses its commit record, so the restarted
// coordinator reads it as aborted — a wrong state that only a question
// after the fact, or a check of what it recovered, can see. It returns the
// atomicity check's result and the run's facts of queries.
func misreadRun(t *testing.T, queries bool, seed uint64) (checker.Result, int) {
	s := load(t, "twopc-coordinator-crash", nil)
	s.Workload.Queries = queries
	w, inst, _, err := scenarios.Build(s, seed, true)
	require.NoError(t, err)
	coord, _ := w.Lookup("coord")
	w.At(sim.Time(1350*time.Millisecond), func(w *sim.World) {
		st := w.Storage(coord)
		for _, key := range st.Keys(keyCommit) {
			if _, ended := st.Get(keyEnd + strings.TrimPrefix(key, keyCommit)); ended {
				st.Delete(key)
			}
		}
		st.Sync()
	})
	w.RunUntil(sim.Time(s.Duration))
	rep := inst.Check(protocols.CheckRequest{World: w, Checks: []string{checker.AtomicityCheck}})
	facts := 0
	for _, e := range w.Trace() {
		switch e.Msg.(type) {
		case Told, Recovered:
			facts++
		}
	}
	return rep.Checks[0], facts
}

func TestQueriesSeeACoordinatorThatMisreadsItsLog(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		quiet, facts := misreadRun(t, false, seed)
		assert.Equal(t, checker.Holds, quiet.Verdict, "seed %d: without queries nobody looks: %s", seed, quiet.Detail)
		assert.Zero(t, facts)
		asked, facts := misreadRun(t, true, seed)
		assert.Equal(t, checker.Violated, asked.Verdict, "seed %d: with queries the wrong state is seen", seed)
		assert.Contains(t, asked.Detail, "coord", "the coordinator said two things")
		assert.Positive(t, facts)
	}
}

func TestQueriesPassTheCorrectProtocol(t *testing.T) {
	for _, name := range []string{"twopc-coordinator-crash", "twopc-participant-crash", "twopc-nemesis", "threepc-coordinator-crash"} {
		s := load(t, name, nil)
		s.Workload.Queries = true
		for seed := uint64(1); seed <= 10; seed++ {
			o := run(t, s, seed)
			require.True(t, o.Passed, describe(o))
		}
	}
}
