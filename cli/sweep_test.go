package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSweepSummaryIsTheSameForAnyJobsAndShardsCoverTheRange(t *testing.T) {
	one, _, status := dsim(t, Config{}, "sweep", "echo-faults", "--seeds", "1-24", "--jobs", "1", "--format", "json")
	require.Equal(t, 0, status, one)
	four, _, status := dsim(t, Config{}, "sweep", "echo-faults", "--seeds", "1-24", "--jobs", "4", "--format", "json")
	require.Equal(t, 0, status)
	assert.Equal(t, stripWall(t, one), stripWall(t, four), "the summary does not depend on --jobs")

	runs := 0
	for i := range 3 {
		out, _, status := dsim(t, Config{}, "sweep", "echo-faults", "--seeds", "1-24", "--shard", strconv.Itoa(i)+"/3", "--format", "json")
		require.Equal(t, 0, status)
		runs += int(stripWall(t, out)["runs"].(float64))
	}
	assert.Equal(t, 24, runs, "the shards add up to the whole range")

	text, _, _ := dsim(t, Config{}, "sweep", "echo-faults", "--seeds", "1-8")
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

func TestSweepFailuresAndFailFast(t *testing.T) {
	out, stderr, status := dsim(t, Config{}, "sweep", "twopc-blocking", "--seeds", "1-6", "--format", "json")
	require.Equal(t, 1, status, stderr)
	var doc struct {
		Runs    int
		Failing []struct{ Seed uint64 }
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, 6, doc.Runs)
	require.Len(t, doc.Failing, 6)

	out, _, status = dsim(t, Config{}, "sweep", "twopc-blocking", "--seeds", "1-1000", "--jobs", "1", "--fail-fast", "--format", "json")
	assert.Equal(t, 1, status)
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	assert.Equal(t, 1, doc.Runs, "one job stops after the first failure")

	_, _, status = dsim(t, Config{}, "sweep", "twopc-blocking", "--seeds", "1-6", "--checks", "atomicity,isolation")
	assert.Equal(t, 0, status, "without the termination check, every blocking run passes")
}

func TestSweepStopsWhenTheContextIsDone(t *testing.T) {
	ctx, cancel := context.WithCancelCause(t.Context())
	cancel(&Interrupted{Signal: os.Interrupt})
	var out, errOut bytes.Buffer
	status := Run(ctx, Config{}, []string{"sweep", "echo-calm", "--seeds", "1-1000", "--format", "json"}, &out, &errOut)
	assert.Equal(t, 130, status, "the command's context reaches the runner")
	assert.Contains(t, errOut.String(), "interrupted by SIGINT")
	var doc struct {
		Runs        int  `json:"runs"`
		Interrupted bool `json:"interrupted"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc), "the summary so far is complete JSON")
	assert.True(t, doc.Interrupted)
	assert.Zero(t, doc.Runs)
}

// TestSweepOutAndResume: a sweep writes a line per run to --out; one
// resumed from a cut-short file (a kill mid-write leaves half a line) runs
// only the seeds missing and sums up to the uninterrupted sweep's summary.
func TestSweepOutAndResume(t *testing.T) {
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.jsonl")
	full, _, status := dsim(t, Config{}, "sweep", "echo-faults", "--seeds", "1-20", "--out", whole, "--format", "json")
	require.Equal(t, 0, status, full)
	lines := strings.SplitAfter(strings.TrimSpace(readFile(t, whole)), "\n")
	require.Len(t, lines, 21, "a header and a line per run")

	cut := filepath.Join(dir, "cut.jsonl")
	partial := strings.Join(lines[:8], "") + lines[8][:len(lines[8])/2] // 7 runs, then half a line
	require.NoError(t, os.WriteFile(cut, []byte(partial), 0o644))
	resumed, _, status := dsim(t, Config{}, "sweep", "echo-faults", "--seeds", "1-20", "--resume", cut, "--format", "json")
	require.Equal(t, 0, status, resumed)
	assert.Equal(t, stripWall(t, full), stripWall(t, resumed), "the same summary and digest")
	assert.Equal(t, 21, strings.Count(readFile(t, cut), "\n"), "the missing runs were appended, the half line dropped")

	for _, tc := range []struct{ args, want string }{
		{"--seeds 1-30 --resume " + cut, "it is a sweep of echo-faults over seeds 1-20, not of echo-faults over seeds 1-30"},
		{"--seeds 1-20 --resume " + filepath.Join(dir, "none.jsonl"), "--resume"},
		{"--seeds 1-20 --out " + whole + " --resume " + cut, "none of the others can be"},
	} {
		_, stderr, status := dsim(t, Config{}, append([]string{"sweep", "echo-faults"}, strings.Fields(tc.args)...)...)
		assert.Equal(t, 2, status, tc.args)
		assert.Contains(t, stderr, tc.want, tc.args)
	}
}

// TestSweepPrintsProgressWithoutATerminal: a sweep whose stderr is not a
// terminal prints a progress line at a steady interval.
func TestSweepPrintsProgressWithoutATerminal(t *testing.T) {
	_, stderr, status := dsim(t, Config{}, "sweep", "paxos-calm", "--seeds", "1-40", "--jobs", "1", "--progress-every", "1ms")
	require.Equal(t, 0, status)
	assert.Regexp(t, `sweep: \d+ of 40 seeds \(\d+\.\d%\), 0 failed, \d+ seeds/s`, stderr)
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(data)
}
