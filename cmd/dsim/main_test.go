package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// binary is the dsim command built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "dsim-e2e")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "dsim")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		panic("build dsim: " + err.Error() + "\n" + string(out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// dsim runs the built binary in dir and returns stdout, stderr and the exit
// status.
func dsim(t *testing.T, dir string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return stdout.String(), stderr.String(), code
}

func TestRunPrintsVerdictsAndIsReproducible(t *testing.T) {
	dir := t.TempDir()
	out, _, code := dsim(t, dir, "run", "echo-faults", "--seed", "3", "--trace", "t.jsonl", "--html", "r.html")
	require.Equal(t, 0, code, out)
	assert.Contains(t, out, "echo-faults")
	assert.Contains(t, out, "holds")
	again, _, _ := dsim(t, dir, "run", "echo-faults", "--seed", "3")
	assert.Equal(t, fingerprintLine(out), fingerprintLine(again), "same seed, same fingerprint")
	other, _, _ := dsim(t, dir, "run", "echo-faults", "--seed", "4")
	assert.NotEqual(t, fingerprintLine(out), fingerprintLine(other))

	trace, err := os.ReadFile(filepath.Join(dir, "t.jsonl"))
	require.NoError(t, err)
	assert.Greater(t, bytes.Count(trace, []byte("\n")), 1000)
	html, err := os.ReadFile(filepath.Join(dir, "r.html"))
	require.NoError(t, err)
	assert.Contains(t, string(html), "<svg")
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
	out, _, code := dsim(t, t.TempDir(), "run", "echo-calm", "--format", "json")
	require.Equal(t, 0, code)
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	assert.Equal(t, "echo-calm", doc["scenario"])
	assert.Equal(t, true, doc["passed"])
	assert.Len(t, doc["fingerprint"], 16)
}

func TestRunFromAFileAnywhere(t *testing.T) {
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("..", "..", "scenarios", "library", "echo-calm.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "mine.yaml"), src, 0o644))
	out, _, code := dsim(t, dir, "run", "mine.yaml", "--seed", "2")
	assert.Equal(t, 0, code, out)
}

func TestBadInputExitsTwoWithAClearMessage(t *testing.T) {
	dir := t.TempDir()
	bad := "name: bad\nprotocol: echo\nnodes: 1\nduration: 1s\nfaults:\n  - at: 5 s\n    crash: server\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(bad), 0o644))
	wrongNode := "name: wrong\nprotocol: echo\nnodes: 1\nduration: 1s\nfaults:\n  - at: 5ms\n    crash: n9\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "wrong.yaml"), []byte(wrongNode), 0o644))
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", "bad.yaml"}, `bad.yaml:6: faults[0].at: "5 s" is not a duration (want e.g. 5s, 250ms)`},
		{[]string{"run", "wrong.yaml"}, `wrong.yaml:6: faults[0].crash: no node named "n9"`},
		{[]string{"run", "no-such-scenario"}, `unknown scenario "no-such-scenario"`},
		{[]string{"run", "missing.yaml"}, "no such file"},
		{[]string{"run"}, "run takes a scenario name or file"},
		{[]string{"run", "echo-calm", "--seed", "minus"}, `invalid argument "minus" for "--seed"`},
		{[]string{"run", "echo-calm", "--format", "xml"}, `--format "xml": want text or json`},
		{[]string{"sweep", "echo-calm"}, "--seeds is required"},
		{[]string{"sweep", "echo-calm", "--seeds", "9-1"}, "the range is empty"},
		{[]string{"sweep", "echo-calm", "--seeds", "1-9", "--shard", "4/4"}, "want I/N with 0 <= I < N"},
		{[]string{"validate", "bad.yaml", "echo-calm"}, `bad.yaml:6: faults[0].at`},
		{[]string{"check", "missing.json"}, "no such file"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
	}
	for _, tt := range tests {
		_, stderr, code := dsim(t, dir, tt.args...)
		assert.Equal(t, 2, code, "dsim %v: %s", tt.args, stderr)
		assert.Contains(t, stderr, tt.want, "dsim %v", tt.args)
	}
}

func TestValidateAndList(t *testing.T) {
	out, _, code := dsim(t, t.TempDir(), "validate", "echo-calm", "echo-faults")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "echo-faults: ok")
	out, _, code = dsim(t, t.TempDir(), "list", "--verbose")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "echo-calm")
	assert.Contains(t, out, "param interval")
}

func TestSweepSummaryIsTheSameForAnyJobsAndShardsCoverTheRange(t *testing.T) {
	dir := t.TempDir()
	one, _, code := dsim(t, dir, "sweep", "echo-faults", "--seeds", "1-24", "--jobs", "1", "--format", "json")
	require.Equal(t, 0, code, one)
	four, _, code := dsim(t, dir, "sweep", "echo-faults", "--seeds", "1-24", "--jobs", "4", "--format", "json")
	require.Equal(t, 0, code)
	assert.Equal(t, stripWall(t, one), stripWall(t, four), "the summary does not depend on --jobs")

	runs := 0
	for i := 0; i < 3; i++ {
		out, _, code := dsim(t, dir, "sweep", "echo-faults", "--seeds", "1-24", "--shard", strconv.Itoa(i)+"/3", "--format", "json")
		require.Equal(t, 0, code)
		runs += int(stripWall(t, out)["runs"].(float64))
	}
	assert.Equal(t, 24, runs, "the shards add up to the whole range")

	text, _, _ := dsim(t, dir, "sweep", "echo-faults", "--seeds", "1-8")
	assert.Contains(t, text, "seeds/s")
}

// stripWall decodes a JSON summary and drops its wall-clock fields.
func stripWall(t *testing.T, out string) map[string]any {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	for k := range doc {
		if strings.Contains(k, "wall") || strings.Contains(k, "per_s") || strings.Contains(k, "elapsed") {
			delete(doc, k)
		}
	}
	return doc
}

func TestCheckExitStatuses(t *testing.T) {
	dir := t.TempDir()
	good := `{"version":1,"model":"register","operations":[
 {"client":0,"call":0,"return":10,"outcome":"ok","input":{"op":"write","value":"x"}},
 {"client":1,"call":20,"return":30,"outcome":"ok","input":{"op":"read"},"output":{"value":"x"}}]}`
	bad := strings.Replace(good, `"output":{"value":"x"}`, `"output":{"value":"y"}`, 1)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "good.json"), []byte(good), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.json"), []byte(bad), 0o644))
	out, stderr, code := dsim(t, dir, "check", "good.json")
	assert.Equal(t, 0, code, out+stderr)
	assert.Contains(t, out, "holds")
	out, _, code = dsim(t, dir, "check", "bad.json")
	assert.Equal(t, 1, code)
	assert.Contains(t, out, "violated")
	_, stderr, code = dsim(t, dir, "check", "good.json", "--model", "kv")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "is a register history")
}

func TestHelpTeachesEverySubcommand(t *testing.T) {
	for _, sub := range []string{"run", "sweep", "validate", "list", "check", "compare", "demo"} {
		out, _, code := dsim(t, t.TempDir(), sub, "--help")
		assert.Equal(t, 0, code)
		assert.Contains(t, out, "Examples:", "dsim %s --help shows an example", sub)
	}
}

func TestCompareTableAndPlots(t *testing.T) {
	dir := t.TempDir()
	out, stderr, code := dsim(t, dir, "compare", "lb-affinity", "--seeds", "1-2",
		"--balancers", "random,consistent-hash:maglev", "--png", "cmp.png")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "random")
	assert.Contains(t, out, "consistent-hash:maglev")
	for _, f := range []string{"cmp.png", "cmp-load.png", "cmp-moved.png"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err, f)
		assert.True(t, bytes.HasPrefix(data, []byte("\x89PNG")), "%s is a PNG", f)
	}
	js, _, code := dsim(t, dir, "compare", "lb-load-50", "--seeds", "1-2", "--balancers", "random,join-shortest-queue", "--format", "json")
	require.Equal(t, 0, code)
	var table struct {
		Rows []struct {
			Case string `json:"case"`
		} `json:"rows"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &table))
	require.Len(t, table.Rows, 2)
	assert.Equal(t, "join-shortest-queue", table.Rows[1].Case)

	_, stderr, code = dsim(t, dir, "compare", "echo-calm", "--seeds", "1-2")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "not an lb scenario")
	_, stderr, code = dsim(t, dir, "compare", "lb-load-50", "--seeds", "1-2", "--balancers", "telepathy")
	assert.Equal(t, 2, code, stderr)
}
