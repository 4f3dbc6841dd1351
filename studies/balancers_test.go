package studies_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols/lb"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/studies"
)

func parse(t *testing.T, yaml string) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Parse("test.yaml", []byte(yaml), studies.Catalog().Protocols())
	require.NoError(t, err)
	return s
}

// busy is six servers at 85% load, one balancer node.
const busy = `
name: lb-busy
protocol: lb
params: {load: 0.85, warmup: 100ms}
nodes: 6
clients: 1
network:
  latency: {kind: uniform, min: 50us, max: 150us}
workload: {ops: 8000, timeout: 1s}
duration: 10s
`

func smallCompare(t *testing.T, jobs int) *studies.Balancers {
	t.Helper()
	b, err := studies.CompareBalancers(context.Background(), parse(t, busy),
		[]string{lb.NameRandom, "power-of-d:2", lb.NameJSQ}, studies.SeedRange(1, 5), jobs)
	require.NoError(t, err)
	return b
}

func TestCompareBalancers(t *testing.T) {
	tab := smallCompare(t, 2).Table
	require.Len(t, tab.Rows, 3)
	assert.Equal(t, []uint64{1, 2, 3, 4, 5}, tab.Seeds)
	assert.Equal(t, "balancer", tab.Axis)
	first, _ := tab.Cell(lb.NameRandom, "latency mean")
	assert.Equal(t, 0.0, first.VsFirst.Mean, "against itself the paired difference is exactly zero")
	assert.Equal(t, 0.0, first.VsFirst.HalfWidth)
	for _, spec := range []string{"power-of-d:2", lb.NameJSQ} {
		mean, _ := tab.Cell(spec, "latency mean")
		p99, _ := tab.Cell(spec, "latency p99")
		assert.Less(t, mean.VsFirst.Hi, 0.0, "%s beats random with 95%% confidence", spec)
		assert.Less(t, p99.VsFirst.Hi, 0.0, "%s beats random's p99", spec)
	}
	// Common random numbers make the paired interval tighter than the
	// unpaired ones would suggest.
	p2c, _ := tab.Cell("power-of-d:2", "latency mean")
	assert.Less(t, p2c.VsFirst.HalfWidth, first.Mean.HalfWidth+p2c.Mean.HalfWidth)
	util, ok := tab.Cell("power-of-d:2", "n6 utilisation")
	require.True(t, ok, "each server's load is a detail column")
	assert.InDelta(t, 0.85, util.Mean.Mean, 0.05)
	assert.Equal(t, 5, util.Mean.N)
	failed, _ := tab.Cell(lb.NameJSQ, "failed")
	assert.Zero(t, failed.Mean.Mean)

	var text bytes.Buffer
	require.NoError(t, tab.WriteText(&text))
	lines := strings.Split(strings.TrimSpace(text.String()), "\n")
	require.Len(t, lines, 5, text.String())
	assert.Contains(t, lines[0], "5 seeds (1-5), 95% Student-t confidence intervals")
	for _, h := range []string{"p99.9 (ms)", "Δmean vs random (ms)", "Δp99 vs random (ms)", "load max/mean"} {
		assert.Contains(t, lines[1], h)
	}
	for _, h := range []string{"failed", "hit ratio", "keys moved", "utilisation", "p90"} {
		assert.NotContains(t, lines[1], h, "no failures, no caches, no moves, no details")
	}
	assert.Contains(t, lines[3], "power-of-d:2")
	assert.Contains(t, lines[3], "±")
}

func TestCompareBalancersDefaultsToEveryBalancer(t *testing.T) {
	b, err := studies.CompareBalancers(context.Background(), load(t, "lb-load-50"), nil, []uint64{1}, 0)
	require.NoError(t, err)
	var got []string
	for _, r := range b.Table.Rows {
		got = append(got, r.Case)
	}
	assert.Equal(t, studies.BalancerOrder(), got)
	assert.ElementsMatch(t, lb.Names(), got)
	assert.Equal(t, lb.NameRandom, got[0], "random is the baseline")
}

func TestCompareBalancersRejects(t *testing.T) {
	ctx := context.Background()
	_, err := studies.CompareBalancers(ctx, load(t, "echo-calm"), nil, []uint64{1}, 0)
	assert.ErrorIs(t, err, studies.ErrBadStudy)
	assert.ErrorContains(t, err, "not an lb scenario")
	_, err = studies.CompareBalancers(ctx, load(t, "lb-load-50"), []string{"nope"}, []uint64{1}, 0)
	assert.ErrorIs(t, err, lb.ErrUnknownBalancer)
	_, err = studies.CompareBalancers(ctx, load(t, "lb-load-50"), nil, nil, 0)
	assert.ErrorIs(t, err, studies.ErrNoSeeds)
}

// affinity is a small membership change under consistent hashing, with a
// crash.
const affinity = `
name: affinity-mini
protocol: lb
params: {balancer: consistent-hash, load: 0.3, spares: 1, add_at: 200ms, cache_keys: 100, d: 3}
nodes: 4
clients: 1
workload: {ops: 1000, keys: 500, timeout: 50ms}
duration: 1s
faults:
  - {at: 500ms, crash: n2}
`

func TestCompareBalancersOnAScenarioWithFaults(t *testing.T) {
	s := parse(t, affinity)
	b, err := studies.CompareBalancers(context.Background(), s,
		[]string{"consistent-hash:ring", "consistent-hash:maglev", lb.NameRandom}, []uint64{1, 2}, 2)
	require.NoError(t, err)
	tab := b.Table
	assert.Equal(t, "affinity-mini", tab.Name)
	for _, spec := range []string{"consistent-hash:ring", "consistent-hash:maglev"} {
		moved, _ := tab.Cell(spec, "keys moved")
		failed, _ := tab.Cell(spec, "failed")
		assert.Equal(t, 2, moved.Mean.N, "%s records keys moved", spec)
		assert.InDelta(t, 0.2, moved.Mean.Mean, 0.05, spec)
		assert.Positive(t, failed.Mean.Mean, "the crash is part of the scenario")
	}
	moved, _ := tab.Cell(lb.NameRandom, "keys moved")
	assert.Zero(t, moved.Mean.N, "random hashes nothing")
	ring, _ := tab.Cell("consistent-hash:ring", "hit ratio")
	rnd, _ := tab.Cell(lb.NameRandom, "hit ratio")
	assert.Greater(t, ring.Mean.Mean, rnd.Mean.Mean, "affinity keeps caches warm")
	assert.Equal(t, 3, s.Params.Int("d"), "the base is left as it was")
	assert.Equal(t, "consistent-hash", s.Params.String("balancer"))
}

func TestBalancerPlots(t *testing.T) {
	draw := func() *studies.Balancers {
		b, err := studies.CompareBalancers(context.Background(), parse(t, affinity),
			[]string{lb.NameRandom, "consistent-hash:ring", "consistent-hash:maglev"}, []uint64{1, 2}, 0)
		require.NoError(t, err)
		return b
	}
	b, again := draw(), draw()
	plots, plots2 := b.Plots(), again.Plots()
	require.Len(t, plots, 3, "a CDF, the load and the keys moved")
	for i, p := range plots {
		t.Run("plot"+p.Suffix, func(t *testing.T) {
			var png, png2, svg bytes.Buffer
			require.NoError(t, p.Draw(&png, studies.FormatPNG))
			assert.Equal(t, []byte("\x89PNG\r\n\x1a\n"), png.Bytes()[:8])
			require.NoError(t, plots2[i].Draw(&png2, studies.FormatPNG))
			assert.Equal(t, png.Bytes(), png2.Bytes(), "same study, same bytes")
			require.NoError(t, p.Draw(&svg, studies.FormatSVG))
			assert.Contains(t, svg.String(), "consistent-hash:maglev", "the legend names the balancers")
			assert.Error(t, p.Draw(&svg, "gif"))
		})
	}
	plain, err := studies.CompareBalancers(context.Background(), load(t, "lb-load-50"), []string{lb.NameRandom}, []uint64{1}, 0)
	require.NoError(t, err)
	assert.Len(t, plain.Plots(), 2, "no keys moved, no plot of them")
	var buf bytes.Buffer
	assert.ErrorIs(t, plain.PlotKeysMoved(&buf, studies.FormatPNG), studies.ErrNothingToPlot)
}

// TestCompareBalancersIsTheSameForAnyJobs: seeds run in parallel through
// the runner, and the table, its JSON (every seed's value) included, and
// the plots' data do not depend on how many run at once.
func TestCompareBalancersIsTheSameForAnyJobs(t *testing.T) {
	var outs []string
	for _, jobs := range []int{1, 2, 5} {
		b := smallCompare(t, jobs)
		js, err := b.Table.MarshalJSON()
		require.NoError(t, err)
		var svg bytes.Buffer
		require.NoError(t, b.PlotLatencyCDF(&svg, studies.FormatSVG))
		outs = append(outs, string(js)+svg.String())
	}
	assert.Equal(t, outs[0], outs[1], "jobs 1 and 2")
	assert.Equal(t, outs[0], outs[2], "jobs 1 and 5")
}
