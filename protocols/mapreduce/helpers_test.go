package mapreduce

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/sim"
)

// run builds a cluster for cfg in a world with seed, lets faults schedule
// events, and runs until the coordinator stops the run (or a minute of
// virtual time).
func run(t testing.TB, seed uint64, cfg Config, faults func(w *sim.World, cl *Cluster)) *Cluster {
	t.Helper()
	w, err := sim.New(sim.Config{Seed: seed})
	require.NoError(t, err)
	cl, err := Build(w, cfg)
	require.NoError(t, err)
	if faults != nil {
		faults(w, cl)
	}
	w.RunUntil(sim.Time(time.Minute))
	return cl
}

// verdicts maps each check's name to its verdict.
func verdicts(rs []checker.Result) map[string]checker.Verdict {
	out := map[string]checker.Verdict{}
	for _, r := range rs {
		out[r.Check] = r.Verdict
	}
	return out
}

func requireAllHold(t testing.TB, cl *Cluster) {
	t.Helper()
	for _, r := range cl.Check(nil) {
		require.Equal(t, checker.Holds, r.Verdict, "%s: %s", r.Check, r.Detail)
	}
}

func at(d time.Duration) sim.Time { return sim.Time(d) }
