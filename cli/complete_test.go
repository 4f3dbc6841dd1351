package cli

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// complete asks the command for completions the way a shell's completion
// script does (the hidden __complete command) and returns the candidates,
// without descriptions, and the directive.
func complete(t *testing.T, cfg Config, args ...string) ([]string, cobra.ShellCompDirective) {
	t.Helper()
	out, stderr, status := dsim(t, cfg, append([]string{cobra.ShellCompRequestCmd}, args...)...)
	require.Equal(t, 0, status, stderr)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	last := lines[len(lines)-1]
	require.True(t, strings.HasPrefix(last, ":"), "the last line is the directive: %q", out)
	d, err := strconv.Atoi(last[1:])
	require.NoError(t, err)
	var got []string
	for _, l := range lines[:len(lines)-1] {
		choice, _, _ := strings.Cut(l, "\t")
		got = append(got, choice)
	}
	return got, cobra.ShellCompDirective(d)
}

func TestCompleteScenarios(t *testing.T) {
	got, d := complete(t, Config{}, "run", "echo-")
	assert.Equal(t, []string{"echo-calm", "echo-faults"}, got)
	assert.Equal(t, cobra.ShellCompDirectiveNoFileComp, d)
	out, _, _ := dsim(t, Config{}, cobra.ShellCompRequestCmd, "sweep", "echo-c")
	assert.Contains(t, out, "echo-calm\techo: Three clients ping one server", "a scenario's protocol and description")

	got, _ = complete(t, Config{}, "run", "echo-calm", "")
	assert.Empty(t, got, "run takes one scenario")
	got, _ = complete(t, Config{}, "validate", "echo-calm", "echo-f")
	assert.Equal(t, []string{"echo-faults"}, got, "validate takes many")
	got, _ = complete(t, userConfig(t, "regsim"), "run", "p")
	assert.Contains(t, got, "ping", "the user's own scenarios")
	assert.Contains(t, got, "paxos-calm")
}

func TestCompleteScenarioFiles(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"a.yaml", "b.yml", "notes.txt", ".hidden.yaml"} {
		writeTemp(t, dir, f, "")
	}
	require.NoError(t, os.Mkdir(filepath.Join(dir, "more"), 0o755))
	prefix := dir + string(filepath.Separator)
	got, d := complete(t, Config{}, "run", prefix)
	assert.ElementsMatch(t, []string{prefix + "a.yaml", prefix + "b.yml", prefix + "more/"}, got)
	assert.NotZero(t, d&cobra.ShellCompDirectiveNoSpace, "a directory is completed further")
	got, d = complete(t, Config{}, "run", prefix+"a")
	assert.Equal(t, []string{prefix + "a.yaml"}, got)
	assert.Zero(t, d&cobra.ShellCompDirectiveNoSpace)
}

func TestCompleteNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		args []string
		want []string
	}{
		{"list protocols", Config{}, []string{"list", "t"}, []string{"threepc", "transport", "transport-rpc", "twopc"}},
		{"user protocol", userConfig(t, "regsim"), []string{"list", "my"}, []string{"myecho"}},
		{"checks of the scenario's protocol", Config{}, []string{"run", "paxos-calm", "--checks", "paxos-"},
			[]string{"paxos-agreement", "paxos-prefix", "paxos-validity"}},
		{"checks after a comma", Config{}, []string{"sweep", "paxos-calm", "--checks", "paxos-prefix,"},
			[]string{"paxos-prefix,linearizability", "paxos-prefix,liveness", "paxos-prefix,paxos-agreement", "paxos-prefix,paxos-validity"}},
		{"checks of every protocol", Config{}, []string{"run", "--checks", "at"}, []string{"atomicity"}},
		{"balancers", Config{}, []string{"compare", "lb-load-50", "--balancers", "random,consistent-hash:m"},
			[]string{"random,consistent-hash:maglev"}},
		{"balancer names", Config{}, []string{"compare", "lb-load-50", "--balancers", "p"}, []string{"power-of-d", "peak-ewma"}},
		{"models", Config{}, []string{"check", "h.json", "--model", ""}, []string{"register", "kv"}},
		{"formats", Config{}, []string{"sweep", "echo-calm", "--format", ""}, []string{"text", "json", "junit"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, d := complete(t, tc.cfg, tc.args...)
			assert.ElementsMatch(t, tc.want, got)
			assert.NotZero(t, d&cobra.ShellCompDirectiveNoFileComp)
		})
	}
}
