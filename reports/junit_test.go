package reports

import (
	"bytes"
	"encoding/xml"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/tracediff"
)

// readJUnit parses a JUnit document back.
func readJUnit(t *testing.T, data []byte) junitSuites {
	t.Helper()
	var doc junitSuites
	require.NoError(t, xml.Unmarshal(data, &doc), string(data))
	require.Len(t, doc.Suites, 1)
	return doc
}

// TestJUnitGolden pins the JUnit XML of echo-faults seed 1, wall time
// omitted; `go test ./reports -update` rewrites it.
func TestJUnitGolden(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, WriteJUnit(&buf, runScenario(t, "echo-faults", 1), OmitWall()))
	path := filepath.Join("testdata", "echo-faults-1.junit.xml")
	if *update {
		require.NoError(t, os.WriteFile(path, buf.Bytes(), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run `go test ./reports -update` to create the golden files")
	require.Equal(t, string(want), buf.String())
	doc := readJUnit(t, buf.Bytes())
	assert.Equal(t, 0, doc.Failures)
	assert.Positive(t, doc.Tests)
}

func TestJUnitRunVerdicts(t *testing.T) {
	check := func(v checker.Verdict) checker.Result {
		return checker.Result{Check: "echo", Verdict: v, Detail: "what it found\nand more", Offending: []string{"k1"}}
	}
	tests := []struct {
		name                      string
		o                         scenarios.Outcome
		failures, errors, skipped int
		message                   string
	}{
		{"violated", scenarios.Outcome{Checks: []checker.Result{check(checker.Violated)}}, 1, 0, 0, "violated: what it found"},
		{"inconclusive", scenarios.Outcome{Checks: []checker.Result{check(checker.Inconclusive)}}, 1, 0, 0, "inconclusive: what it found"},
		{"inconclusive, allowed", scenarios.Outcome{Checks: []checker.Result{check(checker.Inconclusive)}, AllowInconclusive: true}, 0, 0, 1, ""},
		{"holds", scenarios.Outcome{Checks: []checker.Result{check(checker.Holds)}}, 0, 0, 0, ""},
		{"a panic", scenarios.Outcome{Crash: &scenarios.Crash{Phase: "run", Node: "n1", Value: "boom", Stack: "main.f()"}}, 0, 1, 0, "panic in node n1"},
		{"interrupted", scenarios.Outcome{Interrupted: true}, 0, 1, 0, "interrupted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.o
			o.Scenario, o.File, o.Seed, o.Wall = "echo-faults", "library/echo-faults.yaml", 9, 1500*time.Millisecond
			var buf bytes.Buffer
			require.NoError(t, WriteJUnit(&buf, &o))
			doc := readJUnit(t, buf.Bytes())
			assert.Equal(t, []int{tt.failures, tt.errors, tt.skipped}, []int{doc.Failures, doc.Errors, doc.Skipped})
			assert.Equal(t, "1.500", doc.Suites[0].Time)
			assert.Equal(t, "echo-faults --seed 9", doc.Suites[0].Name)
			if tt.message != "" {
				assert.Contains(t, buf.String(), `message="`+tt.message)
				assert.Contains(t, buf.String(), "dsim run echo-faults --seed 9", "the replay command")
			}
		})
	}
}

func TestJUnitSweep(t *testing.T) {
	s := sweepOf(sweepOutcomes(t, 10))
	s.AddRecord(RunRecord{Scenario: "echo-faults", File: "library/echo-faults.yaml", Seed: 31, Fingerprint: "0123456789abcdef", Passed: true,
		Replayed: true, Divergence: &tracediff.Divergence{Line: 4, A: "a", B: "b"},
		Checks: []RunCheck{{Name: "echo", Verdict: checker.Holds}}})
	s.AddRecord(RunRecord{Scenario: "echo-faults", File: "library/echo-faults.yaml", Seed: 32, Crashed: true})
	s.Seeds, s.Shard = "1-40", "1/4"
	var buf bytes.Buffer
	require.NoError(t, s.WriteJUnit(&buf, OmitWall()))
	doc := readJUnit(t, buf.Bytes())
	suite := doc.Suites[0]
	assert.Empty(t, suite.Time)
	names := map[string]junitCase{}
	for _, c := range suite.Cases {
		names[c.Name] = c
	}
	require.Contains(t, names, "echo (safety)")
	echo := names["echo (safety)"]
	require.NotNil(t, echo.Failure)
	assert.Equal(t, "violated in 1 of 15 runs", echo.Failure.Message)
	assert.Contains(t, echo.Failure.Text, "seed 900: dsim run echo-faults --seed 900\nseed 77: dsim run echo-faults --seed 77\n", "violations first, then inconclusive runs")
	assert.Nil(t, names["progress (liveness)"].Failure)
	require.NotNil(t, names["no run panics"].Error)
	assert.Contains(t, names["no run panics"].Error.Text, "seed 32:")
	require.NotNil(t, names["every run replays the same"].Failure)
	assert.Contains(t, names["every run replays the same"].Failure.Text, "seed 31: dsim run echo-faults --seed 31\n  did not replay the same at line 4: a | b")
	assert.Equal(t, 4, doc.Tests, "two checks, panics, determinism")
	assert.Equal(t, 2, doc.Failures)
	assert.Equal(t, 1, doc.Errors)
	assert.Contains(t, suite.Properties, junitProperty{"shard", "1/4"})
}
