package snapshot_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/snapshot"
	"github.com/dsimlab/dsim/scenarios"
)

// libraryScenarios are the snapshot scenarios of the built-in library.
var libraryScenarios = []string{"snapshot-calm", "snapshot-crashes", "snapshot-lossy", "snapshot-domino"}

// load loads a snapshot library scenario against a protocol table of its
// own (so these tests do not depend on the library's table), with the
// given variant and the file's other parameters.
func load(t testing.TB, name string, variant snapshot.Variant) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Load(filepath.Join("..", "..", "scenarios", "library", name+".yaml"),
		[]protocols.Protocol{snapshot.Protocol()})
	require.NoError(t, err)
	s = s.WithParam("variant", string(variant))
	return s
}

// run runs s with seed.
func run(t testing.TB, s *scenarios.Scenario, seed uint64) *scenarios.Outcome {
	t.Helper()
	o, err := scenarios.Run(s, seed, scenarios.RunOptions{})
	require.NoError(t, err)
	return o
}

// failures returns the checks of o that did not hold, as text.
func failures(o *scenarios.Outcome) []string {
	var bad []string
	for _, c := range o.Checks {
		if c.Verdict != checker.Holds {
			bad = append(bad, c.String())
		}
	}
	return bad
}

// safetyViolations returns the safety checks of o that were violated.
func safetyViolations(o *scenarios.Outcome) []string {
	var bad []string
	for _, c := range o.Checks {
		if c.Kind == checker.Safety && c.Verdict == checker.Violated {
			bad = append(bad, c.String())
		}
	}
	return bad
}

// stat returns the value of the statistic called name.
func stat(t testing.TB, o *scenarios.Outcome, name string) float64 {
	t.Helper()
	for _, s := range o.Stats {
		if s.Name == name {
			return s.Value
		}
	}
	t.Fatalf("no statistic %q", name)
	return 0
}
