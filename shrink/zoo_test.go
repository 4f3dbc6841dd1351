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

// zoo is the README's bug-zoo table: each wrong variant and the library
// scenario that catches it.
var zoo = []struct{ variant, scenario string }{
	{"proposer-ignores-accepted", "paxos-leader-crash"},
	{"acceptor-no-sync", "paxos-leader-crash"},
	{"acceptor-accepts-lower", "paxos-nemesis"},
	{"quorum-floor", "paxos-partition"},
	{"follower-local-reads", "paxos-calm"},
	{"no-dedup", "paxos-lossy"},
	{"early-commit", "twopc-calm"},
	{"no-prepare-sync", "twopc-participant-crash"},
	{"announce-before-log", "twopc-coordinator-crash"},
	{"unilateral-abort", "twopc-partition"},
	{"early-release", "twopc-calm"},
	{"reply-before-backup", "pbkv-primary-crash"},
	{"view-without-ack", "pbkv-partition"},
	{"backup-before-transfer", "pbkv-backup-crash"},
	{"lease-without-margin", "pbkv-clock-skew"},
	{"no-channel-state", "snapshot-calm"},
	{"late-marker", "snapshot-calm"},
	{"no-replay", "snapshot-crashes"},
	{"unsynced", "snapshot-crashes"},
	{"latest-checkpoints", "snapshot-domino"},
	{"no-reexec", "mapreduce-crash-reduce"},
	{"in-place", "mapreduce-lossy"},
	{"reduce-early", "mapreduce-calm"},
	{"accept-late", "mapreduce-pause"},
	{"no-lease", "mapreduce-pause"},
}

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

// TestBugZooShrinks shrinks the first failing seed of every bug-zoo
// variant: at most 3 fault events and 20 operations, at most a tenth of
// the events, and the minimal scenario, written and read back, fails the
// same way. Without -zoo it shrinks every sixth. The table in the README
// is its output:
//
//	go test ./shrink -run TestBugZooShrinks -zoo -v
func TestBugZooShrinks(t *testing.T) {
	var rows []string
	for i, z := range zoo {
		if !*zooAll && i%6 != 0 {
			continue
		}
		t.Run(z.variant, func(t *testing.T) {
			s, err := library.Load(z.scenario)
			require.NoError(t, err)
			s = s.WithParam("variant", z.variant)
			seed := firstFailing(t, s)
			start := time.Now()
			res, err := shrink.Shrink(context.Background(), s, seed, shrink.Options{OtherSeeds: *zooSeeds})
			require.NoError(t, err)
			took := time.Since(start)
			b, a := res.Before, res.After
			rows = append(rows, fmt.Sprintf("| %s | %s | %d | %s | %d / %d / %d | %d / %d / %d | %.0f%% | %d | %.1f |",
				z.variant, z.scenario, seed, res.Target, b.Faults, b.Ops, b.Events, a.Faults, a.Ops, a.Events,
				100*float64(a.Events)/float64(b.Events), res.Runs, took.Seconds()))
			t.Log(rows[len(rows)-1])
			assert.LessOrEqual(t, a.Faults, 3, "faults")
			assert.LessOrEqual(t, a.Ops, 20, "operations")
			assert.LessOrEqual(t, a.Events*10, b.Events, "events")
			o := replay(t, res)
			assert.True(t, res.Target.Matches(o), "the minimal scenario, written and read back, fails the same way")
		})
	}
	t.Logf("\n| variant | scenario | seed | kept | before: faults / ops / events | after | events left | runs | seconds |\n|---|---|---|---|---|---|---|---|---|\n%s", strings.Join(rows, "\n"))
}
