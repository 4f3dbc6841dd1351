package snapshot_test

import (
	"flag"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols/snapshot"
)

var (
	zooBudget = flag.Int("zoo", 10, "seed budget of TestBugZoo per variant")
	zooAll    = flag.Bool("zoo-all", false, "TestBugZoo: run the whole budget and report each variant's detection rate")
)

// zoo pairs each bug variant with the library scenario that exposes it and
// the check that must catch it.
var zoo = []struct {
	variant  snapshot.Variant
	scenario string
	check    string
}{
	{snapshot.NoChannelState, "snapshot-calm", snapshot.ConsistencyCheck},
	{snapshot.LateMarker, "snapshot-calm", snapshot.ConsistencyCheck},
	{snapshot.NoReplay, "snapshot-crashes", snapshot.RecoveryCheck},
	{snapshot.Unsynced, "snapshot-crashes", snapshot.RecoveryCheck},
	{snapshot.LatestCheckpoints, "snapshot-domino", snapshot.RecoveryCheck},
}

// TestBugZoo sweeps each variant's scenario from seed 1 and asserts that
// its check is violated within the seed budget; then it sweeps the same
// seeds with the correct protocol and asserts every check holds.
func TestBugZoo(t *testing.T) {
	budget := *zooBudget
	cleared := map[string]bool{}
	for _, z := range zoo {
		t.Run(string(z.variant), func(t *testing.T) {
			s := load(t, z.scenario, z.variant)
			first, found := 0, 0
			for seed := 1; seed <= budget; seed++ {
				o := run(t, s, uint64(seed))
				caught := false
				for _, c := range o.Checks {
					caught = caught || (c.Check == z.check && !c.Verdict.Passed())
				}
				if caught {
					found++
					if first == 0 {
						first = seed
						t.Logf("%s on %s: first violation at seed %d: %v", z.variant, z.scenario, seed, safetyViolations(o))
					}
					if !*zooAll {
						break
					}
				}
			}
			require.NotZero(t, first, "%s: %s never violated on %s in %d seeds", z.variant, z.check, z.scenario, budget)
			if *zooAll {
				t.Logf("%s on %s: %s violated in %d of %d seeds", z.variant, z.scenario, z.check, found, budget)
			}
		})
		if cleared[z.scenario] {
			continue
		}
		cleared[z.scenario] = true
		t.Run("correct/"+z.scenario, func(t *testing.T) {
			s := load(t, z.scenario, snapshot.Correct)
			for seed := 1; seed <= budget; seed++ {
				o := run(t, s, uint64(seed))
				require.True(t, o.Passed, "seed %d: %v", seed, failures(o))
			}
		})
	}
}
