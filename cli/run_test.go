package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
)

func TestRunPrintsVerdictsAndIsReproducible(t *testing.T) {
	dir := t.TempDir()
	trace, html := filepath.Join(dir, "t.jsonl"), filepath.Join(dir, "r.html")
	out, stderr, status := dsim(t, Config{}, "run", "echo-faults", "--seed", "3", "--trace", trace, "--html", html)
	require.Equal(t, 0, status, stderr)
	assert.Contains(t, out, "echo-faults")
	assert.Contains(t, out, "holds")
	assert.Contains(t, out, "replay       dsim run echo-faults --seed 3\n")
	again, _, _ := dsim(t, Config{}, "run", "echo-faults", "--seed", "3")
	assert.Equal(t, fingerprintLine(out), fingerprintLine(again), "same seed, same fingerprint")
	other, _, _ := dsim(t, Config{}, "run", "echo-faults", "--seed", "4")
	assert.NotEqual(t, fingerprintLine(out), fingerprintLine(other))

	data, err := os.ReadFile(trace)
	require.NoError(t, err)
	assert.Greater(t, bytes.Count(data, []byte("\n")), 1000)
	data, err = os.ReadFile(html)
	require.NoError(t, err)
	assert.Contains(t, string(data), "<svg")
	assert.Contains(t, string(data), "dsim run echo-faults --seed 3")
}

func fingerprintLine(out string) string {
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "fingerprint") {
			return line
		}
	}
	return ""
}

func TestRunJSON(t *testing.T) {
	out, _, status := dsim(t, Config{}, "run", "echo-calm", "--format", "json")
	require.Equal(t, 0, status)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	assert.Equal(t, "echo-calm", doc["scenario"])
	assert.Equal(t, true, doc["passed"])
	assert.Equal(t, "dsim run echo-calm --seed 1", doc["replay"])
}

func TestRunAFileByItsPath(t *testing.T) {
	file := writeTemp(t, t.TempDir(), "mine.yaml", librarySource(t, "echo-calm"))
	out, stderr, status := dsim(t, Config{}, "run", file, "--seed", "2")
	require.Equal(t, 0, status, stderr)
	assert.Contains(t, out, "replay       dsim run "+file+" --seed 2\n")
}

func TestRunFailsWithStatusOne(t *testing.T) {
	out, stderr, status := dsim(t, Config{}, "run", "twopc-blocking")
	assert.Equal(t, 1, status)
	assert.Contains(t, out, "VIOLATED")
	assert.Empty(t, stderr, "the report says what failed")
	_, _, status = dsim(t, Config{}, "run", "twopc-blocking", "--checks", "atomicity")
	assert.Equal(t, 0, status, "without the termination check, the blocking run passes")
}

func TestRunChecksSelectsChecksInTheOrderGiven(t *testing.T) {
	out, stderr, status := dsim(t, Config{}, "run", "paxos-calm", "--checks", "paxos-prefix,linearizability,paxos-prefix", "--format", "json")
	require.Equal(t, 0, status, stderr)
	var doc struct {
		Checks []struct{ Name string }
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Len(t, doc.Checks, 2, "a check named twice runs once")
	assert.Equal(t, "paxos-prefix", doc.Checks[0].Name)
	assert.Equal(t, "linearizability", doc.Checks[1].Name)
}

// TestRunHistoryIsWhatCheckReads runs Paxos scenarios with --history and
// checks the file with the check command: the same verdict as the run's own
// linearizability check, for a correct run with unknown outcomes and for a
// planted bug.
func TestRunHistoryIsWhatCheckReads(t *testing.T) {
	dir := t.TempDir()
	buggy := strings.Replace(librarySource(t, "paxos-calm"), "protocol: paxos\n",
		"protocol: paxos\nparams: {variant: follower-local-reads}\n", 1)
	for _, tc := range []struct {
		scenario string
		status   int    // of run and of check
		run      string // the run's linearizability line
		verdict  string // check's
	}{
		{"paxos-partition", 0, "linearizability  holds    linearizable: 1000 operations on 5 keys, 6 of them with unknown outcome",
			"holds: linearizable: 1000 operations on 5 keys, 6 of them with unknown outcome"},
		{writeTemp(t, dir, "local-reads.yaml", buggy), 1, "linearizability  VIOLATED  not linearizable",
			"violated: not linearizable"},
	} {
		t.Run(filepath.Base(tc.scenario), func(t *testing.T) {
			history := filepath.Join(dir, filepath.Base(tc.scenario)+".json")
			out, stderr, status := dsim(t, Config{}, "run", tc.scenario, "--history", history, "--checks", "linearizability")
			require.Equal(t, tc.status, status, stderr)
			assert.Contains(t, out, tc.run)
			out, stderr, status = dsim(t, Config{}, "check", history)
			assert.Equal(t, tc.status, status, stderr)
			assert.Contains(t, out, "linearizability (safety): "+tc.verdict)
		})
	}
}

func TestRunHistoryRefusesWhatCheckCannotRead(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct{ scenario, want string }{
		{"echo-calm", "--history %s: protocol echo: operation 0 (echo.Ping) is not a key-value or register operation; the check command reads only key-value and register histories"},
		{"twopc-calm", "protocol twopc: operation 0 (checker.TxnInput) is not a key-value or register operation"},
		{"detector-calm", "protocol detector: the run recorded no client operations; the check command reads only"},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			history := filepath.Join(dir, tc.scenario+".json")
			out, stderr, status := dsim(t, Config{}, "run", tc.scenario, "--history", history)
			assert.Equal(t, 2, status)
			assert.Empty(t, out, "no report for a run whose history was refused")
			assert.Contains(t, stderr, strings.Replace(tc.want, "%s", history, 1))
			assert.NoFileExists(t, history, "never a file check cannot read")
		})
	}
}

func TestHistoryModel(t *testing.T) {
	kv := checker.Operation{Input: checker.KVInput{Op: checker.KVGet, Key: "a"}}
	reg := checker.Operation{Input: checker.RegisterInput{Op: checker.RegisterRead}}
	for _, tc := range []struct {
		name string
		ops  []checker.Operation
		want string // model, or the error's text
	}{
		{"kv", []checker.Operation{kv, kv}, "kv"},
		{"register", []checker.Operation{reg}, "register"},
		{"none", nil, "the run recorded no client operations"},
		{"mixed", []checker.Operation{reg, kv}, "operation 1 is a kv operation after register ones"},
		{"other", []checker.Operation{kv, {Input: "ping"}}, "operation 1 (string) is not a key-value or register operation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			model, err := historyModel(tc.ops)
			if err != nil {
				assert.ErrorIs(t, err, errNoHistory)
				assert.Contains(t, err.Error(), tc.want)
				return
			}
			assert.Equal(t, tc.want, model)
		})
	}
}

// TestRunReplaysAPath: run --path replays a path file's scenario, seed and
// steps, and refuses one that does not fit.
func TestRunReplaysAPath(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.json")
	write := func(text string) {
		require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	}
	write(`{"dsim_path": 1, "scenario": "echo-calm", "seed": 4, "steps": [{"after": 3, "action": "crash", "node": "server"}]}`)
	out, stderr, status := dsim(t, Config{}, "run", "--path", path, "--format", "json")
	require.Equal(t, 1, status, stderr)
	var doc struct {
		Seed   uint64 `json:"seed"`
		Passed bool   `json:"passed"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, uint64(4), doc.Seed)
	plain, _, _ := dsim(t, Config{}, "run", "echo-calm", "--seed", "4", "--format", "json")
	assert.NotEqual(t, fingerprintOf(t, plain), fingerprintOf(t, out), "the crash changed the run")
	again, _, _ := dsim(t, Config{}, "run", "echo-calm", "--path", path, "--format", "json")
	assert.Equal(t, fingerprintOf(t, out), fingerprintOf(t, again))

	_, stderr, status = dsim(t, Config{}, "run", "echo-faults", "--path", path)
	assert.Equal(t, 2, status)
	assert.Contains(t, stderr, "is a path of echo-calm, not of echo-faults")
	write(`{"dsim_path": 1, "scenario": "echo-calm", "seed": 4, "steps": [{"after": 3, "action": "drop", "event": 424242}]}`)
	_, stderr, status = dsim(t, Config{}, "run", "--path", path)
	assert.Equal(t, 2, status)
	assert.Contains(t, stderr, "path does not fit the run")
}

func fingerprintOf(t *testing.T, out string) string {
	t.Helper()
	var doc struct {
		Fingerprint string `json:"fingerprint"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	return doc.Fingerprint
}
