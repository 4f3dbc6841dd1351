package raft_test

import (
	"flag"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/dsimtest"
	"github.com/dsimlab/dsim/protocols/raft"
	"github.com/dsimlab/dsim/scenarios"
)

var (
	zooBudget = flag.Int("zoo", 20, "seed budget of TestBugZoo per variant")
	zooAll    = flag.Bool("zoo-all", false, "TestBugZoo: run the whole budget and report each variant's detection rate")
)

// zoo pairs each bug variant with the library scenario that exposes it and
// the checks that must catch it (one of them is enough).
var zoo = []struct {
	variant  raft.Variant
	scenario string
	checks   []string
}{
	{raft.CountStaleVotes, "raft-partition", []string{raft.ElectionSafetyCheck, raft.LeaderCompletenessCheck}},
	{raft.CommitOldTerm, "raft-figure8", []string{raft.LeaderCompletenessCheck, raft.StateMachineSafetyCheck}},
	{raft.VolatileVote, "raft-vote-restart", []string{raft.ElectionSafetyCheck}},
	{raft.NoLogCheck, "raft-figure8", []string{raft.LogMatchingCheck}},
	{raft.VoteAnyLog, "raft-nemesis", []string{raft.LeaderCompletenessCheck}},
	{raft.FollowerReads, "raft-calm", []string{checker.LinearizabilityCheck}},
}

// caught returns the checks of o among want that were violated.
func caught(o *scenarios.Outcome, want []string) []string {
	var bad []string
	for _, c := range o.Checks {
		if c.Verdict == checker.Violated && slices.Contains(want, c.Check) {
			bad = append(bad, c.String())
		}
	}
	return bad
}

// TestBugZoo sweeps each variant's scenario from seed 1 and asserts that
// one of its checks reports a violation within the seed budget; then it
// sweeps the same seeds with the correct protocol and asserts every check
// holds. With -zoo-all it runs the whole budget and logs how many seeds
// caught each variant.
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
				if bad := caught(o, z.checks); len(bad) > 0 {
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
			require.NotZero(t, first, "%s: none of %v violated on %s in %d seeds", z.variant, z.checks, z.scenario, budget)
			if *zooAll {
				t.Logf("%s on %s: caught in %d of %d seeds", z.variant, z.scenario, found, budget)
			}
		})
		if cleared[z.scenario] {
			continue
		}
		cleared[z.scenario] = true
		t.Run("correct/"+z.scenario, func(t *testing.T) {
			dsimtest.Sweep(t, load(t, z.scenario, raft.Correct), fmt.Sprintf("1-%d", budget))
		})
	}
}
