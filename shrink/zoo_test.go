package shrink_test

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/scenarios/library"
	"github.com/dsimlab/dsim/shrink"
)

var (
	zooAll   = flag.Bool("zoo", false, "TestBugZooShrinks: shrink every bug-zoo variant and print the table (else a few)")
	zooSeeds = flag.Int("zoo-seeds", 20, "TestBugZooShrinks: Options.OtherSeeds, as dsim shrink's --other-seeds")
)

// firstFailing returns the first seed from 1 whose run violates a check.
func firstFailing(t *testing.T, s *scenarios.Scenario) uint64 {
	for seed := uint64(1); seed <= 200; seed++ {
		o, err := scenarios.Run(s, seed, scenarios.RunOptions{})
		require.NoError(t, err)
		if _, err := shrink.TargetOf(o, ""); err == nil {
			return seed
		}
	}
	t.Fatalf("%s: no violation in 200 seeds", s.Name)
	return 0
}

// zooGoal is what every bug-zoo failure shrinks to at most: fault
// events, operations, and the share of the original run's events.
var zooGoal = struct{ faults, ops, eventsPercent int }{3, 20, 10}

// zooExceptions are the variants whose bug cannot be shown within
// zooGoal, and why. Raft's Figure 8 is a chain of leaderships: a leader
// that replicated an entry to one follower crashes, another is elected
// and crashes, the first returns and commits the old entry by counting
// replicas, and crashes, so that the second returns and overwrites it:
// five crashes and restarts, in a scenario of 200 operations already
// made small.
var zooExceptions = map[string]struct{ faults, ops, eventsPercent int }{
	"commit-old-term": {5, 20, 30},
}

// TestBugZooShrinks shrinks the first failing seed of every bug-zoo
// variant: at most 3 fault events and 20 operations, at most a tenth of
// the events (zooGoal; zooExceptions says where and why not), and the
// minimal scenario, written and read back, fails the
// same way. Without -zoo it shrinks every sixth. The table in the README
// is its output:
//
//	go test ./shrink -run TestBugZooShrinks -zoo -v
func TestBugZooShrinks(t *testing.T) {
	var rows []string
	for i, z := range library.Zoo {
		if !*zooAll && i%6 != 0 {
			continue
		}
		t.Run(z.Variant, func(t *testing.T) {
			s, err := library.Load(z.Scenario)
			require.NoError(t, err)
			s = s.WithParam("variant", z.Variant)
			seed := firstFailing(t, s)
			start := time.Now()
			res, err := shrink.Shrink(context.Background(), s, seed, shrink.Options{OtherSeeds: *zooSeeds})
			require.NoError(t, err)
			took := time.Since(start)
			b, a := res.Before, res.After
			rows = append(rows, fmt.Sprintf("| %s | %s | %d | %s | %d / %d / %d | %d / %d / %d | %.0f%% | %d | %.1f |",
				z.Variant, z.Scenario, seed, res.Target, b.Faults, b.Ops, b.Events, a.Faults, a.Ops, a.Events,
				100*float64(a.Events)/float64(b.Events), res.Runs, took.Seconds()))
			t.Log(rows[len(rows)-1])
			most := zooGoal
			if g, ok := zooExceptions[z.Variant]; ok {
				most = g
			}
			assert.LessOrEqual(t, a.Faults, most.faults, "faults")
			assert.LessOrEqual(t, a.Ops, most.ops, "operations")
			assert.LessOrEqual(t, a.Events*100, b.Events*uint64(most.eventsPercent), "events")
			o := replay(t, res)
			assert.True(t, res.Target.Matches(o), "the minimal scenario, written and read back, fails the same way")
		})
	}
	t.Logf("\n| variant | scenario | seed | kept | before: faults / ops / events | after | events left | runs | seconds |\n|---|---|---|---|---|---|---|---|---|\n%s", strings.Join(rows, "\n"))
}
