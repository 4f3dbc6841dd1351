package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	twopclab "github.com/dsimlab/dsim/labs/twopc"
	"github.com/dsimlab/dsim/protocols"
)

func TestLabList(t *testing.T) {
	out, stderr, status := dsim(t, Config{}, "lab", "list")
	require.Equal(t, 0, status, stderr)
	for _, want := range []string{"raft  election, replication, persistence  100", "twopc  commit, recovery", "paxos  acceptor, leader, replica"} {
		assert.Contains(t, strings.Join(strings.Fields(out), " "), strings.Join(strings.Fields(want), " "))
	}
	out, stderr, status = dsim(t, Config{}, "lab", "list", "raft")
	require.Equal(t, 0, status, stderr)
	assert.Regexp(t, `election\s+election.go\s+terms, votes`, out)
	assert.Regexp(t, `search\s+election-search\s+election\s+10\s+raft-calm\s+1-1`, out)
	assert.Regexp(t, `total\s+100`, out)
	_, stderr, status = dsim(t, Config{}, "lab", "list", "bogus")
	assert.Equal(t, 2, status)
	assert.Contains(t, stderr, `no lab "bogus"`)
}

func TestLabInit(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "mylab")
	out, stderr, status := dsim(t, Config{}, "lab", "init", "twopc", dir, "--dsim", "..")
	require.Equal(t, 0, status, stderr)
	assert.Contains(t, out, "wrote lab twopc in "+dir+": README.md cmd/twopclab/main.go coordinator.go")
	assert.Contains(t, out, "go run ./cmd/twopclab lab test")
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	require.NoError(t, err)
	assert.Contains(t, string(mod), "replace github.com/dsimlab/dsim => "+root+"\n")

	_, stderr, status = dsim(t, Config{}, "lab", "init", "twopc", dir, "--dsim", "..")
	assert.Equal(t, 2, status)
	assert.Contains(t, stderr, "not empty")
	_, stderr, status = dsim(t, Config{}, "lab", "init", "twopc", t.TempDir())
	assert.Equal(t, 2, status, "a test binary is not a published dsim")
	assert.Contains(t, stderr, "give --dsim")
	_, stderr, status = dsim(t, Config{}, "lab", "init", "twopc", t.TempDir(), "--dsim", t.TempDir())
	assert.Equal(t, 2, status)
	assert.Contains(t, stderr, "not a checkout of dsim")
}

// TestLabTestGradesAVariant grades a bug-zoo variant of dsim's own 2PC:
// exit status 1, the failing run saved with a replay command that fails
// the same way and an HTML report; the correct protocol passes.
func TestLabTestGradesAVariant(t *testing.T) {
	dir := t.TempDir()
	out, stderr, status := dsim(t, Config{}, "lab", "test", "twopc", "--variant", "early-commit", "--tier", "run",
		"--out", dir)
	require.Equal(t, 1, status, stderr)
	assert.Contains(t, out, "grading twopc, variant early-commit\n")
	assert.Regexp(t, `FAIL commit-calm\s+0/10`, out)
	replay := "dsim run " + filepath.Join(dir, "commit-calm.yaml") + " --seed 1"
	assert.Contains(t, out, "replay: "+replay+"\n")
	report := filepath.Join(dir, "commit-calm-seed-1.html")
	assert.Contains(t, out, "report: "+report+"\n")
	assert.Contains(t, out, "\nscore: 0/20 (run 0/20)\n")
	html, err := os.ReadFile(report)
	require.NoError(t, err)
	assert.Contains(t, string(html), "<svg")

	run, stderr, status := dsim(t, Config{}, strings.Fields(replay)[1:]...)
	require.Equal(t, 1, status, stderr)
	assert.Regexp(t, `atomicity\s+VIOLATED`, run)

	out, stderr, status = dsim(t, Config{}, "lab", "test", "twopc", "--tier", "run", "--out", dir)
	require.Equal(t, 0, status, stderr)
	assert.Contains(t, out, "\nscore: 20/20 (run 20/20)\n")
}

// TestLabTestInALabsCommand grades the student's protocol in a lab's own
// command; a search's counterexample is saved with its path.
func TestLabTestInALabsCommand(t *testing.T) {
	cfg := Config{Name: "go run ./cmd/twopclab", Lab: "twopc", Protocols: []protocols.Protocol{twopclab.Protocol()}}
	out, stderr, status := dsim(t, cfg, "lab", "test", "--tier", "search", "--out", "")
	require.Equal(t, 0, status, stderr)
	assert.Contains(t, out, "grading twopc-lab\n")
	assert.Contains(t, out, "\nscore: 30/30 (search 30/30)\n")

	_, stderr, status = dsim(t, cfg, "lab", "test", "--variant", "early-commit")
	assert.Equal(t, 2, status)
	assert.Contains(t, stderr, "grades lab twopc, its own code")
}

func TestLabTestSavesASearchsPath(t *testing.T) {
	dir := t.TempDir()
	out, stderr, status := dsim(t, Config{}, "lab", "test", "twopc", "--variant", "early-commit", "--test", "search-commit",
		"--out", dir)
	require.Equal(t, 1, status, stderr)
	path := filepath.Join(dir, "search-commit.path")
	assert.Contains(t, out, "replay: dsim run --path "+path+"\n")
	assert.FileExists(t, filepath.Join(dir, "search-commit-seed-1.html"))
	run, stderr, status := dsim(t, Config{}, "run", "--path", path)
	require.Equal(t, 1, status, stderr)
	assert.Regexp(t, `atomicity\s+VIOLATED`, run)
}

func TestLabTestRefusesBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"lab", "test", "bogus"}, `no lab "bogus"`},
		{[]string{"lab", "test", "twopc", "--variant", "bogus"}, `twopc has no variant "bogus"`},
		{[]string{"lab", "test", "twopc", "--tier", "fast"}, `unknown tier "fast"`},
		{[]string{"lab", "test", "twopc", "--part", "nothing"}, "no test is selected"},
		{[]string{"lab", "test", "--variant", "early-commit"}, "give the LAB"},
		{[]string{"lab", "test", "--dir", "."}, "is not a lab module"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, stderr, status := dsim(t, Config{}, tc.args...)
			assert.Equal(t, 2, status)
			assert.Contains(t, stderr, tc.want)
		})
	}
}

// TestLabTestOfAModule grades a lab module the way a student does, from
// dsim: lab init, then lab test --dir, which builds the module's command
// and runs its lab test. The module is the 2PC reference, so it passes.
func TestLabTestOfAModule(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "mylab")
	_, stderr, status := dsim(t, Config{}, "lab", "init", "twopc", dir, "--dsim", root, "--solution")
	require.Equal(t, 0, status, stderr)
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644))
	t.Setenv("GOPROXY", "off")
	t.Setenv("GOWORK", "off")
	out, stderr, status := dsim(t, Config{}, "lab", "test", "--dir", dir, "--tier", "run", "--out", "")
	require.Equal(t, 0, status, stderr)
	assert.Contains(t, out, "grading twopc-lab\n")
	assert.Contains(t, out, "\nscore: 20/20 (run 20/20)\n")
}
