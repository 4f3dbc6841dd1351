package explore_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/explore"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
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

func TestPanicIsACounterexample(t *testing.T) {
	s := inboxScenario(map[string]any{"panic_on": 2})
	res, err := explore.Explore(s, 1, explore.Options{Checks: []string{"durable"}})
	require.NoError(t, err)
	require.NotNil(t, res.Violation)
	assert.Equal(t, 1, res.Violation.Depth, "m2 delivered first")
	assert.Equal(t, explore.PanicCheck, res.Violation.Checks[0].Check)
	assert.Contains(t, res.Violation.Checks[0].Detail, "m2 first")
	o, err := scenarios.Run(s, 1, scenarios.RunOptions{Steps: res.Violation.Path.Steps})
	require.NoError(t, err)
	require.NotNil(t, o.Crash, "the path replays to the panic")
	assert.Equal(t, "s", o.Crash.Node)
}

func TestBoundsStopTheSearch(t *testing.T) {
	s := inboxScenario(map[string]any{"msgs": 4})
	for _, tc := range []struct {
		name string
		opts explore.Options
		stop string
	}{
		{"max-states", explore.Options{MaxStates: 10}, explore.StopMaxStates},
		{"max-depth", explore.Options{MaxDepth: 3}, explore.StopExhausted},
		{"budget", explore.Options{Budget: time.Nanosecond}, explore.StopBudget},
		{"interrupted", explore.Options{Context: cancelled()}, explore.StopInterrupted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opts
			o.Checks = []string{"durable"}
			res, err := explore.Explore(s, 1, o)
			require.NoError(t, err)
			assert.Equal(t, tc.stop, res.Stop)
			assert.False(t, res.Exhausted, "a bound cut the space")
			assert.Nil(t, res.Violation)
		})
	}
	res, err := explore.Explore(s, 1, explore.Options{MaxDepth: 3, Checks: []string{"durable"}})
	require.NoError(t, err)
	assert.Equal(t, 3, res.Depth)
	assert.Positive(t, res.DepthCut)
	res, err = explore.Explore(s, 1, explore.Options{MaxStates: 10, Checks: []string{"durable"}})
	require.NoError(t, err)
	assert.Equal(t, uint64(10), res.States)
}

// cancelled returns a context that is done.
func cancelled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

func TestWalks(t *testing.T) {
	s := inboxScenario(map[string]any{"msgs": 4})
	for _, mode := range []explore.Mode{explore.Random, explore.PCT} {
		t.Run(string(mode), func(t *testing.T) {
			res, err := explore.Explore(s, 1, explore.Options{Mode: mode, Runs: 200, Checks: []string{"in-order"}})
			require.NoError(t, err)
			require.NotNil(t, res.Violation, "a walk delivers out of order")
			replays(t, s, res.Violation)
			again, err := explore.Explore(s, 1, explore.Options{Mode: mode, Runs: 200, Checks: []string{"in-order"}})
			require.NoError(t, err)
			assert.Equal(t, res.Violation.Path, again.Violation.Path, "the same search seed, the same walks")
			other, err := explore.Explore(s, 1, explore.Options{Mode: mode, Runs: 200, SearchSeed: 7, Checks: []string{"in-order"}})
			require.NoError(t, err)
			require.NotNil(t, other.Violation)

			safe, err := explore.Explore(s, 1, explore.Options{Mode: mode, Runs: 50, Checks: []string{"durable"}})
			require.NoError(t, err)
			assert.Nil(t, safe.Violation)
			assert.Equal(t, explore.StopRuns, safe.Stop)
			assert.False(t, safe.Exhausted, "walks never say a space is exhausted")
			assert.Equal(t, uint64(50*(1+8)), safe.States, "every walk runs all 4 messages and their acks")
			assert.LessOrEqual(t, safe.Unique, uint64(81))
		})
	}
}

// TestWalksProbeLargerSpaces: random walks and PCT find the Paxos bugs
// that need two overlapping ballots, in a few hundred walks at most.
func TestWalksProbeLargerSpaces(t *testing.T) {
	for _, variant := range []string{"proposer-ignores-accepted", "acceptor-accepts-lower"} {
		for _, mode := range []explore.Mode{explore.Random, explore.PCT} {
			s := load(t, "paxos-single").WithParam("variant", variant)
			res, err := explore.Explore(s, 1, explore.Options{Mode: mode, Runs: 500, MaxTimers: 2})
			require.NoError(t, err)
			require.NotNil(t, res.Violation, "%s %s", mode, variant)
			replays(t, s, res.Violation)
		}
	}
}

// TestSearchIsDeterministic: the same options give the same result, but
// for the wall time.
func TestSearchIsDeterministic(t *testing.T) {
	for _, opts := range []explore.Options{
		{Mode: explore.BFS, MaxCrashes: 1, MaxDuplicates: 1},
		{Mode: explore.DFS, MaxCrashes: 1, MaxDrops: 1},
		{Mode: explore.Random, MaxCrashes: 1, Runs: 30},
		{Mode: explore.PCT, Runs: 30},
		{Mode: explore.BFS, MaxCrashes: 1, Stateless: true, MaxDepth: 5},
	} {
		t.Run(string(opts.Mode), func(t *testing.T) {
			s := inboxScenario(map[string]any{"sync": false})
			run := func() *explore.Result {
				res, err := explore.Explore(s, 1, opts)
				require.NoError(t, err)
				res.Wall, res.StatesPerSecond = 0, 0
				return res
			}
			first := run()
			assert.Equal(t, first, run())
			assert.Positive(t, first.States)
		})
	}
}

func TestBadOptions(t *testing.T) {
	for _, o := range []explore.Options{{Mode: "sideways"}, {MaxDepth: -1}, {MaxCrashes: -2}, {Runs: -1}} {
		_, err := explore.Explore(inboxScenario(nil), 1, o)
		assert.ErrorIs(t, err, explore.ErrOptions, "%+v", o)
	}
}

// TestFIFOLinksKeepTheirOrder: on a FIFO link only the first message in
// flight may arrive, so a burst is never reordered (Chandy-Lamport
// snapshots, for one, rely on it); a duplicate still may be.
func TestFIFOLinksKeepTheirOrder(t *testing.T) {
	s := inboxScenario(nil)
	s.Network.Default = sim.LinkConfig{Latency: sim.Uniform(time.Millisecond, 10*time.Millisecond), FIFO: true}
	res, err := explore.Explore(s, 1, explore.Options{Checks: []string{"in-order"}})
	require.NoError(t, err)
	assert.Nil(t, res.Violation)
	assert.True(t, res.Exhausted)
	assert.Equal(t, uint64(1+2+3+4), res.Unique, "s got m1..mi, p got acks 1..j, j <= i")
	lossy, err := explore.Explore(s, 1, explore.Options{Checks: []string{"in-order"}, MaxDrops: 2})
	require.NoError(t, err)
	assert.Nil(t, lossy.Violation, "a loss leaves the rest in order")
	dup, err := explore.Explore(s, 1, explore.Options{Checks: []string{"in-order"}, MaxDuplicates: 1})
	require.NoError(t, err)
	assert.NotNil(t, dup.Violation, "a copy is not held to the link's order: it may come after later messages")
}

func TestPanicAtStart(t *testing.T) {
	p := inbox()
	setup := p.Setup
	p.Setup = func(env *protocols.Env) (protocols.Instance, error) {
		in, err := setup(env)
		env.World.MustAddNode("bomb", func() sim.Node { return panicker{} })
		return in, err
	}
	s := inboxScenario(nil)
	s.Protocol = &p
	res, err := explore.Explore(s, 1, explore.Options{})
	require.NoError(t, err)
	require.NotNil(t, res.Violation)
	assert.Equal(t, 0, res.Violation.Depth)
	assert.Equal(t, explore.PanicCheck, res.Violation.Checks[0].Check)
	assert.False(t, res.Hashing)
}

// panicker panics as it starts.
type panicker struct{}

func (panicker) Start(*sim.Context)                    { panic("boom") }
func (panicker) Receive(*sim.Context, sim.NodeID, any) {}
func (panicker) Timer(*sim.Context, any)               {}
