package raft_test

import (
	"flag"
	"fmt"
	"testing"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/dsimtest"
	"github.com/dsimlab/dsim/protocols/raft"
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

// TestBugZoo sweeps each variant's scenario from seed 1 and asserts that
// one of its checks reports a violation within the seed budget; then it
// sweeps the same seeds with the correct protocol and asserts every check
// holds. With -zoo-all it runs the whole budget and logs how many seeds
// caught each variant.
func TestBugZoo(t *testing.T) {
	seeds := fmt.Sprintf("1-%d", *zooBudget)
	cleared := map[string]bool{}
	for _, z := range zoo {
		t.Run(string(z.variant), func(t *testing.T) {
			dsimtest.Sweep(t, load(t, z.scenario, z.variant), seeds, hunt(z.checks...)...)
		})
		if cleared[z.scenario] {
			continue
		}
		cleared[z.scenario] = true
		t.Run("correct/"+z.scenario, func(t *testing.T) {
			dsimtest.Sweep(t, load(t, z.scenario, raft.Correct), seeds)
		})
	}
}

// hunt returns the options of a sweep that hunts for a violation of one
// of checks: all the budget's seeds with -zoo-all.
func hunt(checks ...string) []dsimtest.Option {
	if *zooAll {
		return []dsimtest.Option{dsimtest.ExpectAnyViolation(checks...), dsimtest.EverySeed()}
	}
	return []dsimtest.Option{dsimtest.ExpectAnyViolation(checks...)}
}
