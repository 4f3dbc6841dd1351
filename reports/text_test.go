package reports

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
)

func TestTextPassing(t *testing.T) {
	o := runScenario(t, "echo-faults", 1)
	require.True(t, o.Passed)
	text, _, _ := render(t, o)
	s := string(text)
	for _, want := range []string{
		"scenario     echo-faults\n",
		"verdict      PASS (1 holds, 0 violated, 0 inconclusive)\n",
		"  echo   holds    ",
		"liveness checks\n  (none)\n",
		"fingerprint  " + o.Fingerprint + "\n",
		"replay       dsim run echo-faults --seed 1\n",
	} {
		assert.Contains(t, s, want)
	}
	for _, line := range strings.Split(s, "\n") {
		assert.Equal(t, strings.TrimRight(line, " "), line, "no trailing spaces")
	}
}

// TestTextFailing renders a hand-made failing outcome: FAIL, the violation
// with its detail and offending items, and the inconclusive check with its
// budget, listed under liveness, apart from the safety checks.
func TestTextFailing(t *testing.T) {
	o := failingOutcome(t)
	var b bytes.Buffer
	require.NoError(t, WriteText(&b, o, OmitWall()))
	s := b.String()
	t.Log("\n" + s)
	lin := o.Checks[2]
	assert.Contains(t, s, "verdict      FAIL (1 holds, 1 violated, 1 inconclusive)\n")
	assert.Contains(t, s, "linearizability  VIOLATED  "+lin.Detail)
	assert.Contains(t, s, "progress  INCONCLUSIVE  could not decide within the budget (budget 2s, timed out)")
	assert.Contains(t, s, "latency p99  1.23457 ms")
	assert.Contains(t, s, "faults       2 (0 from the nemesis)")
	assert.Contains(t, s, "replay       dsim run 'testdata/register stale.yaml' --seed 42\n")
	safety, liveness := strings.Index(s, "safety checks"), strings.Index(s, "liveness checks")
	require.True(t, safety >= 0 && liveness > safety)
	assert.Greater(t, strings.Index(s, "progress"), liveness, "the liveness check is listed under liveness")
	assert.Less(t, strings.Index(s, "linearizability"), liveness, "the safety checks come first")
	assert.False(t, strings.Contains(s, "wall"))

	// An allowed inconclusive check passes and says so.
	allowed := *o
	allowed.Checks = o.Checks[:2]
	allowed.AllowInconclusive, allowed.Passed = true, true
	b.Reset()
	require.NoError(t, WriteText(&b, &allowed, OmitWall()))
	assert.Contains(t, b.String(), "verdict      PASS (1 holds, 0 violated, 1 inconclusive, inconclusive allowed)\n")
}

func TestTextKeepsTablesOnOneLine(t *testing.T) {
	o := &scenarios.Outcome{Scenario: "x", Checks: []checker.Result{
		{Check: "multi\nline", Verdict: checker.Violated, Detail: "first\tsecond\nthird"},
	}}
	var b bytes.Buffer
	require.NoError(t, WriteText(&b, o, OmitWall()))
	assert.Contains(t, b.String(), "  multi line  VIOLATED  first second third\n")
}

func TestJSONFailing(t *testing.T) {
	o := failingOutcome(t)
	var b bytes.Buffer
	require.NoError(t, WriteJSON(&b, o, OmitWall()))
	var r Report
	dec := json.NewDecoder(&b)
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&r), "the output decodes into the documented schema")
	assert.Equal(t, SchemaVersion, r.SchemaVersion)
	assert.False(t, r.Passed)
	assert.Equal(t, Counts{Holds: 1, Violated: 1, Inconclusive: 1}, r.Counts)
	assert.Equal(t, "dsim run 'testdata/register stale.yaml' --seed 42", r.Replay)
	require.Len(t, r.Checks, 3)
	assert.Equal(t, Check{Name: "progress", Kind: "liveness", Verdict: "inconclusive",
		Detail: "could not decide within the budget", Offending: []string{}, BudgetNS: int64(2 * time.Second),
		TimedOut: true}, r.Checks[1])
	assert.Equal(t, "violated", r.Checks[2].Verdict)
	assert.Equal(t, "safety", r.Checks[2].Kind)
	assert.Equal(t, o.Checks[2].Detail, r.Checks[2].Detail)
	assert.Equal(t, int64(3*time.Second), r.SimTimeNS)
	require.Len(t, r.Faults, 2)
	assert.Equal(t, Fault{AtNS: int64(time.Second), Kind: "crash", Text: "crash n1", Node: "n1"}, r.Faults[0])
	assert.Nil(t, r.WallNS)

	b.Reset()
	require.NoError(t, WriteJSON(&b, o))
	require.NoError(t, json.Unmarshal(b.Bytes(), &r))
	require.NotNil(t, r.WallNS)
	assert.Equal(t, int64(5*time.Millisecond), *r.WallNS)
	assert.Equal(t, int64(time.Millisecond), *r.CheckWallNS)
}

func TestJSONNonFiniteStat(t *testing.T) {
	o := &scenarios.Outcome{Scenario: "x", Stats: []protocols.Stat{{Name: "mean", Value: math.NaN()}, {Name: "n", Value: 2}}}
	var b bytes.Buffer
	require.NoError(t, WriteJSON(&b, o, OmitWall()), "NaN must not break the encoder")
	var r Report
	require.NoError(t, json.Unmarshal(b.Bytes(), &r))
	assert.Nil(t, r.Stats[0].Value)
	require.NotNil(t, r.Stats[1].Value)
	assert.Equal(t, 2.0, *r.Stats[1].Value)
	assert.Contains(t, b.String(), `"value": null`)
}

func TestReplayCommand(t *testing.T) {
	for _, tc := range []struct {
		scenario, file string
		seed           uint64
		want           string
	}{
		{"echo-faults", "library/echo-faults.yaml", 1, "dsim run echo-faults --seed 1"},
		{"echo-faults", "", 3, "dsim run echo-faults --seed 3"},
		{"mine", "scen/mine.yaml", 18446744073709551615, "dsim run scen/mine.yaml --seed 18446744073709551615"},
		{"mine", "my dir/it's.yaml", 2, `dsim run 'my dir/it'\''s.yaml' --seed 2`},
	} {
		got := ReplayCommand(&scenarios.Outcome{Scenario: tc.scenario, File: tc.file, Seed: tc.seed})
		assert.Equal(t, tc.want, got)
	}
}

func TestProgramNamesTheCommandInEveryReplayLine(t *testing.T) {
	o := &scenarios.Outcome{Scenario: "calm", File: "my dir/calm.yaml", Seed: 7, Checks: []checker.Result{
		{Check: "linearizability", Verdict: checker.Violated}}}
	const want = "go run ./cmd/regsim run 'my dir/calm.yaml' --seed 7"
	prog := Program("go run ./cmd/regsim")
	assert.Equal(t, want, ReplayCommand(o, prog))
	assert.Equal(t, want, NewReport(o, prog).Replay)
	var text, html bytes.Buffer
	require.NoError(t, WriteText(&text, o, prog))
	assert.Contains(t, text.String(), "replay       "+want+"\n")
	require.NoError(t, WriteHTML(&html, o, HTMLOptions{}, prog))
	assert.Contains(t, html.String(), "go run ./cmd/regsim run")
	var s Sweep
	s.Add(o)
	assert.Equal(t, want, s.Report(prog).Failing[0].Replay)
	assert.Equal(t, "dsim run 'my dir/calm.yaml' --seed 7", s.Report().Failing[0].Replay, "dsim without the option")
}
