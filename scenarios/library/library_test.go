package library_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/scenarios/library"
)

var update = flag.Bool("update", false, "rewrite testdata/fingerprints.golden")

// TestLibraryGoldenFingerprints runs seed 1 of every built-in scenario, twice,
// and compares the fingerprints with testdata/fingerprints.golden. A
// deliberate change to the kernel or a protocol rewrites the file with
// `go test ./scenarios/library -run Golden -update`; the diff is reviewed
// like code.
func TestLibraryGoldenFingerprints(t *testing.T) {
	names := library.Names()
	require.NotEmpty(t, names)
	var b strings.Builder
	for _, name := range names {
		s, err := library.Load(name)
		require.NoError(t, err, name)
		first, err := scenarios.Run(s, 1, scenarios.RunOptions{})
		require.NoError(t, err, name)
		second, err := scenarios.Run(s, 1, scenarios.RunOptions{Trace: true})
		require.NoError(t, err, name)
		assert.Equal(t, first.Fingerprint, second.Fingerprint, "%s: same seed, same run (trace recording must not change it)", name)
		fmt.Fprintf(&b, "%s seed 1: fingerprint %s events %d passed %v\n", name, first.Fingerprint, first.Events, first.Passed)
	}
	path := filepath.Join("testdata", "fingerprints.golden")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update to create it")
	assert.Equal(t, string(want), b.String())
}

func TestEveryProtocolHasALibraryScenario(t *testing.T) {
	used := map[string]bool{}
	for _, name := range library.Names() {
		s, err := library.Load(name)
		require.NoError(t, err)
		used[s.Protocol.Name] = true
		assert.Equal(t, name, s.Name, "a library file's name field matches its file name")
		assert.NotEmpty(t, s.Description, name)
	}
	for _, p := range library.Protocols() {
		assert.True(t, used[p.Name], "protocol %s has no library scenario", p.Name)
	}
}

func TestLoadByNameAndPath(t *testing.T) {
	byName, err := library.Load("echo-calm")
	require.NoError(t, err)
	byPath, err := library.Load(filepath.Join(".", "echo-calm.yaml"))
	require.NoError(t, err)
	assert.Equal(t, byName.Name, byPath.Name)

	_, err = library.Load("no-such-scenario")
	assert.ErrorIs(t, err, library.ErrUnknown)
	_, err = library.Load("missing/file.yaml")
	assert.ErrorIs(t, err, library.ErrUnknown)
}
