package paxos

import (
	"flag"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/sim"
)

// runSingle runs single-decree Paxos with 5 nodes, 3 of them proposing,
// over a network that loses and duplicates 10% of messages, with one
// random node crashed and restarted, then a power failure of every node
// early on (after a decision, usually), from which restarted proposers
// that forgot the decision try again. It returns the checks.
func runSingle(tb testing.TB, variant Variant, seed uint64) (*Single, []checker.Result) {
	tb.Helper()
	w, err := sim.New(sim.Config{Seed: seed, Link: sim.LinkConfig{
		Latency: sim.Uniform(time.Millisecond, 10*time.Millisecond), Drop: 0.1, Duplicate: 0.1}})
	require.NoError(tb, err)
	s, err := NewSingle(w, SingleConfig{Nodes: 5, Proposers: 3, Variant: variant, Retry: 20 * time.Millisecond})
	require.NoError(tb, err)
	r := w.Stream("faults")
	victim := s.Nodes()[r.IntN(5)]
	down := sim.Time(time.Duration(r.Int64N(int64(40 * time.Millisecond))))
	w.At(down, func(w *sim.World) { w.Crash(victim) })
	w.At(down.Add(15*time.Millisecond), func(w *sim.World) { w.Restart(victim) })
	power := sim.Time(time.Duration(20+r.Int64N(40)) * time.Millisecond)
	w.At(power, func(w *sim.World) {
		for _, id := range s.Nodes() {
			w.Crash(id)
		}
	})
	w.At(power.Add(5*time.Millisecond), func(w *sim.World) {
		for _, id := range s.Nodes() {
			w.Restart(id)
		}
	})
	w.RunUntil(sim.Time(10 * time.Second))
	res, err := s.Check()
	require.NoError(tb, err)
	return s, res
}

func TestSingleDecreeCorrect(t *testing.T) {
	for seed := uint64(1); seed <= 300; seed++ {
		s, res := runSingle(t, Correct, seed)
		for _, r := range res {
			require.Equal(t, checker.Holds, r.Verdict, "seed %d: %s", seed, r)
		}
		learned := s.Learned()
		for _, v := range learned {
			assert.Equal(t, learned[0], v, "seed %d", seed)
		}
		assert.Contains(t, []string{"v-n1", "v-n2", "v-n3"}, learned[0], "seed %d: validity", seed)
	}
}

// TestSingleDecreeBugZoo runs each variant that applies to single-decree
// Paxos until a safety check fails, within a budget of 300 seeds. With
// -zoo-all it runs the whole budget and reports the detection rate.
func TestSingleDecreeBugZoo(t *testing.T) {
	const budget = 300
	all := flag.Lookup("zoo-all") != nil && flag.Lookup("zoo-all").Value.String() == "true"
	for _, v := range []Variant{IgnoreAccepted, NoSync, AcceptLower, QuorumFloor} {
		t.Run(string(v), func(t *testing.T) {
			first, found := 0, 0
			for seed := 1; seed <= budget && (all || first == 0); seed++ {
				_, res := runSingle(t, v, uint64(seed))
				var bad []string
				for _, r := range res {
					if r.Kind == checker.Safety && r.Verdict == checker.Violated {
						bad = append(bad, r.String())
					}
				}
				if len(bad) > 0 {
					found++
					if first == 0 {
						first = seed
						t.Logf("%s: first violation at seed %d: %v", v, seed, bad)
					}
				}
			}
			require.NotZero(t, first, "%s: no safety violation in %d seeds", v, budget)
			if all {
				t.Logf("%s: violations in %d of %d seeds", v, found, budget)
			}
		})
	}
}
