package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// variantFile writes a library scenario with its variant set, as a user
// would, and returns its path.
func variantFile(t *testing.T, dir, name, variant string) string {
	src := strings.Replace(librarySource(t, name), "params:\n", "params:\n  variant: "+variant+"\n", 1)
	return writeTemp(t, dir, name+"-"+variant+".yaml", src)
}

func TestExploreWritesACounterexampleThatReplays(t *testing.T) {
	dir := t.TempDir()
	scenario := variantFile(t, dir, "paxos-single", "quorum-floor")
	path, html := filepath.Join(dir, "cex.json"), filepath.Join(dir, "cex.html")
	out, stderr, status := dsim(t, Config{}, "explore", scenario, "--out", path, "--html", html)
	require.Equal(t, 1, status, stderr)
	assert.Contains(t, out, "VIOLATED: paxos-agreement after 2 steps")
	assert.Contains(t, out, "replay    dsim run --path "+path)
	assert.Contains(t, out, "replayed  fails paxos-agreement")
	data, err := os.ReadFile(html)
	require.NoError(t, err)
	assert.Contains(t, string(data), "<svg")

	run, stderr, status := dsim(t, Config{}, "run", "--path", path)
	require.Equal(t, 1, status, stderr)
	assert.Regexp(t, `paxos-agreement\s+VIOLATED`, run)
	assert.Regexp(t, `replay\s+dsim run --path `+regexp.QuoteMeta(path)+"\n", run, "the path is replayed, not the seed")

	js, _, status := dsim(t, Config{}, "explore", scenario, "--out", path, "--format", "json")
	require.Equal(t, 1, status)
	var doc struct {
		Version        int    `json:"dsim_explore"`
		Stopped        string `json:"stopped"`
		States         uint64 `json:"states"`
		Counterexample struct {
			File     string   `json:"path_file"`
			Replayed []string `json:"replayed_violations"`
		} `json:"counterexample"`
		Violation struct {
			Depth int `json:"depth"`
			Path  struct {
				Scenario string `json:"scenario"`
			} `json:"path"`
		} `json:"violation"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &doc), js)
	assert.Equal(t, 1, doc.Version)
	assert.Equal(t, "violation", doc.Stopped)
	assert.Equal(t, 2, doc.Violation.Depth)
	assert.Equal(t, scenario, doc.Violation.Path.Scenario, "the path names the scenario as typed")
	assert.Equal(t, path, doc.Counterexample.File)
	assert.Contains(t, doc.Counterexample.Replayed, "paxos-agreement")
}

func TestExploreExhaustsASmallSpace(t *testing.T) {
	t.Chdir(t.TempDir())
	out, stderr, status := dsim(t, Config{}, "explore", "twopc-explore", "--max-timers", "1")
	require.Equal(t, 0, status, stderr)
	assert.Contains(t, out, "EXHAUSTED")
	assert.Regexp(t, `states\s+\d+ explored, 82 unique`, out)
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	assert.Empty(t, entries, "no counterexample, no file")
}

func TestExploreDefaultPathFile(t *testing.T) {
	dir := t.TempDir()
	scenario := variantFile(t, dir, "paxos-single", "quorum-floor")
	t.Chdir(dir)
	out, _, status := dsim(t, Config{}, "explore", scenario, "--mode", "dfs", "--max-timers", "2", "--max-depth", "4")
	require.Equal(t, 1, status)
	assert.Contains(t, out, "path      explore-paxos-single-quorum-floor.path.json")
	_, err := os.Stat("explore-paxos-single-quorum-floor.path.json")
	require.NoError(t, err)
}

func TestExploreFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"explore", "paxos-single", "--mode", "sideways"}, "want bfs, dfs, random or pct"},
		{[]string{"explore", "paxos-single", "--max-crashes", "-1"}, "bounds must not be negative"},
		{[]string{"explore"}, "takes a scenario name or file"},
		{[]string{"explore", "paxos-single", "--checks", "nope"}, `has no check "nope"`},
	} {
		_, stderr, status := dsim(t, Config{}, tc.args...)
		assert.Equal(t, 2, status, "%v", tc.args)
		assert.Contains(t, stderr, tc.want, "%v", tc.args)
	}
	var got *exploreOptions
	cmd := newCmdExplore(&factory{name: "dsim"}, func(o *exploreOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"paxos-single", "--mode", "pct", "--runs", "7", "--pct-depth", "4", "--max-timers", "3",
		"--max-drops", "1", "--max-duplicates", "2", "--max-crashes", "1", "--max-depth", "30", "--budget", "1m", "--stateless"})
	require.NoError(t, cmd.Execute())
	assert.Equal(t, "pct", got.Mode)
	s := got.Search
	assert.Equal(t, []int{7, 4, 3, 1, 2, 1, 30}, []int{s.Runs, s.PCTDepth, s.MaxTimers, s.MaxDrops, s.MaxDuplicates, s.MaxCrashes, s.MaxDepth})
	assert.True(t, s.Stateless)
	assert.Equal(t, "1m0s", s.Budget.String())
	assert.Equal(t, uint64(1_000_000), s.MaxStates, "bounded by default")
}

func TestExploreProgressAndWalks(t *testing.T) {
	t.Chdir(t.TempDir())
	out, stderr, status := dsim(t, Config{}, "explore", "paxos-single", "--mode", "pct", "--runs", "20",
		"--max-timers", "2", "--progress-every", "1ns")
	require.Equal(t, 0, status, stderr)
	assert.Contains(t, out, "PCT walks (20, d=3, search seed 1), state hashing")
	assert.Contains(t, out, "no safety check failed in any walk")
	assert.Contains(t, stderr, "explore: ")
	assert.Contains(t, stderr, "states explored")
}
