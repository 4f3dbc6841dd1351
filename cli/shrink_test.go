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

// zooScenario writes a library scenario with a bug-zoo variant to dir.
func zooScenario(t *testing.T, dir, name, variant string) string {
	t.Helper()
	src := librarySource(t, name)
	if v := regexp.MustCompile(`(?m)^  variant: \S+$`); v.MatchString(src) {
		src = v.ReplaceAllString(src, "  variant: "+variant)
	} else if strings.Contains(src, "params:\n") {
		src = strings.Replace(src, "params:\n", "params:\n  variant: "+variant+"\n", 1)
	} else {
		src = strings.Replace(src, "\nnodes:", "\nparams: {variant: "+variant+"}\nnodes:", 1)
	}
	return writeTemp(t, dir, name+"-"+variant+".yaml", src)
}

func TestShrinkWritesAScenarioThatFailsOnRun(t *testing.T) {
	dir := t.TempDir()
	file := zooScenario(t, dir, "pbkv-primary-crash", "reply-before-backup")
	small := filepath.Join(dir, "small.yaml")
	out, stderr, status := dsim(t, Config{}, "shrink", file, "--seed", "2", "--out", small, "--other-seeds", "0", "-v")
	require.Equal(t, 0, status, stderr)
	assert.Regexp(t, `(?m)^keeps\s+linearizability violated$`, out)
	assert.Regexp(t, `(?m)^before\s+10\s+1000\s+\d+\s+3\s+3$`, out)
	assert.Regexp(t, `(?m)^after\s+[0-3]\s+([0-9]|1[0-9]|20)\s+\d+`, out)
	assert.Regexp(t, `(?m)^replay\s+dsim run `+small+` --seed 2$`, out, "the seed stays fixed with --other-seeds 0")
	assert.Contains(t, stderr, "strategy 1: operations", "--verbose shows the steps")

	text, err := os.ReadFile(small)
	require.NoError(t, err)
	assert.Contains(t, string(text), "name: small\n")
	assert.NotContains(t, string(text), "nemesis")
	run, _, status := dsim(t, Config{}, "run", small, "--seed", "2")
	assert.Equal(t, 1, status, "the minimal scenario fails on run")
	assert.Regexp(t, `linearizability\s+VIOLATED`, run)
}

func TestShrinkJSONAndDefaultFile(t *testing.T) {
	t.Chdir(t.TempDir())
	out, stderr, status := dsim(t, Config{}, "shrink", "twopc-blocking", "--seed", "1", "--format", "json")
	require.Equal(t, 0, status, stderr)
	var doc shrunk
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	assert.Equal(t, 1, doc.SchemaVersion)
	assert.Equal(t, "termination violated", doc.Keeps)
	assert.Equal(t, "twopc-blocking-seed-1-shrunk.yaml", doc.File)
	assert.Less(t, doc.After.Events, doc.Before.Events)
	assert.NotEmpty(t, doc.Faults, "the coordinator still crashes: termination needs it")
	_, err := os.Stat(doc.File)
	assert.NoError(t, err)
}

func TestShrinkRefusesASeedThatPasses(t *testing.T) {
	_, stderr, status := dsim(t, Config{}, "shrink", "echo-calm", "--seed", "1")
	assert.Equal(t, 2, status)
	assert.Contains(t, stderr, "nothing to shrink: seed 1 of echo-calm passes")
}
