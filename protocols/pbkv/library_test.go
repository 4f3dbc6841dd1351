package pbkv_test

import (
	"flag"
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/pbkv"
	"github.com/dsimlab/dsim/scenarios"
)

var sweep = flag.Int("sweep", 0, "seeds per library scenario in TestLibrarySweep (0: a small default)")

// libraryScenarios are the pbkv scenarios of the built-in library.
var libraryScenarios = []string{"pbkv-calm", "pbkv-primary-crash", "pbkv-backup-crash", "pbkv-partition", "pbkv-nemesis", "pbkv-clock-skew"}

// load loads a pbkv library scenario against a protocol table of its own,
// so these tests do not depend on the library's table, and sets params
// over the file's.
func load(t testing.TB, name string, params map[string]any) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Load(filepath.Join("..", "..", "scenarios", "library", name+".yaml"),
		[]protocols.Protocol{pbkv.Protocol()})
	require.NoError(t, err)
	for _, k := range slices.Sorted(maps.Keys(params)) {
		s = s.WithParam(k, params[k])
	}
	return s
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

func TestLibrarySweep(t *testing.T) {
	seeds := *sweep
	if seeds == 0 {
		seeds = 20
	}
	for _, name := range libraryScenarios {
		t.Run(name, func(t *testing.T) {
			s := load(t, name, nil)
			for seed := uint64(1); seed <= uint64(seeds); seed++ {
				o, err := scenarios.Run(s, seed, scenarios.RunOptions{})
				require.NoError(t, err)
				if !o.Passed {
					t.Fatalf("seed %d: %v\nreplay: dsim run %s --seed %d", seed, failures(o), name, seed)
				}
				if seed == 1 {
					t.Logf("%s seed 1: %d events, %v, stats %v", name, o.Events, o.SimTime, o.Stats)
				}
			}
		})
	}
}

// TestPrimaryThatServedAnUnacknowledgedViewComesBack replays a swarm
// failure of the view service, shrunk: the primary of a view with no
// backup served it (and acknowledged a write) before its acknowledgement
// reached the view service, which crashed; when both restart, the service
// must re-admit that primary, not the primary of the last view it saw
// acknowledged, which lacks the write.
func TestPrimaryThatServedAnUnacknowledgedViewComesBack(t *testing.T) {
	s, err := scenarios.Load(filepath.Join("testdata", "primary-served-unacked-view.yaml"), []protocols.Protocol{pbkv.Protocol()})
	require.NoError(t, err)
	o, err := scenarios.Run(s, 898, scenarios.RunOptions{})
	require.NoError(t, err)
	require.Empty(t, failures(o), "the acknowledged put survives the restarts")
}
