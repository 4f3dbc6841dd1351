package library_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/scenarios/library"
	"github.com/dsimlab/dsim/sim"
)

// firstBad finds, in seeds 1.., a run of s that a check violates, and
// returns its seed.
func firstBad(t *testing.T, s *scenarios.Scenario, budget int) uint64 {
	t.Helper()
	for seed := uint64(1); seed <= uint64(budget); seed++ {
		o, err := scenarios.Run(s, seed, scenarios.RunOptions{})
		require.NoError(t, err)
		if _, violated, _ := o.Counts(); violated > 0 {
			return seed
		}
	}
	t.Fatalf("%s: no violation in %d seeds", s.Name, budget)
	return 0
}

// TestOnlineChecksStopAtTheFirstBadEvent runs a bug-zoo variant of each
// protocol with online checks: the run stops right after the violating
// event, the outcome points at it, the trace ends there, the same check is
// violated as without online checks, and the run costs fewer events.
func TestOnlineChecksStopAtTheFirstBadEvent(t *testing.T) {
	tests := []struct {
		scenario, variant, check string
	}{
		{"twopc-calm", "early-commit", checker.AtomicityCheck},
		{"paxos-leader-crash", "acceptor-no-sync", ""},
		{"snapshot-calm", "no-channel-state", "snapshot-consistency"},
	}
	for _, tc := range tests {
		t.Run(tc.scenario+"/"+tc.variant, func(t *testing.T) {
			s, err := library.Load(tc.scenario)
			require.NoError(t, err)
			s = s.WithParam("variant", tc.variant)
			seed := firstBad(t, s, 20)
			whole, err := scenarios.Run(s, seed, scenarios.RunOptions{})
			require.NoError(t, err)
			o, err := scenarios.Run(s, seed, scenarios.RunOptions{Online: true, Trace: true})
			require.NoError(t, err)
			require.NotNil(t, o.Online, "an online check saw the violation")
			if tc.check != "" {
				assert.Equal(t, tc.check, o.Online.Check)
			}
			assert.False(t, o.Passed)
			assert.Equal(t, []string{"--online"}, o.ReplayFlags)
			tr := o.World.Trace()
			require.Less(t, int(o.Online.Event)+1, len(tr))
			bad, stop := tr[o.Online.Event], tr[o.Online.Event+1]
			assert.Equal(t, o.Online.Event, bad.Seq, "the index names a trace event")
			assert.Equal(t, o.Online.Time, bad.Time.Sub(0), "at the time the outcome gives")
			assert.Equal(t, sim.KindStop, stop.Kind, "the stop follows the violating event")
			assert.Contains(t, stop.Text, o.Online.Check)
			for _, e := range tr[o.Online.Event:] {
				assert.Equal(t, bad.Time, e.Time, "only the rest of the violating handler runs after it")
			}
			assert.Less(t, o.Events, whole.Events, "a failing run costs up to its violation")
			violated := func(o *scenarios.Outcome) bool {
				for _, c := range o.Checks {
					if c.Check == o.Online.Check && c.Verdict == checker.Violated {
						return true
					}
				}
				return false
			}
			assert.True(t, violated(o), "the check after the run reports the same violation")
		})
	}
}

// TestOnlineChecksPassTheCorrectProtocols runs each protocol's library
// scenarios with online checks: nothing is stopped, and the fingerprints
// are those of runs without them (online checks only watch).
func TestOnlineChecksPassTheCorrectProtocols(t *testing.T) {
	for _, name := range []string{"paxos-nemesis", "pbkv-nemesis", "twopc-nemesis", "snapshot-crashes"} {
		s, err := library.Load(name)
		require.NoError(t, err)
		for seed := uint64(1); seed <= 3; seed++ {
			plain, err := scenarios.Run(s, seed, scenarios.RunOptions{})
			require.NoError(t, err)
			o, err := scenarios.Run(s, seed, scenarios.RunOptions{Online: true})
			require.NoError(t, err)
			assert.Nil(t, o.Online, "%s seed %d", name, seed)
			assert.True(t, o.Passed, "%s seed %d", name, seed)
			assert.Equal(t, plain.Fingerprint, o.Fingerprint, "%s seed %d: watching changes nothing", name, seed)
		}
	}
}

// TestSwarmRunsOfTheLibraryReplay runs a few swarm seeds of scenarios of
// each kind twice: the same mix and the same fingerprint.
func TestSwarmRunsOfTheLibraryReplay(t *testing.T) {
	for _, name := range []string{"paxos-nemesis", "twopc-coordinator-crash", "pbkv-partition", "transport-rpc-partition"} {
		s, err := library.Load(name)
		require.NoError(t, err)
		for seed := uint64(1); seed <= 3; seed++ {
			a, err := scenarios.Run(s, seed, scenarios.RunOptions{Swarm: true})
			require.NoError(t, err)
			b, err := scenarios.Run(s, seed, scenarios.RunOptions{Swarm: true})
			require.NoError(t, err)
			require.NotNil(t, a.Swarm)
			assert.Equal(t, a.Swarm, b.Swarm, "%s seed %d", name, seed)
			assert.Equal(t, a.Fingerprint, b.Fingerprint, "%s seed %d", name, seed)
			assert.True(t, a.Passed, "%s seed %d: %v", name, seed, a.Checks)
		}
	}
}

// TestClientsWithCallsInFlightPass runs the replicated key-value stores
// over a calm network with three calls in flight per client: every check
// holds, and almost every operation completes (each lane waits for its own
// reply; a command a server saw out of order is the rare one that times
// out). Raft's swarm runs, which draw calls in flight, pass too.
func TestClientsWithCallsInFlightPass(t *testing.T) {
	for _, name := range []string{"paxos-calm", "raft-calm", "pbkv-calm"} {
		s, err := library.Load(name)
		require.NoError(t, err)
		c := *s
		c.Workload.InFlight = 3
		for seed := uint64(1); seed <= 2; seed++ {
			o, err := scenarios.Run(&c, seed, scenarios.RunOptions{})
			require.NoError(t, err)
			assert.True(t, o.Passed, "%s seed %d: %v", name, seed, o.Checks)
			stat := map[string]float64{}
			for _, st := range o.Stats {
				stat[st.Name] = st.Value
			}
			ops, completed := stat["operations"], stat["operations completed"]
			require.Positive(t, ops, "%s reports its operations", name)
			assert.Greater(t, completed, 0.95*ops, "%s seed %d: %v of %v operations completed", name, seed, completed, ops)
		}
	}
	s, err := library.Load("raft-calm")
	require.NoError(t, err)
	for seed := uint64(1); seed <= 20; seed++ {
		o, err := scenarios.Run(s, seed, scenarios.RunOptions{Swarm: true})
		require.NoError(t, err)
		assert.True(t, o.Passed, "raft-calm --swarm seed %d (%v): %v", seed, o.Swarm, o.Checks)
	}
}

// TestLibraryBoundsOnlyBoundTheSwarm checks that a library scenario's swarm
// block does not turn swarm testing on: without --swarm it runs its own mix.
func TestLibraryBoundsOnlyBoundTheSwarm(t *testing.T) {
	s, err := library.Load("paxos-nemesis")
	require.NoError(t, err)
	require.NotNil(t, s.Swarm)
	assert.True(t, s.Swarm.Off)
	o, err := scenarios.Run(s, 1, scenarios.RunOptions{})
	require.NoError(t, err)
	assert.Nil(t, o.Swarm)
	for seed := uint64(1); seed <= 20; seed++ {
		m := s.DrawSwarm(seed)
		assert.LessOrEqual(t, m.Drop, 0.1)
		assert.LessOrEqual(t, m.Duplicate, 0.1)
		assert.LessOrEqual(t, m.Tail, 1.0)
	}
}
