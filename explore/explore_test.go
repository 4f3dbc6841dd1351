package explore_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/explore"
	"github.com/dsimlab/dsim/scenarios"
)

// replays runs a counterexample's path as `dsim run --path` does and
// asserts that the run violates the same check.
func replays(t *testing.T, s *scenarios.Scenario, v *explore.Counterexample) {
	t.Helper()
	require.NotNil(t, v)
	o, err := scenarios.Run(s, v.Path.Seed, scenarios.RunOptions{Steps: v.Path.Steps})
	require.NoError(t, err)
	for _, c := range o.Checks {
		if c.Check == v.Checks[0].Check {
			assert.Equal(t, checker.Violated, c.Verdict, "the path replays to the violation: %s", c)
			return
		}
	}
	t.Fatalf("the replayed run has no check %s", v.Checks[0].Check)
}

func TestInboxStateCounts(t *testing.T) {
	for _, k := range []int{1, 2, 3, 4} {
		s := inboxScenario(map[string]any{"msgs": k})
		res, err := explore.Explore(s, 1, explore.Options{Checks: []string{"durable"}})
		require.NoError(t, err)
		want := uint64(1)
		for range k {
			want *= 3
		}
		assert.True(t, res.Hashing)
		assert.Equal(t, want, res.Unique, "k=%d: 3^k states (what s got, which acks are in flight)", k)
		assert.True(t, res.Exhausted)
		assert.Equal(t, explore.StopExhausted, res.Stop)
		assert.Equal(t, 2*k, res.Depth, "every message and every ack")
		assert.Nil(t, res.Violation)
	}
	res, err := explore.Explore(inboxScenario(nil), 1, explore.Options{Checks: []string{"durable"}})
	require.NoError(t, err)
	assert.Equal(t, uint64(55), res.States, "1 + the transitions out of the 27 states, each explored once")
}

func TestBreadthFirstFindsAShortestCounterexample(t *testing.T) {
	s := inboxScenario(nil)
	bfs, err := explore.Explore(s, 1, explore.Options{Checks: []string{"in-order"}})
	require.NoError(t, err)
	require.NotNil(t, bfs.Violation)
	assert.Equal(t, 2, bfs.Violation.Depth, "deliver m2, then m1")
	assert.Equal(t, explore.StopViolation, bfs.Stop)
	assert.False(t, bfs.Exhausted)
	replays(t, s, bfs.Violation)

	dfs, err := explore.Explore(s, 1, explore.Options{Mode: explore.DFS, Checks: []string{"in-order"}})
	require.NoError(t, err)
	require.NotNil(t, dfs.Violation)
	assert.Greater(t, dfs.Violation.Depth, 2, "depth-first goes deep first: m1, then acks, ...")
	replays(t, s, dfs.Violation)

	safe := inboxScenario(map[string]any{"mode": "stop-and-wait"})
	res, err := explore.Explore(safe, 1, explore.Options{Checks: []string{"in-order"}, MaxDrops: 2})
	require.NoError(t, err)
	assert.Nil(t, res.Violation, "stop-and-wait keeps order, even when messages are lost")
	assert.True(t, res.Exhausted)

	dup, err := explore.Explore(safe, 1, explore.Options{Checks: []string{"in-order"}, MaxDuplicates: 1})
	require.NoError(t, err)
	require.NotNil(t, dup.Violation, "but not when one is duplicated")
	var actions []string
	for _, st := range dup.Violation.Path.Steps {
		actions = append(actions, st.Action)
	}
	assert.Equal(t, []string{"duplicate", "fire", "fire", "fire", "fire"}, actions,
		"m1 twice; m1, its ack, m2, the copy of m1")
	replays(t, safe, dup.Violation)
}

func TestCrashesFindForgottenWrites(t *testing.T) {
	unsynced := inboxScenario(map[string]any{"sync": false})
	none, err := explore.Explore(unsynced, 1, explore.Options{Checks: []string{"durable"}})
	require.NoError(t, err)
	assert.Nil(t, none.Violation, "without crashes nothing is forgotten")

	res, err := explore.Explore(unsynced, 1, explore.Options{Checks: []string{"durable"}, MaxCrashes: 1})
	require.NoError(t, err)
	require.NotNil(t, res.Violation)
	assert.Equal(t, 3, res.Violation.Depth, "deliver, crash s, restart s")
	var actions []string
	for _, st := range res.Violation.Path.Steps {
		actions = append(actions, st.Action+" "+st.Node)
	}
	assert.Equal(t, []string{"fire ", "crash s", "restart s"}, actions)
	replays(t, unsynced, res.Violation)

	synced, err := explore.Explore(inboxScenario(nil), 1, explore.Options{Checks: []string{"durable"}, MaxCrashes: 2})
	require.NoError(t, err)
	assert.Nil(t, synced.Violation)
	assert.True(t, synced.Exhausted)
}

func TestStatelessSearch(t *testing.T) {
	for _, tc := range []struct {
		name   string
		params map[string]any
		opts   explore.Options
	}{
		{"asked", nil, explore.Options{Stateless: true}},
		{"nodes cannot describe", map[string]any{"describe": false}, explore.Options{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := inboxScenario(tc.params)
			o := tc.opts
			o.Checks = []string{"durable"}
			res, err := explore.Explore(s, 1, o)
			require.NoError(t, err)
			assert.False(t, res.Hashing)
			assert.NotEmpty(t, res.NotHashed)
			assert.True(t, res.Exhausted)
			assert.Zero(t, res.Unique)
			assert.Equal(t, inboxPaths(3, 0, 0), res.States, "every path is run: the tree of paths")

			o.Checks = []string{"in-order"}
			bad, err := explore.Explore(s, 1, o)
			require.NoError(t, err)
			require.NotNil(t, bad.Violation)
			assert.Equal(t, 2, bad.Violation.Depth)
			replays(t, s, bad.Violation)
		})
	}
}

// inboxPaths counts the paths of the burst inbox from the state where s got
// the set got and the acks of inFlight are in flight, the empty path
// included: the obvious reference for a stateless search.
func inboxPaths(k int, got, inFlight uint) uint64 {
	n := uint64(1)
	for i := 1; i <= k; i++ {
		if got&(1<<i) == 0 {
			n += inboxPaths(k, got|1<<i, inFlight|1<<i)
		}
		if inFlight&(1<<i) != 0 {
			n += inboxPaths(k, got, inFlight&^(1<<i))
		}
	}
	return n
}
