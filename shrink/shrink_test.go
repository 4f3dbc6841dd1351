package shrink_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/scenarios/library"
	"github.com/dsimlab/dsim/shrink"
)

func load(t *testing.T, name, variant string) *scenarios.Scenario {
	t.Helper()
	s, err := library.Load(name)
	require.NoError(t, err)
	if variant != "" {
		s = s.WithParam("variant", variant)
	}
	return s
}

// replay writes the minimal scenario, reads it back as `dsim run` would,
// and runs it with its seed.
func replay(t *testing.T, res *shrink.Result) *scenarios.Outcome {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, res.Minimal.WriteYAML(&buf))
	s, err := scenarios.Parse("minimal.yaml", buf.Bytes(), library.Protocols())
	require.NoError(t, err, buf.String())
	assert.Nil(t, s.Nemesis, "no nemesis")
	o, err := scenarios.Run(s, res.MinimalSeed, scenarios.RunOptions{})
	require.NoError(t, err)
	return o
}

func TestShrinkKeepsTheViolationAndTheSeed(t *testing.T) {
	s := load(t, "pbkv-primary-crash", "reply-before-backup") // 10 fixed faults, 1000 operations
	res, err := shrink.Shrink(context.Background(), s, 2, shrink.Options{})
	require.NoError(t, err)
	assert.Equal(t, shrink.Target{Check: checker.LinearizabilityCheck, Kind: checker.Safety, Verdict: checker.Violated}, res.Target)
	assert.Equal(t, uint64(2), res.MinimalSeed, "the seed stays fixed")
	assert.Equal(t, 10, res.Before.Faults)
	assert.LessOrEqual(t, res.After.Faults, 3)
	assert.LessOrEqual(t, res.After.Ops, 20)
	assert.Less(t, res.After.Events*10, res.Before.Events)
	assert.Equal(t, "pbkv-primary-crash-shrunk", res.Minimal.Name)
	assert.Contains(t, res.Minimal.Description, "Shrunk from pbkv-primary-crash, seed 2")
	o := replay(t, res)
	assert.True(t, res.Target.Matches(o), "the written scenario fails the same way: %v", o.Checks)
	assert.Equal(t, res.After.Events, o.Events)
}

func TestShrinkTurnsTheNemesisIntoFixedFaults(t *testing.T) {
	s := load(t, "paxos-nemesis", "acceptor-accepts-lower")
	require.NotNil(t, s.Nemesis)
	o, err := scenarios.Run(s, 1, scenarios.RunOptions{})
	require.NoError(t, err)
	fixed := shrink.Fixed(s, 1, o.Faults)
	assert.Nil(t, fixed.Nemesis)
	require.Len(t, fixed.Faults, len(o.Faults))
	for _, f := range fixed.Faults {
		assert.False(t, f.Nemesis)
	}
	again, err := scenarios.Run(fixed, 1, scenarios.RunOptions{})
	require.NoError(t, err)
	assert.Equal(t, o.Fingerprint, again.Fingerprint, "the same events")
}

func TestShrinkCanTryOtherSeeds(t *testing.T) {
	s := load(t, "paxos-calm", "follower-local-reads")
	res, err := shrink.Shrink(context.Background(), s, 1, shrink.Options{OtherSeeds: 20})
	require.NoError(t, err)
	assert.LessOrEqual(t, res.After.Ops, 20)
	o := replay(t, res)
	assert.True(t, res.Target.Matches(o), "seed %d: %v", res.MinimalSeed, o.Checks)
}

func TestShrinkKeepsALivenessFailureHealed(t *testing.T) {
	s := load(t, "mapreduce-pause", "accept-late") // completion violated; every pause is resumed
	res, err := shrink.Shrink(context.Background(), s, 1, shrink.Options{})
	require.NoError(t, err)
	require.Equal(t, checker.Liveness, res.Target.Kind)
	paused := map[string]int{}
	for _, f := range res.Minimal.Faults {
		switch f.Kind {
		case scenarios.FaultPause, scenarios.FaultCrash:
			paused[f.Node]++
		case scenarios.FaultResume, scenarios.FaultRestart:
			paused[f.Node]--
		}
	}
	for node, n := range paused {
		assert.Zero(t, n, "%s is left paused or down: %v", node, res.Minimal.Faults)
	}
	assert.GreaterOrEqual(t, res.Minimal.Duration, shrink.LivenessTail)
}

func TestShrinkRefusesWhatDoesNotFail(t *testing.T) {
	tests := []struct {
		name, scenario, variant, check, want string
	}{
		{"a passing seed", "twopc-calm", "", "", "seed 1 of twopc-calm passes"},
		{"a check that holds", "twopc-calm", "early-commit", "termination", "does not violate termination"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := shrink.Shrink(context.Background(), load(t, tt.scenario, tt.variant), 1, shrink.Options{Check: tt.check})
			require.Error(t, err)
			assert.True(t, errors.Is(err, shrink.ErrNothingToShrink))
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestShrinkStopsWhenCancelledWithWhatItFound(t *testing.T) {
	s := load(t, "paxos-leader-crash", "acceptor-no-sync")
	ctx, cancel := context.WithCancel(context.Background())
	var steps int
	res, err := shrink.Shrink(ctx, s, 1, shrink.Options{Progress: func(string, shrink.Size) {
		if steps++; steps == 3 {
			cancel()
		}
	}})
	require.NoError(t, err)
	assert.True(t, res.Interrupted)
	assert.Less(t, res.After.Events, res.Before.Events, "three smaller scenarios were found")
	o := replay(t, res)
	assert.True(t, res.Target.Matches(o))
}

func TestShrinkStopsAtMaxRuns(t *testing.T) {
	res, err := shrink.Shrink(context.Background(), load(t, "twopc-calm", "early-commit"), 1, shrink.Options{MaxRuns: 5})
	require.NoError(t, err)
	assert.Equal(t, 5, res.Runs)
}

// TestShrinkASwarmRun shrinks a swarm run whose mix has crash points (a
// crash right after a send): the run as fixed faults is the same run, and
// the minimal scenario, written without swarm, fails the same way.
func TestShrinkASwarmRun(t *testing.T) {
	s := load(t, "paxos-leader-crash", "acceptor-no-sync")
	const seed = 4
	opts := scenarios.RunOptions{Swarm: true}
	o, err := scenarios.Run(s, seed, opts)
	require.NoError(t, err)
	require.False(t, o.Passed, "seed %d of the swarm finds the bug", seed)
	require.True(t, o.Swarm.CrashPoints, "its mix has crash points: %v", o.Swarm)

	mixed, _ := s.ForSeed(seed, true, false)
	fixed, err := scenarios.Run(shrink.Fixed(mixed, seed, o.Faults), seed, scenarios.RunOptions{})
	require.NoError(t, err)
	assert.Equal(t, o.Fingerprint, fixed.Fingerprint, "the crash points as fixed faults run the same events")

	res, err := shrink.Shrink(context.Background(), s, seed, shrink.Options{Run: opts})
	require.NoError(t, err)
	assert.Nil(t, res.Minimal.Swarm, "the minimal scenario is the seed's mix, not a swarm")
	assert.False(t, res.Minimal.CrashPoints)
	assert.Less(t, res.After.Events, res.Before.Events)
	back := replay(t, res)
	assert.True(t, res.Target.Matches(back), "the written scenario fails the same way without --swarm: %v", back.Checks)
}

// TestFixedKeepsTheLivenessHeal turns swarm runs with liveness mode into
// fixed faults with the heal where the run had it (as Shrink does): the
// same events. Their crash points stop before the heal, after which no
// fault may come.
func TestFixedKeepsTheLivenessHeal(t *testing.T) {
	s := load(t, "pbkv-partition", "")
	checked := 0
	for seed := uint64(5320); seed <= 5340; seed++ {
		o, err := scenarios.Run(s, seed, scenarios.RunOptions{Swarm: true})
		require.NoError(t, err)
		if o.LivenessHeal == 0 {
			continue
		}
		checked++
		for _, f := range o.Faults {
			assert.LessOrEqual(t, f.At, o.LivenessHeal, "seed %d: %s %s comes after the heal", seed, f.Kind, f.Node)
		}
		mixed, _ := s.ForSeed(seed, true, false)
		fixed := shrink.Fixed(mixed, seed, o.Faults)
		l := *fixed.Liveness
		l.At = o.LivenessHeal
		fixed.Liveness = &l
		again, err := scenarios.Run(fixed, seed, scenarios.RunOptions{})
		require.NoError(t, err)
		assert.Equal(t, o.Fingerprint, again.Fingerprint, "seed %d: the fixed faults and the heal run the same events", seed)
	}
	require.Positive(t, checked, "some seeds draw liveness mode")
}
