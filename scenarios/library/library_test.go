package library_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/echo"
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

func TestCatalogWithAUsersProtocolAndScenarios(t *testing.T) {
	mine := echo.Protocol()
	mine.Name = "my-echo"
	fsys := fstest.MapFS{
		"mine-calm.yaml": {Data: []byte("name: mine-calm\ndescription: mine\nprotocol: my-echo\nnodes: 1\nclients: 1\nworkload: {ops: 5}\nduration: 1s\n")},
		"README.md":      {Data: []byte("not a scenario")},
	}
	c, err := library.Builtin().With([]protocols.Protocol{mine}, fsys, "scenarios")
	require.NoError(t, err)
	assert.Contains(t, c.Names(), "mine-calm")
	assert.Contains(t, c.Names(), "echo-calm", "the built-in scenarios stay")
	assert.NotContains(t, c.Names(), "README")
	_, ok := c.Protocol("my-echo")
	assert.True(t, ok)
	s, err := c.Load("mine-calm")
	require.NoError(t, err)
	assert.Equal(t, "scenarios/mine-calm.yaml", s.File)
	o, err := scenarios.Run(s, 1, scenarios.RunOptions{})
	require.NoError(t, err)
	assert.True(t, o.Passed)

	_, err = library.Load("mine-calm")
	assert.ErrorIs(t, err, library.ErrUnknown, "the built-in catalog is unchanged")
	_, err = library.Builtin().With([]protocols.Protocol{echo.Protocol()}, nil, "")
	assert.ErrorIs(t, err, library.ErrConflict, "a user's protocol cannot replace a built-in one")
	_, err = library.Builtin().With(nil, fstest.MapFS{"echo-calm.yaml": {Data: []byte("x")}}, "mine")
	assert.ErrorIs(t, err, library.ErrConflict)
	_, err = library.Builtin().With([]protocols.Protocol{{Name: "no-setup"}}, nil, "")
	assert.ErrorContains(t, err, "needs a Name and a Setup")
}
