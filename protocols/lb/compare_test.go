package lb

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
)

func smallCompare(t *testing.T) *Table {
	t.Helper()
	cfg := Config{Servers: make([]ServerSpec, 6), Load: 0.85, Requests: 8000, Warmup: 100 * time.Millisecond}
	tab, err := Compare(cfg, []string{NameRandom, "power-of-d:2", NameJSQ}, []uint64{1, 2, 3, 4, 5})
	require.NoError(t, err)
	return tab
}

func TestCompare(t *testing.T) {
	tab := smallCompare(t)
	require.Len(t, tab.Rows, 3)
	assert.Equal(t, []uint64{1, 2, 3, 4, 5}, tab.Seeds)
	first := tab.Rows[0]
	assert.Equal(t, NameRandom, first.Balancer)
	// Against itself the paired difference is exactly zero.
	assert.Equal(t, 0.0, first.MeanVsFirst.Mean)
	assert.Equal(t, 0.0, first.MeanVsFirst.HalfWidth)
	for _, row := range tab.Rows[1:] {
		assert.Less(t, row.MeanVsFirst.Hi, 0.0, "%s beats random with 95%% confidence", row.Balancer)
		assert.Less(t, row.P99VsFirst.Hi, 0.0, "%s beats random's p99", row.Balancer)
		require.Len(t, row.Runs, 5)
		assert.NotEmpty(t, row.Runs[0].Latencies, "the first seed keeps its samples")
		assert.Empty(t, row.Runs[1].Latencies, "the others drop them")
		assert.Equal(t, row.Balancer, row.Runs[0].Balancer)
	}
	// Common random numbers make the paired interval tighter than the
	// unpaired ones would suggest.
	p2c := tab.Rows[1]
	assert.Less(t, p2c.MeanVsFirst.HalfWidth, first.Mean.HalfWidth+p2c.Mean.HalfWidth)
	require.Len(t, p2c.Servers, 6)
	assert.Equal(t, "n6", p2c.Servers[5].Name)
	assert.InDelta(t, 0.85, p2c.Servers[5].Utilisation.Mean, 0.05)
	assert.Equal(t, 5, p2c.Servers[5].MeanQueue.N)
	// The runs are the ones Run gives.
	r, err := Run(Config{Balancer: NameJSQ, Servers: make([]ServerSpec, 6), Load: 0.85, Requests: 8000,
		Warmup: 100 * time.Millisecond}, 3)
	require.NoError(t, err)
	assert.Equal(t, r.Fingerprint, tab.Rows[2].Runs[2].Fingerprint)

	_, err = Compare(Config{Requests: 10}, []string{"nope"}, []uint64{1})
	assert.ErrorIs(t, err, ErrUnknownBalancer)
	_, err = Compare(Config{Requests: 10}, nil, nil)
	assert.ErrorIs(t, err, ErrNoSeeds)
	_, err = Compare(Config{}, []string{NameRandom}, []uint64{1})
	assert.ErrorIs(t, err, ErrInvalidConfig, "a config error surfaces")
}

func TestCompareDefaultsToEveryBalancer(t *testing.T) {
	tab, err := Compare(Config{Servers: make([]ServerSpec, 3), Load: 0.5, Requests: 300}, nil, []uint64{1})
	require.NoError(t, err)
	var got []string
	for _, r := range tab.Rows {
		got = append(got, r.Balancer)
	}
	assert.Equal(t, CompareOrder(), got)
	assert.ElementsMatch(t, Names(), got)
	assert.Equal(t, NameRandom, got[0], "random is the baseline")
}

func TestTableText(t *testing.T) {
	tab := smallCompare(t)
	var a, b bytes.Buffer
	require.NoError(t, tab.WriteText(&a))
	require.NoError(t, smallCompare(t).WriteText(&b))
	assert.Equal(t, a.String(), b.String(), "deterministic text")
	lines := strings.Split(strings.TrimSpace(a.String()), "\n")
	require.Len(t, lines, 5, a.String())
	assert.Contains(t, lines[0], "5 seeds (1-5), 95% confidence intervals")
	assert.Contains(t, lines[1], "p99.9")
	assert.Contains(t, lines[1], "Δmean vs random")
	assert.NotContains(t, lines[1], "failed", "no failures, no column")
	assert.Contains(t, lines[3], "power-of-d:2")
	assert.Contains(t, lines[3], "±")
}

func TestTableJSON(t *testing.T) {
	tab, err := Compare(Config{Servers: make([]ServerSpec, 3), Load: 0.5, Requests: 300}, []string{NameRandom}, []uint64{9})
	require.NoError(t, err)
	data, err := json.Marshal(tab)
	require.NoError(t, err, "one seed gives infinite half-widths, which JSON must survive")
	var back map[string]any
	require.NoError(t, json.Unmarshal(data, &back))
	rows := back["rows"].([]any)
	row := rows[0].(map[string]any)
	assert.Equal(t, "random", row["balancer"])
	assert.Nil(t, row["latency_mean_ms"].(map[string]any)["half_width"])
}

func TestCompareScenario(t *testing.T) {
	s, err := scenarios.Parse("affinity.yaml", []byte(`
name: affinity-mini
description: a small membership change under consistent hashing
protocol: lb
params: {balancer: consistent-hash, load: 0.3, spares: 1, add_at: 200ms, cache_keys: 100, d: 3}
nodes: 4
clients: 1
workload: {ops: 1000, keys: 500, timeout: 50ms}
duration: 1s
faults:
  - {at: 500ms, crash: n2}
`), table)
	require.NoError(t, err)
	tab, err := CompareScenario(s, []string{"consistent-hash:ring", "consistent-hash:maglev", NameRandom}, []uint64{1, 2})
	require.NoError(t, err)
	assert.Equal(t, "affinity-mini", tab.Name)
	require.Len(t, tab.Rows, 3)
	for _, row := range tab.Rows[:2] {
		assert.Equal(t, 2, row.KeysMoved.N, "%s records keys moved", row.Balancer)
		assert.InDelta(t, 0.2, row.KeysMoved.Mean, 0.05, row.Balancer)
		assert.Positive(t, row.Failed.Mean, "the crash is part of the scenario")
	}
	assert.Zero(t, tab.Rows[2].KeysMoved.N, "random hashes nothing")
	assert.Greater(t, tab.Rows[0].HitRatio.Mean, tab.Rows[2].HitRatio.Mean, "affinity keeps caches warm")
	// The other parameters survive the override.
	assert.Equal(t, 3, s.Params.Int("d"))

	echo := *s
	echo.Protocol = &protocols.Protocol{Name: "echo"}
	_, err = CompareScenario(&echo, nil, []uint64{1})
	assert.ErrorIs(t, err, ErrInvalidConfig)
}
