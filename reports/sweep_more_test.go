package reports

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/tracediff"
)

func TestSweepNamesItsRangeShardAndVersion(t *testing.T) {
	s := sweepOf(sweepOutcomes(t, 3))
	s.Seeds, s.Shard, s.Version = "1-1000", "2/4", "dsim v1.2.3 rev abc"
	var text, js bytes.Buffer
	require.NoError(t, s.WriteText(&text, OmitWall()))
	require.NoError(t, s.WriteJSON(&js, OmitWall()))
	assert.Contains(t, text.String(), "seeds        1-1000 (shard 2/4)\n")
	assert.Contains(t, text.String(), "version      dsim v1.2.3 rev abc\n")
	var r SweepReport
	require.NoError(t, json.Unmarshal(js.Bytes(), &r))
	assert.Equal(t, []string{"1-1000", "2/4", "dsim v1.2.3 rev abc"}, []string{r.Seeds, r.Shard, r.Version})
}

func TestSweepCountsRunsThatDoNotReplayTheSameAsFailures(t *testing.T) {
	var s Sweep
	d := &tracediff.Divergence{Line: 12, A: `{"seq":11,"msg":"to b"}`, B: `{"seq":11,"msg":"to c"}`, Fields: []string{"msg"}}
	checks := []RunCheck{{Name: "ran", Verdict: checker.Holds}}
	s.AddRecord(RunRecord{Scenario: "picker", File: "picker.yaml", Seed: 1, Fingerprint: "1111111111111111", Passed: true, Checks: checks})
	s.AddRecord(RunRecord{Scenario: "picker", File: "picker.yaml", Seed: 2, Fingerprint: "2222222222222222", Passed: true, Checks: checks, Replayed: true})
	s.AddRecord(RunRecord{Scenario: "picker", File: "picker.yaml", Seed: 3, Fingerprint: "3333333333333333", Passed: true, Checks: checks, Replayed: true, Divergence: d})
	r := s.Report(OmitWall())
	assert.Equal(t, []int{3, 2, 1, 2, 1}, []int{r.Runs, r.Passed, r.Failed, r.Replayed, r.Nondeterministic})
	assert.False(t, r.AllPassed)
	require.Len(t, r.Failing, 1)
	assert.Equal(t, d, r.Failing[0].Divergence)
	assert.Contains(t, s.Summary(OmitWall()), "0 crashed, 1 nondeterministic;")
	var text bytes.Buffer
	require.NoError(t, s.WriteText(&text, OmitWall()))
	for _, want := range []string{
		"determinism  2 of 3 runs run twice, 1 did not replay the same\n",
		"  3     (nondeterministic)  -             dsim run picker.yaml --seed 3\n",
		"seed 3 did not replay the same: the traces part at line 12 (they differ in msg)\n--- first run\n+++ second run\n- {\"seq\":11,\"msg\":\"to b\"}\n+ {\"seq\":11,\"msg\":\"to c\"}\n",
	} {
		assert.Contains(t, text.String(), want)
	}
}

func TestSweepListsShrunkRuns(t *testing.T) {
	s := sweepOf(sweepOutcomes(t, 2))
	s.AddShrunk(ShrunkRun{Seed: 900, Keeps: "echo violated", Before: RunSize{4, 100, 1000}, After: RunSize{1, 3, 40},
		File: "out/echo-faults-seed-900-shrunk.yaml", Replay: "dsim run out/echo-faults-seed-900-shrunk.yaml --seed 900"})
	s.AddShrunk(ShrunkRun{Seed: 77, Keeps: "echo violated"})
	var text bytes.Buffer
	require.NoError(t, s.WriteText(&text, OmitWall()))
	assert.Contains(t, text.String(), "shrunk failing seeds (fault events / operations / events)\n")
	assert.Regexp(t, `  900\s+echo violated\s+4 / 100 / 1000\s+1 / 3 / 40\s+dsim run out/echo-faults-seed-900-shrunk.yaml --seed 900\n`, text.String())
	assert.Equal(t, []uint64{77, 900}, []uint64{s.Report().Shrunk[0].Seed, s.Report().Shrunk[1].Seed}, "sorted by seed")
}
