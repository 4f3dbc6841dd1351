package protocols_test

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols"
)

func TestGeneratorFollowsTheMixAndKeyDistribution(t *testing.T) {
	const n = 100_000
	wl := protocols.Workload{Mix: []protocols.MixEntry{{Op: "get", Weight: 3}, {Op: "put", Weight: 1}}, Keys: 10, Distribution: "uniform"}
	g := protocols.NewGenerator(wl, rand.New(rand.NewPCG(1, 2)))
	kinds := map[string]int{}
	keys := make([]int, 10)
	for i := 0; i < n; i++ {
		op := g.Next()
		kinds[op.Kind]++
		k, err := strconv.Atoi(strings.TrimPrefix(op.Key, "k"))
		require.NoError(t, err)
		keys[k]++
	}
	within4Sigma(t, "get share", float64(kinds["get"])/n, 0.75, n)
	for k, c := range keys {
		within4Sigma(t, "key share "+strconv.Itoa(k), float64(c)/n, 0.1, n)
	}

	wl.Distribution, wl.ZipfS = "zipf", 1.5
	z := protocols.NewGenerator(wl, rand.New(rand.NewPCG(1, 2)))
	counts := make([]int, 10)
	for i := 0; i < n; i++ {
		counts[z.KeyIndex()]++
	}
	for k := 1; k < 10; k++ {
		assert.Greater(t, counts[k-1], counts[k], "zipf: key %d is more popular than key %d", k-1, k)
	}
	// P(k) ∝ (1+k)^-s: key 0 against key 1 should be 2^1.5.
	assert.InDelta(t, math.Pow(2, 1.5), float64(counts[0])/float64(counts[1]), 0.15)
}

func TestGapOpenAndClosedLoop(t *testing.T) {
	open := protocols.NewGenerator(protocols.Workload{Rate: 1000}, rand.New(rand.NewPCG(3, 4)))
	sum := 0.0
	const n = 50_000
	for i := 0; i < n; i++ {
		sum += float64(open.Gap())
	}
	mean := sum / n
	assert.InDelta(t, 1e6, mean, 4*1e6/math.Sqrt(n), "Poisson arrivals at 1000/s have a 1ms mean gap")
	closed := protocols.NewGenerator(protocols.Workload{Think: 7}, rand.New(rand.NewPCG(3, 4)))
	assert.Equal(t, int64(7), int64(closed.Gap()))
}

func TestShareSplitsEveryOperation(t *testing.T) {
	for _, tt := range []struct{ ops, clients int }{{10, 3}, {0, 2}, {7, 7}, {1000, 3}, {5, 9}} {
		wl := protocols.Workload{Ops: tt.ops}
		total := 0
		for i := 0; i < tt.clients; i++ {
			s := wl.Share(i, tt.clients)
			assert.LessOrEqual(t, s, tt.ops/tt.clients+1)
			total += s
		}
		assert.Equal(t, tt.ops, total)
	}
}

func within4Sigma(t *testing.T, what string, got, p float64, n int) {
	t.Helper()
	sigma := math.Sqrt(p * (1 - p) / float64(n))
	assert.InDelta(t, p, got, 4*sigma, "%s %.4f, want %.4f", what, got, p)
}
