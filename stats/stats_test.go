package stats

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDescribe(t *testing.T) {
	hundred := make([]float64, 100)
	for i := range hundred {
		hundred[i] = float64(100 - i) // 100..1, unsorted
	}
	tests := []struct {
		name string
		in   []float64
		want Summary
	}{
		{"empty", nil, Summary{}},
		{"one", []float64{3}, Summary{N: 1, Mean: 3, Min: 3, Max: 3, MaxOverMean: 1, P50: 3, P90: 3, P99: 3, P999: 3}},
		{"two", []float64{1, 3}, Summary{N: 2, Mean: 2, StdDev: 1, CV: 0.5, Min: 1, Max: 3, MaxOverMean: 1.5,
			P50: 1, P90: 3, P99: 3, P999: 3}},
		{"1..100", hundred, Summary{N: 100, Mean: 50.5, StdDev: math.Sqrt((100*100 - 1) / 12.0),
			CV: math.Sqrt((100*100-1)/12.0) / 50.5, Min: 1, Max: 100, MaxOverMean: 100 / 50.5,
			P50: 50, P90: 90, P99: 99, P999: 100}},
		{"zero mean", []float64{-1, 1}, Summary{N: 2, StdDev: 1, Min: -1, Max: 1, P50: -1, P90: 1, P99: 1, P999: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := slices.Clone(tt.in)
			got := Describe(tt.in)
			assert.Equal(t, before, tt.in, "Describe modified its input")
			assert.Equal(t, tt.want.N, got.N)
			for _, f := range []struct {
				name      string
				got, want float64
			}{
				{"mean", got.Mean, tt.want.Mean}, {"stddev", got.StdDev, tt.want.StdDev}, {"cv", got.CV, tt.want.CV},
				{"min", got.Min, tt.want.Min}, {"max", got.Max, tt.want.Max}, {"max/mean", got.MaxOverMean, tt.want.MaxOverMean},
				{"p50", got.P50, tt.want.P50}, {"p90", got.P90, tt.want.P90}, {"p99", got.P99, tt.want.P99}, {"p99.9", got.P999, tt.want.P999},
			} {
				assert.InDelta(t, f.want, f.got, 1e-9, f.name)
			}
		})
	}
}

// TestQuantileReference checks Quantile against the definition, written the
// obvious slow way, on random samples and probabilities.
func TestQuantileReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for trial := 0; trial < 200; trial++ {
		n := 1 + rng.IntN(50)
		xs := make([]float64, n)
		for i := range xs {
			xs[i] = float64(rng.IntN(20)) // ties on purpose
		}
		slices.Sort(xs)
		p := rng.Float64()
		want := math.Inf(1)
		for _, x := range xs { // smallest x with #(samples <= x) >= p*n
			c := 0
			for _, y := range xs {
				if y <= x {
					c++
				}
			}
			if float64(c) >= p*float64(n) && x < want {
				want = x
			}
		}
		require.Equal(t, want, Quantile(xs, p), "n=%d p=%v xs=%v", n, p, xs)
	}
	assert.True(t, math.IsNaN(Quantile(nil, 0.5)))
}

func TestCVAndMaxOverMean(t *testing.T) {
	tests := []struct {
		in        []float64
		cv, ratio float64
	}{
		{nil, 0, 0},
		{[]float64{5, 5, 5, 5}, 0, 1},
		{[]float64{0, 10}, 1, 2},
		{[]float64{2, 4, 6}, math.Sqrt(8.0/3) / 4, 1.5},
		{[]float64{0, 0}, 0, 0},
	}
	for _, tt := range tests {
		assert.InDelta(t, tt.cv, CV(tt.in), 1e-12, "CV(%v)", tt.in)
		assert.InDelta(t, tt.ratio, MaxOverMean(tt.in), 1e-12, "MaxOverMean(%v)", tt.in)
		if len(tt.in) > 0 {
			s := Describe(tt.in)
			assert.InDelta(t, CV(tt.in), s.CV, 1e-12)
			assert.InDelta(t, MaxOverMean(tt.in), s.MaxOverMean, 1e-12)
		}
	}
}

// TestMeanCIStudentT pins the half-width to Student's t quantiles from a
// printed table (two-sided 95% and 99%).
func TestMeanCIStudentT(t *testing.T) {
	tests := []struct {
		n     int
		level float64
		t     float64 // t quantile for n-1 degrees of freedom
	}{
		{2, 0.95, 12.706},
		{5, 0.95, 2.776},
		{10, 0.95, 2.262},
		{30, 0.95, 2.045},
		{10, 0.99, 3.250},
	}
	for _, tt := range tests {
		xs := make([]float64, tt.n)
		for i := range xs {
			xs[i] = float64(i % 2) // mean near 0.5, known sd
		}
		mean := 0.0
		for _, x := range xs {
			mean += x
		}
		mean /= float64(tt.n)
		ss := 0.0
		for _, x := range xs {
			ss += (x - mean) * (x - mean)
		}
		se := math.Sqrt(ss/float64(tt.n-1)) / math.Sqrt(float64(tt.n))
		iv := MeanCI(xs, tt.level)
		assert.Equal(t, tt.n, iv.N)
		assert.InDelta(t, mean, iv.Mean, 1e-12)
		assert.InDelta(t, tt.t*se, iv.HalfWidth, 1e-3*se, "n=%d level=%v", tt.n, tt.level)
		assert.InDelta(t, iv.Mean-iv.HalfWidth, iv.Lo, 1e-12)
		assert.InDelta(t, iv.Mean+iv.HalfWidth, iv.Hi, 1e-12)
	}
}

func TestMeanCIEdges(t *testing.T) {
	assert.Equal(t, Interval{Level: 0.95}, MeanCI(nil, 0.95))
	one := MeanCI([]float64{4}, 0.95)
	assert.Equal(t, 4.0, one.Mean)
	assert.True(t, math.IsInf(one.HalfWidth, 1))
	assert.True(t, one.Contains(1e300))
	same := MeanCI([]float64{2, 2, 2}, 0.95)
	assert.Equal(t, 0.0, same.HalfWidth)
	assert.True(t, same.Contains(2))
	assert.False(t, same.Contains(2.0001))
	assert.Panics(t, func() { MeanCI([]float64{1, 2}, 1) })
	assert.Panics(t, func() { MeanCI([]float64{1, 2}, 0) })
	assert.Equal(t, "n/a", Interval{}.String())
	assert.Equal(t, "4.12 ± 0.31", Interval{N: 3, Mean: 4.1234, HalfWidth: 0.3071}.String())
}

// TestMeanCICoverage draws many small normal samples and checks that the
// 95% interval contains the true mean about 95% of the time: a wrong t
// quantile (say, the normal 1.96 with n=5) would cover far less.
func TestMeanCICoverage(t *testing.T) {
	for _, n := range []int{3, 5, 20} {
		rng := rand.New(rand.NewPCG(uint64(n), 99))
		const trials = 4000
		covered := 0
		xs := make([]float64, n)
		for trial := 0; trial < trials; trial++ {
			for i := range xs {
				xs[i] = 10 + 3*rng.NormFloat64()
			}
			if MeanCI(xs, 0.95).Contains(10) {
				covered++
			}
		}
		frac := float64(covered) / trials
		// The binomial standard error at 4000 trials is 0.0034: ±0.015 is
		// over four of them.
		assert.InDelta(t, 0.95, frac, 0.015, "n=%d coverage", n)
	}
}

// TestPairedCI shows why common random numbers matter: two noisy samples
// that share their noise have a tight paired interval for their difference.
func TestPairedCI(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	a, b := make([]float64, 20), make([]float64, 20)
	for i := range a {
		noise := 100 * rng.NormFloat64()
		a[i] = 50 + noise + rng.NormFloat64()
		b[i] = 45 + noise + rng.NormFloat64()
	}
	d := PairedCI(a, b, 0.95)
	assert.True(t, d.Contains(5), "paired interval %v should contain the true difference 5", d)
	assert.Greater(t, d.Lo, 0.0, "paired interval %v should exclude 0", d)
	ia, ib := MeanCI(a, 0.95), MeanCI(b, 0.95)
	assert.True(t, ia.Lo < ib.Hi && ib.Lo < ia.Hi, "unpaired intervals overlap: the noise hides the difference")
	assert.Panics(t, func() { PairedCI(a, b[:3], 0.95) })
}

func TestIntervalJSON(t *testing.T) {
	b, err := json.Marshal(MeanCI([]float64{4}, 0.95))
	require.NoError(t, err)
	assert.JSONEq(t, `{"n":1,"level":0.95,"mean":4,"half_width":null,"lo":null,"hi":null}`, string(b))
	b, err = json.Marshal(MeanCI([]float64{1, 3}, 0.9))
	require.NoError(t, err)
	var back struct{ Mean, Lo, Hi float64 }
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, 2.0, back.Mean)
	assert.Less(t, back.Lo, 2.0)
	assert.Greater(t, back.Hi, 2.0)
}
