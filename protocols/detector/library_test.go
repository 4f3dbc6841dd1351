package detector_test

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/detector"
	"github.com/dsimlab/dsim/scenarios"
)

var sweep = flag.Int("sweep", 0, "seeds per library scenario for the correct detectors, which is also the seed budget of each bug variant (0: 10)")

var libraryScenarios = []string{"detector-calm", "detector-lossy", "detector-very-lossy", "detector-partition",
	"detector-crash-restart", "detector-pauses", "detector-heavy-tail"}

func load(t testing.TB, name string, variant detector.Variant) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Load(filepath.Join("..", "..", "scenarios", "library", name+".yaml"),
		[]protocols.Protocol{detector.Protocol()})
	require.NoError(t, err)
	if variant != detector.Correct {
		s = s.WithParam("variant", string(variant))
	}
	return s
}

func seeds(def int) uint64 {
	if *sweep > 0 {
		return uint64(*sweep)
	}
	return uint64(def)
}

func failed(o *scenarios.Outcome) []checker.Result {
	var bad []checker.Result
	for _, c := range o.Checks {
		if !c.Verdict.Passed() {
			bad = append(bad, c)
		}
	}
	return bad
}

func TestLibraryCorrectPasses(t *testing.T) {
	for _, name := range libraryScenarios {
		t.Run(name, func(t *testing.T) {
			s := load(t, name, detector.Correct)
			for seed := uint64(1); seed <= seeds(10); seed++ {
				o, err := scenarios.Run(s, seed, scenarios.RunOptions{})
				require.NoError(t, err)
				if !o.Passed {
					t.Fatalf("seed %d: %v\nreplay: dsim run %s --seed %d", seed, failed(o), name, seed)
				}
				var detected float64
				for _, st := range o.Stats {
					if strings.HasSuffix(st.Name, "crashes detected") {
						detected += st.Value
					}
				}
				assert.Positive(t, detected, "seed %d: every library scenario crashes a node", seed)
			}
		})
	}
}

func TestLibraryIsDeterministic(t *testing.T) {
	for _, name := range libraryScenarios {
		s := load(t, name, detector.Correct)
		a, err := scenarios.Run(s, 5, scenarios.RunOptions{})
		require.NoError(t, err)
		b, err := scenarios.Run(s, 5, scenarios.RunOptions{Trace: true})
		require.NoError(t, err)
		assert.Equal(t, a.Fingerprint, b.Fingerprint, name)
		assert.Equal(t, a.Checks, b.Checks, name)
	}
}

// TestBugZooIsCaught requires each variant to fail the check it breaks on
// every library scenario within the seed budget.
func TestBugZooIsCaught(t *testing.T) {
	breaks := map[detector.Variant]string{detector.Sticky: detector.CheckAccuracy, detector.SharedTimer: detector.CheckCompleteness}
	budget := seeds(10)
	var report []string
	for _, v := range detector.Variants[1:] {
		for _, name := range libraryScenarios {
			s := load(t, name, v)
			first := uint64(0)
			for seed := uint64(1); seed <= budget && first == 0; seed++ {
				o, err := scenarios.Run(s, seed, scenarios.RunOptions{})
				require.NoError(t, err)
				for _, c := range failed(o) {
					if c.Check == breaks[v] {
						first = seed
					}
				}
			}
			if first == 0 {
				t.Errorf("%s on %s: %s not violated within %d seeds", v, name, breaks[v], budget)
				continue
			}
			report = append(report, fmt.Sprintf("%-13s %-24s %s violated at seed %d", v, name, breaks[v], first))
		}
	}
	t.Logf("seeds to the first violation (budget %d):\n%s", budget, strings.Join(report, "\n"))
}
