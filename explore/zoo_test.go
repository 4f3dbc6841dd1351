package explore_test

import (
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/explore"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/scenarios/library"
)

var zoo = flag.Bool("zoo", false, "search every bug-zoo variant breadth-first (shortest counterexamples) and the correct protocols' larger spaces, logging the figures")

// zooCase is a variant of a library scenario, the bounds that let a
// search find its bug, and what a breadth-first search finds: the length
// of the shortest counterexample and the check it fails.
type zooCase struct {
	scenario, variant string
	seed              uint64
	opts              explore.Options
	quick             *explore.Options // used instead of opts without -zoo, if set
	depth             int
	check             string
}

var zooCases = []zooCase{
	{"paxos-single", "quorum-floor", 1, explore.Options{}, nil, 2, "paxos-agreement"},
	{"paxos-single", "proposer-ignores-accepted", 1, explore.Options{MaxTimers: 2}, nil, 8, "paxos-agreement"},
	{"paxos-single", "acceptor-accepts-lower", 1, explore.Options{MaxTimers: 2}, nil, 8, "paxos-agreement"},
	{"paxos-single", "acceptor-no-sync", 1, explore.Options{MaxTimers: 2, MaxCrashes: 1},
		&explore.Options{Mode: explore.DFS, MaxTimers: 2, MaxCrashes: 1, MaxDepth: 10}, 10, "paxos-agreement"},
	{"twopc-explore", "early-commit", 1, explore.Options{MaxTimers: 1}, nil, 6, "atomicity"},
	{"twopc-explore", "unilateral-abort", 1, explore.Options{MaxTimers: 2}, nil, 9, "atomicity"},
	{"twopc-explore", "no-prepare-sync", 1, explore.Options{MaxTimers: 1, MaxCrashes: 1}, nil, 11, "atomicity"},
	{"twopc-explore", "announce-before-log", 1, explore.Options{MaxTimers: 1, MaxCrashes: 1}, nil, 10, "atomicity"},
	{"twopc-explore-conflict", "early-release", 34, explore.Options{MaxTimers: 2}, nil, 14, "isolation"},
}

// TestBugZoo: the search finds every variant's bug within small bounds,
// the path replays to it, and breadth-first the path is as short as any
// (with -zoo for every variant; without it, the slowest is found
// depth-first within a depth bound).
func TestBugZoo(t *testing.T) {
	for _, tc := range zooCases {
		t.Run(tc.scenario+"/"+tc.variant, func(t *testing.T) {
			s := load(t, tc.scenario).WithParam("variant", tc.variant)
			opts, bfs := tc.opts, true
			if !*zoo && tc.quick != nil {
				opts, bfs = *tc.quick, false
			}
			res, err := explore.Explore(s, tc.seed, opts)
			require.NoError(t, err)
			require.NotNil(t, res.Violation, "%s: no counterexample", tc.variant)
			assert.Equal(t, tc.check, res.Violation.Checks[0].Check)
			if bfs {
				assert.Equal(t, tc.depth, res.Violation.Depth, "the shortest counterexample")
			} else {
				assert.LessOrEqual(t, res.Violation.Depth, opts.MaxDepth)
			}
			replays(t, s, res.Violation)
			logRow(t, tc.scenario+" "+tc.variant, res)
		})
	}
}

// correctCase is a correct protocol's space within bounds, and its size.
type correctCase struct {
	scenario string
	seed     uint64
	opts     explore.Options
	unique   uint64
	slow     bool // only with -zoo
}

var correctCases = []correctCase{
	{"paxos-single", 1, explore.Options{MaxTimers: 1}, 1_532, false},
	{"twopc-explore", 1, explore.Options{MaxTimers: 1}, 82, false},
	{"twopc-explore", 1, explore.Options{MaxTimers: 1, MaxCrashes: 1}, 4_432, false},
	{"paxos-single", 1, explore.Options{MaxTimers: 1, MaxCrashes: 1}, 27_212, true},
	{"twopc-explore", 1, explore.Options{MaxTimers: 2}, 62_174, true},
	{"twopc-explore-conflict", 34, explore.Options{MaxTimers: 2}, 26_969, true},
}

// TestCorrectProtocolsExhaustTheirSpace: the correct protocols' bounded
// spaces are explored to the end with no check failing, and have the
// number of unique states the README gives.
func TestCorrectProtocolsExhaustTheirSpace(t *testing.T) {
	for _, tc := range correctCases {
		t.Run(fmt.Sprintf("%s/timers=%d,crashes=%d", tc.scenario, tc.opts.MaxTimers, tc.opts.MaxCrashes), func(t *testing.T) {
			if tc.slow && !*zoo {
				t.Skip("run with -zoo")
			}
			res, err := explore.Explore(load(t, tc.scenario), tc.seed, tc.opts)
			require.NoError(t, err)
			assert.Nil(t, res.Violation)
			assert.True(t, res.Exhausted)
			assert.Equal(t, tc.unique, res.Unique)
			logRow(t, tc.scenario+" correct", res)
		})
	}
}

// load loads a library scenario.
func load(t testing.TB, name string) *scenarios.Scenario {
	t.Helper()
	s, err := library.Load(name)
	require.NoError(t, err)
	return s
}

// logRow logs a result as a row of the README's table.
func logRow(t *testing.T, what string, res *explore.Result) {
	t.Helper()
	depth := "-"
	if res.Violation != nil {
		depth = fmt.Sprint(res.Violation.Depth)
	}
	t.Logf("| %s | %s | %s | %d | %d | %s | %.0f | %v |", what, res.Mode, res.Bounds, res.States, res.Unique, depth,
		res.StatesPerSecond, time.Duration(res.Wall).Round(time.Millisecond))
}
