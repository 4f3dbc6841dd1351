package debugger

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/scenarios/library"
)

// zooTwoPC and zooPaxos are bug-zoo runs that violate a check on seed 1.
const (
	zooTwoPC = "testdata/zoo-twopc-early-commit.yaml"
	zooPaxos = "testdata/zoo-paxos-follower-local-reads.yaml"
)

// load returns a Run of a scenario (a library name or a file) and seed.
func load(t testing.TB, name string, seed uint64) *Run {
	t.Helper()
	s, err := library.Load(name)
	require.NoError(t, err)
	return &Run{Scenario: s, Name: name, Seed: seed}
}
