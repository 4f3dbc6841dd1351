package cli

import (
	"bytes"
	"context"
	"encoding/json"
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
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	var out, errOut bytes.Buffer
	status := Run(ctx, Config{}, []string{"sweep", "echo-calm", "--seeds", "1-1000"}, &out, &errOut)
	assert.NotEqual(t, 0, status, "the command's context reaches the runner")
	assert.Contains(t, errOut.String(), "context canceled")
	assert.Empty(t, out.String(), "no summary of a sweep that was stopped before it began")
}
