package pbkv_test

import (
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols/pbkv"
	"github.com/dsimlab/dsim/scenarios"
)

var zooSeeds = flag.Int("zoo-seeds", 0, "TestBugZoo: also run this many seeds per row and report how many violate (0: stop at the first violation)")

// zoo lists, for each wrong variant, the scenarios that catch it and the
// seed budget each gets: a violation must show up within it.
var zoo = []struct {
	variant  pbkv.Variant
	scenario string
	params   map[string]any // over the scenario's
	budget   int
	checks   []string // checks the first violation must include (besides any others)
}{
	// Appends only, so the lost writes stay visible in the final state.
	{pbkv.ReplyBeforeBackup, "pbkv-primary-crash", nil, 20, []string{checker.LinearizabilityCheck, pbkv.AckedWritesCheck}},
	{pbkv.ReplyBeforeBackup, "pbkv-nemesis", nil, 20, []string{checker.LinearizabilityCheck}},
	{pbkv.ViewWithoutAck, "pbkv-partition", nil, 5, []string{checker.LinearizabilityCheck}},
	{pbkv.ViewWithoutAck, "pbkv-nemesis", nil, 80, []string{checker.LinearizabilityCheck}},
	{pbkv.BackupBeforeTransfer, "pbkv-backup-crash", nil, 40, []string{checker.LinearizabilityCheck}},
	{pbkv.BackupBeforeTransfer, "pbkv-nemesis", nil, 100, []string{checker.LinearizabilityCheck}},
	{pbkv.LeaseWithoutMargin, "pbkv-clock-skew", nil, 20, []string{checker.LinearizabilityCheck}},
	// Not a variant but the same mistake made by configuration: a lease
	// margin (20ms) smaller than the clock skew (100ms).
	{pbkv.Correct, "pbkv-clock-skew", map[string]any{"lease_margin": 20 * time.Millisecond}, 40, []string{checker.LinearizabilityCheck}},
}

// TestBugZoo sweeps seeds from 1 for each wrong variant until a check is
// violated, within the row's budget, and checks that the correct protocol
// passes every seed the variant needed.
func TestBugZoo(t *testing.T) {
	for _, row := range zoo {
		name := fmt.Sprintf("%s/%s", row.variant, row.scenario)
		if row.params != nil {
			name += fmt.Sprintf("/%v", row.params)
		}
		t.Run(name, func(t *testing.T) {
			params := map[string]any{"variant": string(row.variant)}
			for k, v := range row.params {
				params[k] = v
			}
			s := load(t, row.scenario, params)
			first, caught := 0, 0
			var seen []string
			limit := max(row.budget, *zooSeeds)
			for seed := 1; seed <= limit; seed++ {
				o, err := scenarios.Run(s, uint64(seed), scenarios.RunOptions{})
				require.NoError(t, err)
				_, violated, _ := o.Counts()
				if violated == 0 {
					continue
				}
				caught++
				if first == 0 {
					first = seed
					for _, c := range o.Checks {
						if c.Verdict == checker.Violated {
							seen = append(seen, c.Check)
						}
					}
				}
				if *zooSeeds == 0 {
					break
				}
			}
			require.NotZerof(t, first, "no violation in %d seeds", row.budget)
			require.LessOrEqual(t, first, row.budget)
			require.Subset(t, seen, row.checks)
			t.Logf("seeds to first violation: %d (checks violated: %v)", first, seen)
			if *zooSeeds > 0 {
				t.Logf("violated in %d of %d seeds", caught, limit)
			}
			correct := load(t, row.scenario, nil)
			for seed := 1; seed <= first; seed++ {
				o, err := scenarios.Run(correct, uint64(seed), scenarios.RunOptions{})
				require.NoError(t, err)
				require.Truef(t, o.Passed, "correct, seed %d: %v", seed, failures(o))
			}
		})
	}
}
