package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDiffPrintsTheFirstDivergenceOfTwoTraces(t *testing.T) {
	dir := t.TempDir()
	trace := func(cfg Config, name, seed string) string {
		path := filepath.Join(dir, name)
		_, stderr, status := dsim(t, cfg, "run", strings.Split(name, ".")[0], "--seed", seed, "--trace", path)
		require.Contains(t, []int{0, 1}, status, stderr)
		return path
	}
	cfg := pickerConfig()
	a, b := trace(cfg, "picker.1.jsonl", "1"), trace(cfg, "picker.2.jsonl", "1")
	out, _, status := dsim(t, cfg, "diff", a, b, "--context", "2")
	assert.Equal(t, 1, status, "the planted map-order bug makes two runs of one seed differ")
	assert.Contains(t, out, "the traces part at line ")
	assert.Contains(t, out, "--- "+a+"\n+++ "+b+"\n")
	assert.Regexp(t, `(?m)^- \{.*"kind":"send","node":"picker"`, out)
	assert.Regexp(t, `(?m)^\+ \{.*"kind":"send","node":"picker"`, out)
	assert.Equal(t, 2, strings.Count(out, "\n  {"), "two events of context before")

	e1, e2 := trace(Config{}, "echo-faults.1.jsonl", "5"), trace(Config{}, "echo-faults.2.jsonl", "5")
	out, _, status = dsim(t, Config{}, "diff", e1, e2)
	assert.Equal(t, 0, status)
	assert.Equal(t, "the traces are the same\n", out)

	e3 := trace(Config{}, "echo-faults.3.jsonl", "6")
	out, _, status = dsim(t, Config{}, "diff", e1, e3)
	assert.Equal(t, 1, status, "another seed is another run")
	assert.Contains(t, out, "they differ in")

	_, stderr, status := dsim(t, Config{}, "diff", e1, filepath.Join(dir, "missing.jsonl"))
	assert.Equal(t, 2, status)
	assert.Contains(t, stderr, "no such file")
}
