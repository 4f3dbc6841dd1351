package stats

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSketchQuantilesWithinAccuracy checks the sketch against the exact
// empirical quantiles of the same values (Quantile, the slow obvious
// reference) on samples of several shapes, signs and sizes.
func TestSketchQuantilesWithinAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := []struct {
		name string
		draw func() float64
	}{
		{"exponential ms", func() float64 { return rng.ExpFloat64() }},
		{"lognormal ns", func() float64 { return 1e6 * math.Exp(2*rng.NormFloat64()) }},
		{"pareto", func() float64 { return math.Pow(rng.Float64(), -1/1.5) }},
		{"mixed signs and zeros", func() float64 {
			if rng.IntN(10) == 0 {
				return 0
			}
			return 100 * rng.NormFloat64()
		}},
		{"ties", func() float64 { return float64(1 + rng.IntN(5)) }},
		{"eighteen decimal orders", func() float64 { return math.Pow(10, 18*rng.Float64()-9) }},
		{"cauchy, both signs", func() float64 { return math.Tan(math.Pi * (rng.Float64() - 0.5)) }},
		{"negative, many orders", func() float64 { return -math.Exp(10 * rng.NormFloat64()) }},
	}
	ps := []float64{0, 0.001, 0.1, 0.25, 0.5, 0.9, 0.99, 0.999, 0.9999, 1}
	for _, sh := range shapes {
		for _, n := range []int{1, 7, 1000, 100000} {
			xs := make([]float64, n)
			var s Sketch
			for i := range xs {
				xs[i] = sh.draw()
				s.Add(xs[i])
			}
			slices.Sort(xs)
			for _, p := range ps {
				want, got := Quantile(xs, p), s.Quantile(p)
				require.InDelta(t, want, got, SketchAccuracy*math.Abs(want)+1e-300, "%s n=%d p=%v", sh.name, n, p)
			}
			for j, x := range s.Points(37) {
				require.Equal(t, s.Quantile((float64(j)+0.5)/37), x, "%s n=%d point %d is its quantile", sh.name, n, j)
			}
			exact, sum := Describe(xs), s.Summary()
			assert.Equal(t, exact.N, sum.N)
			assert.InDelta(t, exact.Mean, sum.Mean, 1e-9*math.Max(1, math.Abs(exact.Mean)), sh.name)
			assert.InDelta(t, exact.StdDev, sum.StdDev, 1e-6*math.Max(1, exact.StdDev), sh.name)
			assert.Equal(t, exact.Min, sum.Min)
			assert.Equal(t, exact.Max, sum.Max)
			assert.InDelta(t, exact.P99, sum.P99, SketchAccuracy*math.Abs(exact.P99), sh.name)
		}
	}
}

// TestSketchMemoryDoesNotGrowWithCount: once a sketch has seen the ends
// of a range, a million more values in it allocate nothing, and a million
// values take no more buckets than a thousand.
func TestSketchMemoryDoesNotGrowWithCount(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var small, big Sketch
	for _, s := range []*Sketch{&small, &big} {
		s.Add(0.01)
		s.Add(1000.01)
	}
	for i := 0; i < 1000; i++ {
		x := 0.01 + 1000*rng.Float64() // five decimal orders
		small.Add(x)
		big.Add(x)
	}
	allocs := testing.AllocsPerRun(1_000_000, func() { big.Add(0.01 + 1000*rng.Float64()) })
	assert.Zero(t, allocs, "adding inside the range seen allocates nothing")
	bins := func(s *Sketch) int { return len(s.pos.ToProto().ContiguousBinCounts) }
	assert.Equal(t, bins(&small), bins(&big), "the same range, the same buckets")
	assert.LessOrEqual(t, bins(&big), 17*201, "about 200 buckets per octave, 17 octaves")
	assert.Equal(t, 1_001_003, big.N(), "AllocsPerRun adds once more, to warm up")
}

func TestSketchMergeAddN(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var a, b, all Sketch
	for i := 0; i < 5000; i++ {
		x := rng.NormFloat64() * 10
		all.Add(x)
		if i%3 == 0 {
			a.Add(x)
		} else {
			b.Add(x)
		}
	}
	a.Merge(&b)
	ws, gs := all.Summary(), a.Summary()
	assert.InDelta(t, ws.Mean, gs.Mean, 1e-12, "merging is adding")
	assert.InDelta(t, ws.StdDev, gs.StdDev, 1e-9)
	ws.Mean, ws.StdDev, ws.CV, ws.MaxOverMean = 0, 0, 0, 0
	gs.Mean, gs.StdDev, gs.CV, gs.MaxOverMean = 0, 0, 0, 0
	assert.Equal(t, ws, gs, "the same counts, minimum and maximum")
	assert.Equal(t, all.Points(50), a.Points(50))

	var k Sketch
	k.AddN(3, 4)
	k.Add(1)
	k.AddN(2, 0) // nothing
	k.Add(math.NaN())
	k.Add(math.Inf(1))
	k.AddN(math.Inf(-1), 3)
	assert.Equal(t, 5, k.N(), "NaN and infinities are not counted")
	assert.InDelta(t, 1, k.Quantile(0.2), SketchAccuracy)
	assert.InDelta(t, 3, k.Quantile(0.21), 3*SketchAccuracy)
	assert.InDelta(t, 3, k.Quantile(1), 3*SketchAccuracy)
	assert.InDelta(t, 2.6, k.Summary().Mean, 1e-12)
	assert.True(t, math.IsNaN(k.Quantile(math.NaN())))

	var ones Sketch
	ones.AddN(1, 3) // 1 stands for its bucket as 1.0025
	for _, p := range []float64{0, 0.5, 1} {
		assert.Equal(t, 1.0, ones.Quantile(p), "clamped to the minimum and maximum")
	}
}

// TestSketchCloneIsIndependent: adding to a clone leaves the original as
// it was, and the other way round.
func TestSketchCloneIsIndependent(t *testing.T) {
	var s Sketch
	for i := 1; i <= 1000; i++ {
		s.Add(float64(i))
	}
	before := s.Summary()
	c := s.Clone()
	for i := 0; i < 3000; i++ {
		c.Add(-5000)
	}
	assert.Equal(t, before, s.Summary(), "the original is untouched")
	assert.InDelta(t, -5000, c.Quantile(0.5), 5000*SketchAccuracy)
	s.AddN(1e6, 10000)
	assert.InDelta(t, -5000, c.Quantile(0.5), 5000*SketchAccuracy, "the clone is untouched")
	assert.Equal(t, 4000, c.N())
}

// TestSketchZeroValue: the zero Sketch is empty, clones, merges both ways
// and takes values without being made.
func TestSketchZeroValue(t *testing.T) {
	var zero, full Sketch
	full.Add(2)
	full.Add(4)
	assert.Equal(t, Summary{}, zero.Clone().Summary())
	full.Merge(&zero)
	assert.Equal(t, 2, full.N(), "merging an empty sketch adds nothing")

	var into Sketch
	into.Merge(&full)
	assert.Equal(t, full.Summary(), into.Summary(), "merging into the zero Sketch copies")
	into.Add(6)
	assert.Equal(t, 2, full.N(), "and shares nothing")

	c := zero.Clone()
	c.Add(7)
	assert.Equal(t, 7.0, c.Quantile(0.5))
	assert.Zero(t, zero.N(), "a clone of the zero Sketch is its own")
}

func TestSketchEmptyAndPoints(t *testing.T) {
	var s Sketch
	assert.Equal(t, Summary{}, s.Summary())
	assert.True(t, math.IsNaN(s.Quantile(0.5)))
	assert.Nil(t, s.Points(10))
	for i := 1; i <= 100; i++ {
		s.Add(float64(i))
	}
	pts := s.Points(10)
	require.Len(t, pts, 10)
	assert.True(t, slices.IsSorted(pts))
	for j, x := range pts {
		assert.InDelta(t, s.Quantile((float64(j)+0.5)/10), x, 0, "point %d is its quantile", j)
	}
}

func BenchmarkSketchAdd(b *testing.B) {
	var s Sketch
	x := 0.123
	for i := 0; i < b.N; i++ {
		s.Add(x)
		x += 0.0001
		if x > 100 {
			x = 0.123
		}
	}
}

// BenchmarkSketchPoints is the CDF of a study's row: 20,000 points from
// latencies spanning five decimal orders.
func BenchmarkSketchPoints(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	var s Sketch
	s.Add(0.01)
	s.Add(1000)
	for i := 0; i < 100000; i++ {
		s.Add(rng.ExpFloat64())
	}
	for i := 0; i < b.N; i++ {
		s.Points(20000)
	}
}
