package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// summaryOf decodes a sweep's JSON summary without its wall times and
// without what tells a shard or a merge apart from the whole.
func summaryOf(t *testing.T, out string) map[string]any {
	t.Helper()
	doc := stripWall(t, out)
	delete(doc, "shard")
	return doc
}

func TestMergeOfShardsIsTheUnshardedSweep(t *testing.T) {
	dir := t.TempDir()
	file := zooScenario(t, dir, "twopc-partition", "unilateral-abort") // about half the seeds fail
	whole, _, status := dsim(t, Config{}, "sweep", file, "--seeds", "1-30", "--format", "json")
	require.Equal(t, 1, status)
	var reportsOnly, journals, mixed []string
	for i := range 3 {
		shard := fmt.Sprintf("%d/3", i)
		out, _, _ := dsim(t, Config{}, "sweep", file, "--seeds", "1-30", "--shard", shard, "--format", "json")
		js := writeTemp(t, dir, fmt.Sprintf("shard-%d.json", i), out)
		jl := filepath.Join(dir, fmt.Sprintf("shard-%d.jsonl", i))
		_, _, _ = dsim(t, Config{}, "sweep", file, "--seeds", "1-30", "--shard", shard, "--out", jl)
		reportsOnly, journals = append(reportsOnly, js), append(journals, jl)
		mixed = append(mixed, map[bool]string{true: js, false: jl}[i%2 == 0])
	}
	want := summaryOf(t, whole)
	require.NotEmpty(t, want["failing"])
	for name, files := range map[string][]string{"summaries": reportsOnly, "journals": journals, "mixed": mixed} {
		t.Run(name, func(t *testing.T) {
			out, stderr, status := dsim(t, Config{}, append([]string{"merge", "--format", "json"}, files...)...)
			assert.Equal(t, 1, status, stderr)
			assert.Equal(t, want, summaryOf(t, out), "the digest, counts and failing seeds of the whole sweep")
		})
	}
	text, _, _ := dsim(t, Config{}, append([]string{"merge"}, reportsOnly...)...)
	assert.Contains(t, text, "digest       "+want["digest"].(string))
	assert.Contains(t, text, "seeds        1-30\n")
	junit, _, _ := dsim(t, Config{}, append([]string{"merge", "--format", "junit"}, journals...)...)
	assert.Contains(t, junit, `<testcase name="atomicity (safety)"`)
}

func TestMergeRefusesWhatIsNotOneWholeSweep(t *testing.T) {
	dir := t.TempDir()
	shard := func(name, seeds, shard string) string {
		out, _, _ := dsim(t, Config{}, "sweep", name, "--seeds", seeds, "--shard", shard, "--format", "json")
		return writeTemp(t, dir, fmt.Sprintf("%s-%s-%s.json", name, seeds, strings.ReplaceAll(shard, "/", "of")), out)
	}
	a0, a1, a2 := shard("echo-calm", "1-9", "0/3"), shard("echo-calm", "1-9", "1/3"), shard("echo-calm", "1-9", "2/3")
	other := shard("echo-faults", "1-9", "2/3")
	wider := shard("echo-calm", "1-12", "2/3")
	halves := shard("echo-calm", "1-9", "1/2")
	versioned := writeTemp(t, dir, "versioned.json", jsonWith(t, a2, "version", "dsim v0.0.1"))
	tests := []struct {
		name  string
		files []string
		want  string
	}{
		{"a shard missing", []string{a0, a1}, "shard 2/3 of seeds 1-9 missing (--allow-partial merges what there is)"},
		{"a shard twice", []string{a0, a1, a1, a2}, "are the same shard, 1/3: merging both would count its runs twice"},
		{"another scenario", []string{a0, a1, other}, `not shards of one sweep: scenario "echo-calm" and "echo-faults"`},
		{"another range", []string{a0, a1, wider}, `seeds "1-9" and "1-12"`},
		{"another split", []string{a0, halves}, "is a shard of 2, but"},
		{"another version", []string{a0, a1, versioned}, `version "dsim`},
		{"not a summary", []string{writeTemp(t, dir, "x.json", `{"hello": 1}`)}, "no schema_version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, status := dsim(t, Config{}, append([]string{"merge"}, tt.files...)...)
			assert.Equal(t, 2, status)
			assert.Contains(t, stderr, tt.want)
		})
	}
	out, stderr, status := dsim(t, Config{}, "merge", a0, a1, "--allow-partial")
	assert.Equal(t, 0, status, stderr)
	assert.Contains(t, out, "INTERRUPTED, PASS so far (0 of 6 runs failed)")
}

func TestMergeTakesAKilledShardsRunsOnlyWithAllowPartial(t *testing.T) {
	dir := t.TempDir()
	jl := filepath.Join(dir, "shard.jsonl")
	_, _, status := dsim(t, Config{}, "sweep", "echo-calm", "--seeds", "1-10", "--out", jl)
	require.Equal(t, 0, status)
	data, err := os.ReadFile(jl)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(jl, data[:len(data)-40], 0o644), "a kill cut the last line short")
	_, stderr, status := dsim(t, Config{}, "merge", jl)
	assert.Equal(t, 2, status)
	assert.Contains(t, stderr, "the shard did not run every seed")
	out, _, status := dsim(t, Config{}, "merge", jl, "--allow-partial", "--format", "json")
	assert.Equal(t, 0, status)
	assert.Equal(t, float64(9), stripWall(t, out)["runs"])
}

// jsonWith returns the JSON object in file with one field set.
func jsonWith(t *testing.T, file, key string, value any) string {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(data, &doc))
	doc[key] = value
	out, err := json.Marshal(doc)
	require.NoError(t, err)
	return string(out)
}

// TestResumeOfAScenarioFile resumes a sweep of a scenario given as a file,
// whose runs are named after the scenario and not after the file.
func TestResumeOfAScenarioFile(t *testing.T) {
	dir := t.TempDir()
	file := writeTemp(t, dir, "calm.yaml", librarySource(t, "echo-calm"))
	jl := filepath.Join(dir, "runs.jsonl")
	whole, _, status := dsim(t, Config{}, "sweep", file, "--seeds", "1-6", "--out", jl, "--format", "json")
	require.Equal(t, 0, status)
	data, err := os.ReadFile(jl)
	require.NoError(t, err)
	lines := strings.SplitAfter(string(data), "\n")
	require.NoError(t, os.WriteFile(jl, []byte(strings.Join(lines[:3], "")), 0o644), "two runs kept")
	out, stderr, status := dsim(t, Config{}, "sweep", file, "--seeds", "1-6", "--resume", jl, "--format", "json")
	require.Equal(t, 0, status, stderr)
	assert.Equal(t, summaryOf(t, whole), summaryOf(t, out))
}
