package raft_test

import (
	"cmp"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/dsimtest"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/raft"
	"github.com/dsimlab/dsim/scenarios"
)

var sweep = flag.Int("sweep", 0, "seeds per library scenario in TestLibrarySweep (0: a small default)")

// libraryScenarios are the Raft scenarios of the built-in library.
var libraryScenarios = []string{"raft-calm", "raft-lossy", "raft-leader-crash", "raft-partition",
	"raft-nemesis", "raft-figure8", "raft-snapshot", "raft-vote-restart"}

// load loads a Raft library scenario against a protocol table of its own,
// so these tests do not depend on the library's table.
func load(tb testing.TB, name string, variant raft.Variant) *scenarios.Scenario {
	tb.Helper()
	s, err := scenarios.Load(filepath.Join("..", "..", "scenarios", "library", name+".yaml"),
		[]protocols.Protocol{raft.Protocol()})
	require.NoError(tb, err)
	if variant != raft.Correct {
		s = s.WithParam("variant", string(variant))
	}
	return s
}

// failures returns the checks of o that did not hold, as text.
func failures(o *scenarios.Outcome) []string {
	if o == nil {
		return nil
	}
	var bad []string
	for _, c := range o.Checks {
		if c.Verdict != checker.Holds {
			bad = append(bad, c.String())
		}
	}
	return bad
}

// TestLibrarySweep runs the correct protocol on every Raft library
// scenario for a range of seeds (-sweep N; 3 by default) and asserts that
// every check, safety and liveness, holds on every seed.
func TestLibrarySweep(t *testing.T) {
	seeds := fmt.Sprintf("1-%d", cmp.Or(*sweep, 3))
	for _, name := range libraryScenarios {
		t.Run(name, func(t *testing.T) { dsimtest.Sweep(t, load(t, name, raft.Correct), seeds) })
	}
}

// A failed linearizability check keeps porcupine's visualization; the
// Raft checks of the same run still hold, since stale reads break no rule
// of the log.
func TestViolationReport(t *testing.T) {
	s := load(t, "raft-calm", raft.FollowerReads)
	o, err := scenarios.Run(s, 1, scenarios.RunOptions{})
	require.NoError(t, err)
	require.False(t, o.Passed)
	require.Len(t, o.Checks, 6)
	lin := o.Checks[0]
	require.Equal(t, checker.LinearizabilityCheck, lin.Check)
	require.Equal(t, checker.Violated, lin.Verdict)
	require.NotEmpty(t, lin.Offending)
	require.NotNil(t, o.Visualization)
	var html strings.Builder
	require.NoError(t, o.Visualization(&html))
	require.Contains(t, html.String(), "<html")
	for _, c := range o.Checks[1:] {
		require.Equal(t, checker.Holds, c.Verdict, c.String())
	}
}

func TestProtocolDescription(t *testing.T) {
	p := raft.Protocol()
	require.Equal(t, "raft", p.Name)
	var names []string
	for _, c := range p.Checks {
		names = append(names, c.Name)
		require.True(t, c.Default, c.Name)
	}
	require.Equal(t, []string{checker.LinearizabilityCheck, raft.ElectionSafetyCheck, raft.LogMatchingCheck,
		raft.LeaderCompletenessCheck, raft.StateMachineSafetyCheck, raft.LivenessCheck}, names)
	var variants []string
	for _, v := range raft.Variants {
		variants = append(variants, string(v))
	}
	require.Equal(t, variants, p.Params[0].Choices)

	s := load(t, "raft-snapshot", raft.Correct)
	w, inst, _, err := scenarios.Build(s, 1, false)
	require.NoError(t, err)
	require.Len(t, inst.Servers(), 5)
	require.Equal(t, "n1", w.Name(inst.Servers()[0]))
	require.Equal(t, 50, inst.(*raft.Cluster).Config().SnapshotEvery, "the scenario's parameters reach the cluster")

	_, err = raft.ParseVariant("sloppy")
	require.Error(t, err)
}

// Log compaction happens in raft-snapshot, and a server cut off while the
// others compact catches up from a snapshot.
func TestSnapshotScenarioCompacts(t *testing.T) {
	o, err := scenarios.Run(load(t, "raft-snapshot", raft.Correct), 1, scenarios.RunOptions{})
	require.NoError(t, err)
	require.True(t, o.Passed, "%v", failures(o))
	stats := map[string]float64{}
	for _, s := range o.Stats {
		stats[s.Name] = s.Value
	}
	require.Greater(t, stats["snapshots taken"], 20.0)
	require.Positive(t, stats["snapshots installed"])
}

// TestProtocolOfRunsOnesOwnServers runs raft-nemesis with ProtocolOf and
// this package's servers (NewServer) as one's own: the same run, event for
// event, as the protocol itself; and ProtocolOf has no variant.
func TestProtocolOfRunsOnesOwnServers(t *testing.T) {
	own := raft.ProtocolOf("raft-own", raft.NewServer)
	assert.Equal(t, "raft-own", own.Name)
	for _, p := range own.Params {
		assert.NotEqual(t, "variant", p.Name)
	}
	s := load(t, "raft-nemesis", raft.Correct)
	want, err := scenarios.Run(s, 3, scenarios.RunOptions{})
	require.NoError(t, err)
	s.Protocol = &own
	got, err := scenarios.Run(s, 3, scenarios.RunOptions{})
	require.NoError(t, err)
	assert.True(t, got.Passed, "%v", failures(got))
	assert.Equal(t, want.Fingerprint, got.Fingerprint)
}
