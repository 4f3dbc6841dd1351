package reports

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/scenarios/library"
)

var sweepSeeds = flag.Int("sweep", 40, "seeds of echo-faults the sweep tests run")

// sweepOutcomes runs echo-faults over seeds 1..n (without traces) and adds
// hand-made failing outcomes: one violated, one inconclusive, one
// inconclusive but allowed.
func sweepOutcomes(t *testing.T, n int) []*scenarios.Outcome {
	t.Helper()
	s, err := library.Load("echo-faults")
	require.NoError(t, err)
	var out []*scenarios.Outcome
	for seed := uint64(1); seed <= uint64(n); seed++ {
		o, err := scenarios.Run(s, seed, scenarios.RunOptions{})
		require.NoError(t, err)
		out = append(out, o)
	}
	mk := func(seed uint64, v checker.Verdict, allow bool) *scenarios.Outcome {
		return &scenarios.Outcome{Scenario: "echo-faults", File: "library/echo-faults.yaml", Seed: seed,
			Fingerprint: "feedfacecafebeef", Events: 1000, SimTime: time.Second, Wall: time.Millisecond,
			Checks: []checker.Result{{Check: "echo", Verdict: v}, {Check: "progress", Kind: checker.Liveness, Verdict: checker.Holds}},
			Passed: allow, AllowInconclusive: allow}
	}
	return append(out, mk(900, checker.Violated, false), mk(77, checker.Inconclusive, false), mk(500, checker.Inconclusive, true))
}

func sweepOf(outcomes []*scenarios.Outcome) *Sweep {
	var s Sweep
	for _, o := range outcomes {
		s.Add(o)
	}
	return &s
}

// TestSweepOrderIndependent adds the same outcomes in order, shuffled, and
// from several goroutines: the summaries are byte-identical.
func TestSweepOrderIndependent(t *testing.T) {
	outcomes := sweepOutcomes(t, *sweepSeeds)
	render := func(s *Sweep) (string, string) {
		var a, b bytes.Buffer
		require.NoError(t, s.WriteText(&a, OmitWall()))
		require.NoError(t, s.WriteJSON(&b, OmitWall()))
		return a.String(), b.String()
	}
	text, js := render(sweepOf(outcomes))

	shuffled := slices.Clone(outcomes)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	require.NotEqual(t, outcomes, shuffled)
	t2, j2 := render(sweepOf(shuffled))
	assert.Equal(t, text, t2)
	assert.Equal(t, js, j2)

	var par Sweep
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := i; j < len(outcomes); j += 4 {
				par.Add(outcomes[j])
			}
		}()
	}
	wg.Wait()
	t3, j3 := render(&par)
	assert.Equal(t, text, t3)
	assert.Equal(t, js, j3)

	// A different fingerprint for one seed changes the digest.
	changed := slices.Clone(outcomes)
	c := *changed[0]
	c.Fingerprint = "0000000000000000"
	changed[0] = &c
	assert.NotEqual(t, sweepOf(outcomes).Report().Digest, sweepOf(changed).Report().Digest)
}

func TestSweepCounts(t *testing.T) {
	n := *sweepSeeds
	outcomes := sweepOutcomes(t, n)
	s := sweepOf(outcomes)
	s.Elapsed = 2 * time.Second
	r := s.Report()
	var events uint64
	for _, o := range outcomes {
		require.Equal(t, o.Seed > uint64(n), !o.Passed || o.AllowInconclusive, "only the hand-made outcomes fail")
		events += o.Events
	}
	assert.Equal(t, []string{"echo-faults"}, r.Scenarios)
	assert.False(t, r.AllPassed)
	assert.Equal(t, n+3, r.Runs)
	assert.Equal(t, n+1, r.Passed)
	assert.Equal(t, 2, r.Failed)
	assert.Equal(t, 1, r.Violated)
	assert.Equal(t, 2, r.Inconclusive, "allowed or not, an inconclusive run is counted as such")
	assert.Equal(t, events, r.Events)
	require.Len(t, r.Failing, 2)
	assert.Equal(t, Failure{Seed: 77, Scenario: "echo-faults", Fingerprint: "feedfacecafebeef", Violated: []string{},
		Inconclusive: []string{"echo"}, Replay: "dsim run echo-faults --seed 77"}, r.Failing[0])
	assert.Equal(t, uint64(900), r.Failing[1].Seed, "failing seeds are sorted")
	assert.Equal(t, []string{"echo"}, r.Failing[1].Violated)
	assert.Equal(t, []SweepCheck{
		{Name: "echo", Kind: "safety", Holds: n, Violated: 1, Inconclusive: 2},
		{Name: "progress", Kind: "liveness", Holds: 3},
	}, r.Checks)
	require.NotNil(t, r.WallNS)
	assert.Equal(t, int64(2*time.Second), *r.WallNS)
	assert.InDelta(t, float64(n+3)/2, *r.SeedsPerSecond, 1e-9)
	assert.InDelta(t, float64(events)/2, *r.EventsPerSecond, 1e-6)

	var text bytes.Buffer
	require.NoError(t, s.WriteText(&text))
	t.Log("\n" + text.String())
	for _, want := range []string{
		fmt.Sprintf("verdict      FAIL (2 of %d runs failed)\n", n+3),
		"  77    -         echo          dsim run echo-faults --seed 77\n",
		"  900   echo      -             dsim run echo-faults --seed 900\n",
		"wall         2s (",
	} {
		assert.Contains(t, text.String(), want)
	}
	assert.Contains(t, s.Summary(), "2s wall,")
	assert.NotContains(t, s.Summary(OmitWall()), "wall")

	var js bytes.Buffer
	require.NoError(t, s.WriteJSON(&js))
	var back SweepReport
	dec := json.NewDecoder(&js)
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&back))
	assert.Equal(t, r, back)
}

func TestSweepEmpty(t *testing.T) {
	var s Sweep
	r := s.Report()
	assert.True(t, r.AllPassed)
	assert.Zero(t, r.Runs)
	assert.NotNil(t, r.Failing)
	assert.Nil(t, r.SeedsPerSecond, "no rate without time")
	var b bytes.Buffer
	require.NoError(t, s.WriteJSON(&b, OmitWall()))
	assert.Contains(t, b.String(), `"failing": []`)
}
