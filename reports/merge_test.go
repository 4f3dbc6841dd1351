package reports

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMergeOfShardsIsTheWholeSweep splits outcomes into three shards by
// seed, writes each shard's JSON, reads it back and merges: the merged
// report is the report of the whole, digest and failing seeds included.
func TestMergeOfShardsIsTheWholeSweep(t *testing.T) {
	outcomes := sweepOutcomes(t, 30)
	whole := sweepOf(outcomes)
	var merged Sweep
	for shard := range 3 {
		var part Sweep
		for _, o := range outcomes {
			if o.Seed%3 == uint64(shard) {
				part.Add(o)
			}
		}
		part.AddShrunk(ShrunkRun{Seed: uint64(100 + shard), Keeps: "echo violated"})
		var js bytes.Buffer
		require.NoError(t, part.WriteJSON(&js, Program("regsim")))
		var r SweepReport
		require.NoError(t, json.Unmarshal(js.Bytes(), &r))
		require.NoError(t, merged.AddReport(r))
	}
	for shard := range 3 {
		whole.AddShrunk(ShrunkRun{Seed: uint64(100 + shard), Keeps: "echo violated"})
	}
	want, got := whole.Report(OmitWall(), Program("regsim")), merged.Report(OmitWall(), Program("dsim"))
	assert.Equal(t, want, got, "the replay lines are the shards' own")
	assert.NotEqual(t, "0000000000000000", got.Digest)

	var bad Sweep
	assert.ErrorContains(t, bad.AddReport(SweepReport{Digest: "xyz"}), "not 16 hex digits")
	assert.ErrorContains(t, bad.AddReport(SweepReport{Digest: "0000000000000001", Checks: []SweepCheck{{Name: "c", Kind: "odd"}}}), "odd")
}
