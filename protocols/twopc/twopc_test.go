package twopc

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/scenarios"
)

// seeds returns how many seeds a sweep test runs: its default, or -sweep.
func seeds(def int) int {
	if *sweep > 0 {
		return *sweep
	}
	return def
}

// verdicts maps a check's name to its verdict in o.
func verdicts(o *scenarios.Outcome) map[string]checker.Verdict {
	m := map[string]checker.Verdict{}
	for _, c := range o.Checks {
		m[c.Check] = c.Verdict
	}
	return m
}

// TestLibraryScenariosPass sweeps every library scenario of the correct
// protocols: all checks hold on every seed, except where a scenario shows a
// weakness by design. Use -sweep=10000 for the full sweep.
func TestLibraryScenariosPass(t *testing.T) {
	for _, name := range []string{"twopc-calm", "twopc-lossy", "twopc-participant-crash", "twopc-coordinator-crash",
		"twopc-partition", "twopc-nemesis", "threepc-calm", "threepc-coordinator-crash"} {
		t.Run(name, func(t *testing.T) {
			s := load(t, name, nil)
			n := seeds(150)
			for seed := uint64(1); seed <= uint64(n); seed++ {
				o := run(t, s, seed)
				require.True(t, o.Passed, describe(o))
				assert.Len(t, o.Checks, 3)
			}
		})
	}
}

// TestBlockingIsReported: with the coordinator gone for good after the
// votes, 2PC stays safe but blocks, and the termination check says which
// transactions, where, and why; 3PC, in the same situation, terminates.
func TestBlockingIsReported(t *testing.T) {
	twoPC := load(t, "twopc-blocking", nil)
	threePC := load(t, "threepc-coordinator-crash", nil)
	n := seeds(60)
	blocked := 0
	for seed := uint64(1); seed <= uint64(n); seed++ {
		o := run(t, twoPC, seed)
		v := verdicts(o)
		require.Equal(t, checker.Holds, v[checker.AtomicityCheck], describe(o))
		require.Equal(t, checker.Holds, v[checker.IsolationCheck], describe(o))
		if v[checker.TerminationCheck] == checker.Violated {
			blocked++
			term := o.Checks[2]
			assert.NotEmpty(t, term.Offending)
			assert.Contains(t, term.Detail, "the coordinator coord is down (crashed at 200ms) and every participant voted yes, so none may decide alone", describe(o))
		}
		o3 := run(t, threePC, seed)
		require.True(t, o3.Passed, describe(o3))
	}
	// A few seeds have no transaction with every vote yes in flight when
	// the coordinator crashes; nearly all do.
	assert.GreaterOrEqual(t, blocked, n*9/10, "2PC blocked in %d of %d seeds", blocked, n)
	t.Logf("2PC blocked in %d of %d seeds; 3PC terminated in all", blocked, n)
}

// zoo lists each bug variant, the library scenario that catches it, the
// seed budget of the sweep, and the check that must catch it.
var zoo = []struct {
	variant  Variant
	scenario string
	budget   int
	check    string
	detail   string // a regular expression the check's detail matches
}{
	{EarlyCommit, "twopc-calm", 20, checker.AtomicityCheck, `decided commit at \S+ (before n\d voted|although n\d voted no)`},
	{NoPrepareSync, "twopc-participant-crash", 40, checker.AtomicityCheck, `applied commit at \S+ without its prepared state`},
	{AnnounceBeforeLog, "twopc-coordinator-crash", 40, checker.AtomicityCheck, `coord decided commit at \S+, then decided abort at \S+: a decision changed`},
	{UnilateralAbort, "twopc-partition", 40, checker.AtomicityCheck, `coord decided commit at \S+ but n\d applied abort`},
	{EarlyRelease, "twopc-calm", 20, checker.IsolationCheck, `not strictly serializable: no order of the \d+ transactions explains what c\d-\d+ read`},
}

// TestBugZoo sweeps each variant's scenario within its seed budget: the
// variant is caught, by the right check, and the correct protocol passes
// the very same seeds.
func TestBugZoo(t *testing.T) {
	require.Len(t, zoo, len(Variants())-1, "every wrong variant is in the zoo")
	for _, z := range zoo {
		t.Run(string(z.variant), func(t *testing.T) {
			buggy := load(t, z.scenario, map[string]string{"variant": string(z.variant)})
			correct := load(t, z.scenario, map[string]string{"variant": string(Correct)})
			budget := max(z.budget, seeds(0))
			first, caught := 0, 0
			for seed := 1; seed <= budget; seed++ {
				o := run(t, buggy, uint64(seed))
				if o.Passed {
					continue
				}
				caught++
				if first == 0 {
					first = seed
					var hit *checker.Result
					for i := range o.Checks {
						if o.Checks[i].Check == z.check && o.Checks[i].Verdict == checker.Violated {
							hit = &o.Checks[i]
						}
					}
					require.NotNil(t, hit, "caught by the wrong check: %s", describe(o))
					assert.Regexp(t, z.detail, hit.Detail)
					assert.NotEmpty(t, hit.Offending)
				}
				if *sweep == 0 {
					break
				}
			}
			require.NotZero(t, first, "%s not caught in %d seeds of %s", z.variant, budget, z.scenario)
			for seed := 1; seed <= budget; seed++ {
				o := run(t, correct, uint64(seed))
				require.True(t, o.Passed, describe(o))
			}
			msg := fmt.Sprintf("%s: first caught by %s at seed %d of %s", z.variant, z.check, first, z.scenario)
			if *sweep > 0 {
				msg += fmt.Sprintf("; caught in %d of %d seeds", caught, budget)
			}
			t.Log(msg)
		})
	}
}

// anomalySeed is the seed of threepc-partition-anomaly that shows 3PC
// breaking atomicity under a partition; the scenario's description names it.
const anomalySeed = 1

// TestThreePhasePartitionAnomaly replays the named seed: 3PC commits on
// one side of the partition and aborts on the other. Two-phase commit, run
// through the same faults and seed, stays atomic: it blocks instead.
func TestThreePhasePartitionAnomaly(t *testing.T) {
	s := load(t, "threepc-partition-anomaly", nil)
	assert.Contains(t, s.Description, fmt.Sprintf("Seed %d reproduces it", anomalySeed))
	o := run(t, s, anomalySeed)
	v := verdicts(o)
	require.Equal(t, checker.Violated, v[checker.AtomicityCheck], describe(o))
	detail := o.Checks[0].Detail
	assert.Contains(t, detail, "coord decided commit")
	assert.Regexp(t, `n[23] (decided|applied) abort`, detail)

	again := run(t, s, anomalySeed)
	assert.Equal(t, o.Fingerprint, again.Fingerprint, "the seed replays exactly")

	data, err := withParams(mustRead(t, "threepc-partition-anomaly"), nil)
	require.NoError(t, err)
	two, err := scenarios.Parse("twopc-under-3pc-faults.yaml",
		[]byte(strings.Replace(string(data), "protocol: threepc", "protocol: twopc", 1)), table())
	require.NoError(t, err)
	for seed := uint64(1); seed <= uint64(seeds(20)); seed++ {
		o := run(t, two, seed)
		v := verdicts(o)
		require.Equal(t, checker.Holds, v[checker.AtomicityCheck], describe(o))
		require.Equal(t, checker.Holds, v[checker.IsolationCheck], describe(o))
	}
}

// crashOnly is a 3PC scenario with crashes only and timely messages, where
// 3PC must be safe.
const crashOnly = `
name: threepc-crash-only
description: a nemesis that only crashes the coordinator and participants
protocol: threepc
nodes: 3
clients: 3
network:
  latency: {kind: uniform, min: 1ms, max: 5ms}
workload:
  ops: 60
  keys: 6
  mix: {get: 0.5, put: 0.5}
  think: 30ms
duration: 4s
nemesis:
  kinds: [crash]
  start: 50ms
  stop: 1500ms
  interval: 100ms
  duration: 100ms
`

// TestThreePhaseCrashesOnly: under crashes alone 3PC is atomic and
// serializable; it blocks only after a total failure, and says so.
func TestThreePhaseCrashesOnly(t *testing.T) {
	s, err := scenarios.Parse("crash-only.yaml", []byte(crashOnly), table())
	require.NoError(t, err)
	for seed := uint64(1); seed <= uint64(seeds(100)); seed++ {
		o := run(t, s, seed)
		v := verdicts(o)
		require.Equal(t, checker.Holds, v[checker.AtomicityCheck], describe(o))
		require.Equal(t, checker.Holds, v[checker.IsolationCheck], describe(o))
		if v[checker.TerminationCheck] != checker.Holds {
			assert.Contains(t, o.Checks[2].Detail, "total failure", describe(o))
		}
	}
}

// TestDeterminism: every library scenario of the package gives the same
// run for the same seed, with or without a recorded trace, and another run
// for another seed.
func TestDeterminism(t *testing.T) {
	var names []string
	for _, pattern := range []string{"twopc-*.yaml", "threepc-*.yaml"} {
		files, err := filepath.Glob(filepath.Join(*libraryDir, pattern))
		require.NoError(t, err)
		for _, f := range files {
			names = append(names, strings.TrimSuffix(filepath.Base(f), ".yaml"))
		}
	}
	require.Len(t, names, 12)
	for _, name := range names {
		s := load(t, name, nil)
		assert.Equal(t, name, s.Name, "a library file's name field matches its file name")
		a := run(t, s, 42)
		b, err := scenarios.Run(s, 42, scenarios.RunOptions{Trace: true})
		require.NoError(t, err)
		assert.Equal(t, a.Fingerprint, b.Fingerprint, name)
		assert.Equal(t, a.Checks, b.Checks, name)
		assert.Equal(t, a.Stats, b.Stats, name)
		c := run(t, s, 43)
		assert.NotEqual(t, a.Fingerprint, c.Fingerprint, name)
	}
}

func TestSetupErrors(t *testing.T) {
	_, err := scenarios.Parse("bad.yaml", []byte(strings.Replace(crashOnly, "nodes: 3", "nodes: 0", 1)), table())
	require.Error(t, err)
	_, err = scenarios.Parse("bad.yaml", []byte(strings.Replace(crashOnly, "protocol: threepc", "protocol: threepc\nparams: {variant: early-commit}", 1)), table())
	require.ErrorContains(t, err, "variant", "three-phase commit has no bug zoo")
	cfg := DefaultConfig(0, nil)
	require.ErrorIs(t, cfg.Validate(), ErrConfig)
}

// TestProtocolOfRunsOnesOwnNodes runs twopc-nemesis with ProtocolOf and
// this package's nodes as one's own: the same run, event for event, with
// the same verdicts; and ProtocolOf has no variant.
func TestProtocolOfRunsOnesOwnNodes(t *testing.T) {
	own := ProtocolOf("twopc-own", NewCoordinator, NewParticipant)
	for _, p := range own.Params {
		assert.NotEqual(t, "variant", p.Name)
	}
	s := load(t, "twopc-nemesis", nil)
	want := run(t, s, 3)
	s.Protocol = &own
	got := run(t, s, 3)
	assert.True(t, got.Passed, describe(got))
	assert.Equal(t, want.Fingerprint, got.Fingerprint)
	assert.Equal(t, verdicts(want), verdicts(got))
}

// Compile-time check: the termination check asks participants what they
// hold in doubt.
var _ InDoubter = (*Participant)(nil)
