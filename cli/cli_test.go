package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/echo"
)

// dsim runs the command for cfg in this process and returns its standard
// output, standard error and exit status.
func dsim(t *testing.T, cfg Config, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errOut bytes.Buffer
	status = Run(t.Context(), cfg, args, &out, &errOut)
	return out.String(), errOut.String(), status
}

// writeTemp writes a file into dir and returns its path.
func writeTemp(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
	return path
}

// librarySource returns a built-in scenario's YAML text.
func librarySource(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "scenarios", "library", name+".yaml"))
	require.NoError(t, err)
	return string(data)
}

// userConfig is a command of one's own: the echo protocol under another
// name, and one named scenario for it.
func userConfig(t *testing.T, name string) Config {
	t.Helper()
	p := echo.Protocol()
	p.Name = "myecho"
	src := strings.Replace(librarySource(t, "echo-calm"), "protocol: echo", "protocol: myecho", 1)
	src = strings.Replace(src, "name: echo-calm", "name: ping", 1)
	return Config{Name: name, Protocols: []protocols.Protocol{p},
		Scenarios: fstest.MapFS{"ping.yaml": {Data: []byte(src)}}, ScenarioDir: "testdata"}
}

func TestOwnCommandRunsItsProtocolAndNamesItselfInReplayLines(t *testing.T) {
	cfg := userConfig(t, "regsim")
	out, stderr, status := dsim(t, cfg, "run", "ping", "--seed", "4")
	require.Equal(t, 0, status, stderr)
	assert.Contains(t, out, "protocol     myecho\n")
	assert.Contains(t, out, "replay       regsim run ping --seed 4\n", "a catalog scenario is replayed by name")

	js, _, status := dsim(t, cfg, "run", "echo-calm", "--format", "json")
	require.Equal(t, 0, status, "the built-in scenarios are still there")
	var doc struct{ Replay string }
	require.NoError(t, json.Unmarshal([]byte(js), &doc))
	assert.Equal(t, "regsim run echo-calm --seed 1", doc.Replay)

	out, _, status = dsim(t, cfg, "list", "--verbose")
	require.Equal(t, 0, status)
	assert.Regexp(t, `(?m)^ping\s+myecho\s+Three clients`, out)
	assert.Regexp(t, `(?m)^myecho\s+`, out)
}

func TestOwnCommandNamesItselfInSweepReplayLinesAndHelp(t *testing.T) {
	cfg := Config{Name: "go run ./cmd/regsim"}
	dir := t.TempDir()
	file := writeTemp(t, dir, "blocking.yaml", librarySource(t, "twopc-blocking"))
	out, _, status := dsim(t, cfg, "sweep", file, "--seeds", "1-2", "--jobs", "2")
	assert.Equal(t, 1, status, "twopc-blocking fails by design")
	assert.Contains(t, out, "go run ./cmd/regsim run "+file+" --seed 1\n", "a file is replayed by its path as typed")
	assert.Contains(t, out, "go run ./cmd/regsim run "+file+" --seed 2\n")

	help, _, status := dsim(t, cfg, "run", "--help")
	require.Equal(t, 0, status)
	assert.Contains(t, help, "Usage:\n  go run ./cmd/regsim run SCENARIO [flags]")
	assert.Contains(t, help, "  go run ./cmd/regsim run echo-faults --seed 1\n")
	assert.NotContains(t, help, "dsim", "help names the user's command, never dsim")
}

func TestNameClashFailsAtStartUp(t *testing.T) {
	p := echo.Protocol()
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"built-in protocol", Config{Name: "mine", Protocols: []protocols.Protocol{p}}, `mine: protocol "echo": name taken`},
		{"built-in scenario", Config{Scenarios: fstest.MapFS{"echo-calm.yaml": {Data: []byte("name: x")}}},
			`dsim: scenario "echo-calm" in scenarios: name taken`},
		{"no setup", Config{Protocols: []protocols.Protocol{{Name: "half"}}}, `protocol "half": a protocol needs a Name and a Setup`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, status := dsim(t, tc.cfg, "list")
			assert.Equal(t, 2, status)
			assert.Contains(t, stderr, tc.want)
		})
	}
}

func TestBadInputExitsTwoWithAClearMessage(t *testing.T) {
	dir := t.TempDir()
	bad := writeTemp(t, dir, "bad.yaml", "name: bad\nprotocol: echo\nnodes: 1\nduration: 1s\nfaults:\n  - at: 5 s\n    crash: server\n")
	wrong := writeTemp(t, dir, "wrong.yaml", "name: wrong\nprotocol: echo\nnodes: 1\nduration: 1s\nfaults:\n  - at: 5ms\n    crash: n9\n")
	history := writeTemp(t, dir, "h.json", `{"version":1,"model":"register","operations":[{"client":0,"call":0,"return":1,"input":{"op":"read"},"output":{"value":""}}]}`)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"run", bad}, `bad.yaml:6: faults[0].at: "5 s" is not a duration (want e.g. 5s, 250ms)`},
		{[]string{"run", wrong}, `wrong.yaml:6: faults[0].crash: no node named "n9"`},
		{[]string{"run", "no-such-scenario"}, `unknown scenario "no-such-scenario"`},
		{[]string{"run", filepath.Join(dir, "missing.yaml")}, "no such file"},
		{[]string{"run"}, "run takes a scenario name or file (or --path FILE) (got 0 arguments); see dsim run --help"},
		{[]string{"run", "echo-calm", "--seed", "minus"}, `invalid argument "minus" for "--seed" flag`},
		{[]string{"run", "echo-calm", "--format", "xml"}, `invalid argument "xml" for "--format" flag: want text, json or junit (see dsim run --help)`},
		{[]string{"run", "echo-calm", "--budget", "soon"}, `invalid argument "soon" for "--budget" flag: "soon" is not a duration (want e.g. 30s, 2m)`},
		{[]string{"run", "echo-calm", "--checks", "echo,telepathy"}, `--checks: protocol echo has no check "telepathy" (want one of echo)`},
		{[]string{"run", "echo-calm", "--checks", ""}, `--checks: name at least one check of protocol echo (echo)`},
		{[]string{"run", "echo-calm", "--frobnicate"}, "unknown flag: --frobnicate (see dsim run --help)"},
		{[]string{"sweep", "echo-calm"}, "--seeds is required"},
		{[]string{"sweep", "echo-calm", "--seeds", "9-1"}, "the range is empty"},
		{[]string{"sweep", "echo-calm", "--seeds", "1-9", "--shard", "4/4"}, "want I/N with 0 <= I < N"},
		{[]string{"sweep", "echo-calm", "--seeds", "1-9", "--jobs", "0"}, "--jobs 0: want at least 1"},
		{[]string{"sweep", "echo-calm", "--seeds", "1-9", "--format", "yaml"}, `invalid argument "yaml" for "--format" flag`},
		{[]string{"validate", bad, "echo-calm"}, `bad.yaml:6: faults[0].at`},
		{[]string{"validate"}, "validate takes one or more scenario names or files; see dsim validate --help"},
		{[]string{"list", "telepathy"}, `unknown protocol "telepathy" (want one of detector, echo, lb,`},
		{[]string{"list", "echo", "lb"}, "list takes at most one protocol name (got 2 arguments)"},
		{[]string{"check", filepath.Join(dir, "missing.json")}, "no such file"},
		{[]string{"check", history, "--model", "kv"}, history + ": checker: bad history: model kv was asked for, but this is a register history"},
		{[]string{"check", history, "--budget", "-1s"}, `invalid argument "-1s" for "--budget" flag`},
		{[]string{"compare", "lb-load-50", "--seeds", "1-2", "--png", "a.png", "--svg", "a.svg"}, "--png and --svg: give one of them"},
		{[]string{"compare", "lb-load-50"}, "--seeds is required"},
		{[]string{"compare", "echo-calm", "--seeds", "1-2"}, "not an lb scenario"},
		{[]string{"compare", "lb-load-50", "--seeds", "1-2", "--balancers", "telepathy"}, "telepathy"},
		{[]string{"demo", "extra"}, `unknown command "extra" for "dsim demo"`},
		{[]string{"frobnicate"}, `unknown command "frobnicate" for "dsim"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, stderr, status := dsim(t, Config{}, tt.args...)
			assert.Equal(t, 2, status, "stdout: %s\nstderr: %s", out, stderr)
			assert.Contains(t, stderr, tt.want)
			assert.True(t, strings.HasPrefix(stderr, "dsim: ") || strings.Contains(stderr, "dsim: "), "errors name the command: %s", stderr)
		})
	}
}

func TestHelpTeachesEverySubcommand(t *testing.T) {
	root, err := New(Config{Name: "regsim"})
	require.NoError(t, err)
	var names []string
	for _, c := range root.Commands() {
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		names = append(names, c.Name())
		assert.NotEmpty(t, c.Long, "%s has Long help", c.Name())
		assert.Contains(t, c.Example, "  regsim "+c.Name(), "%s has examples naming the command", c.Name())
		assert.NotContains(t, c.Long+c.Example, "dsim", "%s's help names the user's command", c.Name())
	}
	assert.ElementsMatch(t, []string{"run", "sweep", "validate", "list", "check", "compare", "demo", "debug", "shrink", "diff", "merge", "fuzz", "explore", "lab"}, names)
	for _, sub := range names {
		out, _, status := dsim(t, Config{}, sub, "--help")
		assert.Equal(t, 0, status)
		assert.Contains(t, out, "Examples:\n  dsim "+sub, "dsim %s --help shows an example", sub)
	}
}

func TestCompletionScriptsAreWritten(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		out, stderr, status := dsim(t, Config{Name: "regsim"}, "completion", shell)
		require.Equal(t, 0, status, stderr)
		assert.Contains(t, out, "regsim", "the %s script completes the user's command", shell)
	}
}

func TestExecuteRunsCommandsOfOnesOwn(t *testing.T) {
	root, err := New(Config{Name: "regsim"})
	require.NoError(t, err)
	root.AddCommand(&cobra.Command{Use: "grade", RunE: func(*cobra.Command, []string) error { return ErrFailed }})
	var out, errOut bytes.Buffer
	assert.Equal(t, 1, Execute(t.Context(), root, []string{"grade"}, &out, &errOut), "ErrFailed is exit status 1")
	assert.Empty(t, errOut.String(), "the command reported its verdicts itself")
}
