package paxos_test

import (
	"flag"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/dsimtest"
	"github.com/dsimlab/dsim/protocols/paxos"
	"github.com/dsimlab/dsim/scenarios"
)

var (
	zooBudget = flag.Int("zoo", 20, "seed budget of TestBugZoo per variant")
	zooAll    = flag.Bool("zoo-all", false, "TestBugZoo: run the whole budget and report each variant's detection rate")
)

// zoo pairs each bug variant with the library scenario that exposes it.
var zoo = []struct {
	variant  paxos.Variant
	scenario string
}{
	{paxos.IgnoreAccepted, "paxos-leader-crash"},
	{paxos.NoSync, "paxos-leader-crash"},
	{paxos.AcceptLower, "paxos-nemesis"},
	{paxos.QuorumFloor, "paxos-partition"},
	{paxos.LocalReads, "paxos-calm"},
	{paxos.NoDedup, "paxos-lossy"},
}

// safetyViolations returns the safety checks of o that were violated.
func safetyViolations(o *scenarios.Outcome) []string {
	var bad []string
	for _, c := range o.Checks {
		if c.Kind == checker.Safety && c.Verdict == checker.Violated {
			bad = append(bad, c.String())
		}
	}
	return bad
}

// TestBugZoo sweeps each variant's scenario from seed 1 and asserts a
// safety violation turns up within the seed budget; then it sweeps the same
// seeds with the correct protocol and asserts every check holds.
func TestBugZoo(t *testing.T) {
	budget := *zooBudget
	cleared := map[string]bool{}
	for _, z := range zoo {
		t.Run(string(z.variant), func(t *testing.T) {
			s := load(t, z.scenario, z.variant)
			first, found := 0, 0
			for seed := 1; seed <= budget; seed++ {
				o, err := scenarios.Run(s, uint64(seed), scenarios.RunOptions{})
				require.NoError(t, err)
				if bad := safetyViolations(o); len(bad) > 0 {
					found++
					if first == 0 {
						first = seed
						t.Logf("%s on %s: first violation at seed %d: %v", z.variant, z.scenario, seed, bad)
					}
					if !*zooAll {
						break
					}
				}
			}
			require.NotZero(t, first, "%s: no safety violation on %s in %d seeds", z.variant, z.scenario, budget)
			if *zooAll {
				t.Logf("%s on %s: violations in %d of %d seeds", z.variant, z.scenario, found, budget)
			}
		})
		if cleared[z.scenario] {
			continue
		}
		cleared[z.scenario] = true
		t.Run("correct/"+z.scenario, func(t *testing.T) {
			dsimtest.Sweep(t, load(t, z.scenario, paxos.Correct), fmt.Sprintf("1-%d", budget))
		})
	}
}
