package runner_test

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/runner"
)

func TestParseSeeds(t *testing.T) {
	tests := []struct {
		in      string
		want    runner.Seeds
		wantErr string
	}{
		{"1-1000", runner.Seeds{First: 1, Last: 1000}, ""},
		{"42", runner.Seeds{First: 42, Last: 42}, ""},
		{" 3 - 5 ", runner.Seeds{First: 3, Last: 5}, ""},
		{"0-18446744073709551615", runner.Seeds{First: 0, Last: math.MaxUint64}, ""},
		{"9-1", runner.Seeds{}, "the range is empty"},
		{"a-b", runner.Seeds{}, "want A-B or N"},
		{"1-", runner.Seeds{}, "want A-B or N"},
		{"-5", runner.Seeds{}, "want A-B or N"},
		{"18446744073709551616", runner.Seeds{}, "want A-B or N"},
	}
	for _, tt := range tests {
		got, err := runner.ParseSeeds(tt.in)
		if tt.wantErr != "" {
			assert.ErrorContains(t, err, tt.wantErr, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
	}
}

func TestShardsPartitionTheRange(t *testing.T) {
	for _, r := range []runner.Seeds{{First: 1, Last: 24}, {First: 5, Last: 5}, {First: 10, Last: 17}, {First: math.MaxUint64 - 6, Last: math.MaxUint64}} {
		for n := uint64(1); n <= 5; n++ {
			var union []uint64
			total := uint64(0)
			for i := uint64(0); i < n; i++ {
				s := r
				require.NoError(t, s.SetShard(string(rune('0'+i))+"/"+string(rune('0'+n))))
				got := slices.Collect(s.All())
				assert.Equal(t, uint64(len(got)), s.Count(), "%v", s)
				for _, seed := range got {
					assert.Equal(t, i, (seed-r.First)%n, "seed %d belongs to shard %d/%d", seed, i, n)
				}
				union = append(union, got...)
				total += s.Count()
			}
			slices.Sort(union)
			want := slices.Collect(r.All())
			assert.Equal(t, want, union, "shards of %v by %d", r, n)
			assert.Equal(t, r.Count(), total)
		}
	}
}

func TestSeedsAreLazyOverTheWholeRange(t *testing.T) {
	all := runner.Seeds{First: 0, Last: math.MaxUint64}
	assert.Equal(t, uint64(math.MaxUint64), all.Count(), "saturates rather than wrapping to 0")
	var first []uint64
	for s := range all.All() {
		first = append(first, s)
		if len(first) == 3 {
			break
		}
	}
	assert.Equal(t, []uint64{0, 1, 2}, first)
	require.NoError(t, all.SetShard("1/2"))
	assert.Equal(t, uint64(1)<<63, all.Count())
}

func TestSetShardRejectsNonsense(t *testing.T) {
	for _, spec := range []string{"4/4", "1", "a/b", "0/0", "-1/3", "1/2/3"} {
		var s runner.Seeds
		assert.ErrorContains(t, s.SetShard(spec), "want I/N with 0 <= I < N", spec)
	}
}

func TestSeedsString(t *testing.T) {
	s, _ := runner.ParseSeeds("1-1000")
	assert.Equal(t, "1-1000", s.String())
	require.NoError(t, s.SetShard("2/4"))
	assert.Equal(t, "1-1000 shard 2/4", s.String())
	one, _ := runner.ParseSeeds("7")
	assert.Equal(t, "7", one.String())
}
