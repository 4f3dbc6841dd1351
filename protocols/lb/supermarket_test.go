package lb

import (
	"flag"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mat"

	"github.com/dsimlab/dsim/sim"
	"github.com/dsimlab/dsim/stats"
)

var supermarketSeeds = flag.Int("supermarket-seeds", 10, "replications per power-of-d theory check")

// supermarketLevels is how many levels x_1..x_K of the supermarket model
// the refined approximation keeps: x_K is below 1e-30 at load 0.95.
const supermarketLevels = 14

// refinedSupermarket returns the mean time in system, in units of the
// mean service time, that the power-of-d supermarket model predicts for n
// servers at load rho: the mean-field fixed point T_d(ρ) = Σ ρ^((dⁱ−d)/(d−1))
// (Vvedenskaya, Dobrushin and Karpelevich; Mitzenmacher), plus its 1/n
// correction, the refined mean-field approximation of Gast and Van Houdt
// (SIGMETRICS 2018): E[x] = x* + V/n + O(1/n²) with
//
//	V = −A⁻¹(½ ∂²f:W + g(x*)),  A W + W Aᵀ + Q = 0,
//
// where x_i is the fraction of servers with at least i requests, f the
// drift, A its Jacobian at x*, Q the jumps' covariance, W the stationary
// covariance of the fluctuations (times n) and g the drift's own 1/n term:
// zero for draws with replacement (the probability that all d draws find
// at least i requests is x_i^d exactly), and for d distinct servers
// Π_j (x_i − j/n)/(1 − j/n) = x_i^d − x_i^{d−1}(1−x_i)·d(d−1)/(2n) + O(1/n²).
// It returns the fixed point alone and the corrected value.
func refinedSupermarket(rho float64, d, n int, replace bool) (limit, corrected float64) {
	const k = supermarketLevels
	x := make([]float64, k+2) // x[0] = 1, x[k+1] = 0
	x[0] = 1
	for i := 1; i <= k; i++ {
		x[i] = math.Pow(rho, (math.Pow(float64(d), float64(i))-1)/float64(d-1))
	}
	fd := float64(d)
	s := func(y float64) float64 { return math.Pow(y, fd) }
	s1 := func(y float64) float64 { return fd * math.Pow(y, fd-1) }
	s2 := func(y float64) float64 { return fd * (fd - 1) * math.Pow(y, fd-2) }
	sigma := func(y float64) float64 { return -math.Pow(y, fd-1) * (1 - y) * fd * (fd - 1) / 2 }
	a := mat.NewDense(k, k, nil)
	q := mat.NewDense(k, k, nil)
	rhs := mat.NewVecDense(k, nil) // ½ ∂²f:W + g, filled after W
	for i := 1; i <= k; i++ {
		r := i - 1
		if i > 1 {
			a.Set(r, r-1, rho*s1(x[i-1]))
		}
		a.Set(r, r, -rho*s1(x[i])-1)
		if i < k {
			a.Set(r, r+1, 1)
		}
		q.Set(r, r, rho*(s(x[i-1])-s(x[i]))+(x[i]-x[i+1]))
	}
	w := lyapunov(a, q)
	for i := 1; i <= k; i++ {
		r := i - 1
		b := -rho * s2(x[i]) * w.At(r, r)
		if i > 1 {
			b += rho * s2(x[i-1]) * w.At(r-1, r-1)
		}
		g := 0.0
		if !replace {
			g = rho * (sigma(x[i-1]) - sigma(x[i]))
		}
		rhs.SetVec(r, b/2+g)
	}
	var v mat.VecDense
	if err := v.SolveVec(a, rhs); err != nil {
		panic(err)
	}
	sumX, sumV := 0.0, 0.0
	for i := 1; i <= k; i++ {
		sumX += x[i]
		sumV -= v.AtVec(i - 1)
	}
	// Little's law: the mean number per server over the arrival rate per
	// server, ρ (service rate 1).
	return sumX / rho, (sumX + sumV/float64(n)) / rho
}

// lyapunov solves A W + W Aᵀ + Q = 0 for W through the Kronecker form
// (I⊗A + A⊗I) vec(W) = −vec(Q).
func lyapunov(a, q *mat.Dense) *mat.Dense {
	k, _ := a.Dims()
	big := mat.NewDense(k*k, k*k, nil)
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			for l := 0; l < k; l++ {
				// Row (i, j) of vec: (A W)_ij = Σ_l A_il W_lj; (W Aᵀ)_ij = Σ_l W_il A_jl.
				big.Set(i*k+j, l*k+j, big.At(i*k+j, l*k+j)+a.At(i, l))
				big.Set(i*k+j, i*k+l, big.At(i*k+j, i*k+l)+a.At(j, l))
			}
		}
	}
	rhs := mat.NewVecDense(k*k, nil)
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			rhs.SetVec(i*k+j, -q.At(i, j))
		}
	}
	var out mat.VecDense
	if err := out.SolveVec(big, rhs); err != nil {
		panic(err)
	}
	return mat.NewDense(k, k, out.RawVector().Data)
}

func TestRefinedSupermarketFormulas(t *testing.T) {
	// The fixed point is the closed form T_d(ρ) = Σ ρ^((dⁱ−d)/(d−1)).
	limit, _ := refinedSupermarket(0.9, 2, 100, true)
	assert.InDelta(t, supermarket(0.9, 2), limit, 1e-9)
	// The corrections are positive (finite systems do worse than the
	// limit), shrink as 1/n, and distinct draws do better than repeated.
	_, rep10 := refinedSupermarket(0.9, 2, 10, true)
	_, rep100 := refinedSupermarket(0.9, 2, 100, true)
	_, dis100 := refinedSupermarket(0.9, 2, 100, false)
	assert.Greater(t, rep100, limit)
	assert.InDelta(t, 10*(rep100-limit), rep10-limit, 1e-9, "the correction is V/n")
	assert.Less(t, dis100, rep100)
}

// TestPowerOfDMatchesItsTheory runs power of d choices on n = 100 servers
// with a network that takes no time (the balancer knows every queue
// exactly, as the supermarket model assumes) and holds the mean time in
// system of each variant, d distinct servers and d draws with replacement,
// to its own prediction: the mean-field fixed point T_d(ρ) plus the 1/n
// correction of the refined approximation (refinedSupermarket). What the
// approximation leaves out is O(1/n²): at n = 100 the correction itself is
// about 1% of T_d, so the remainder, a correction's worth of a correction,
// is about 0.01%, a hundredth of the intervals' half-widths (about 1% at
// ρ = 0.9 with 10 seeds of 400,000 requests); the test allows it on top of
// the interval. The fixed point alone, without the
// correction, must fall outside the with-replacement interval at ρ = 0.9,
// and the two variants' paired difference (same seeds, same requests: the
// noise they share cancels) must exclude zero and contain the predicted
// difference, so the test tells the variants apart and would catch one
// sampled the other's way.
func TestPowerOfDMatchesItsTheory(t *testing.T) {
	if testing.Short() {
		t.Skip("long: about 30 s of simulation")
	}
	const n = 100
	cases := []struct {
		rho float64
		d   int
	}{{0.9, 2}, {0.7, 2}, {0.9, 3}}
	level := bonferroni(3 * len(cases))
	for _, tc := range cases {
		cfg := Config{Servers: make([]ServerSpec, n), Load: tc.rho, Requests: 400000, Warmup: 100 * time.Millisecond,
			Link: sim.LinkConfig{Latency: sim.Constant(0)}, Options: Options{D: tc.d}, Balancer: NamePowerOfD}
		runs := map[bool][]float64{}
		for _, replace := range []bool{false, true} {
			c := cfg
			c.Options.Replace = replace
			runs[replace] = replicateN(t, c, *supermarketSeeds, func(r *Result) float64 { return r.Sojourn.Mean })
		}
		limit, withRep := refinedSupermarket(tc.rho, tc.d, n, true)
		_, distinct := refinedSupermarket(tc.rho, tc.d, n, false)
		slack := math.Abs(withRep-limit) * math.Abs(withRep-limit) / limit // O(1/n²): the correction squared, relative
		for _, replace := range []bool{false, true} {
			want := map[bool]float64{false: distinct, true: withRep}[replace]
			ci := stats.MeanCI(runs[replace], level)
			assert.True(t, ci.Lo-slack <= want && want <= ci.Hi+slack,
				"ρ=%v d=%d replace=%v: sojourn %v should contain %.5g (limit %.5g)", tc.rho, tc.d, replace, ci, want, limit)
			assert.Less(t, ci.HalfWidth, 0.015*want, "interval %v too wide to test anything", ci)
			t.Logf("ρ=%v d=%d replace=%-5v n=%d: simulated %.5g ± %.2g, theory %.5g (fixed point %.5g)",
				tc.rho, tc.d, replace, n, ci.Mean, ci.HalfWidth, want, limit)
		}
		gap := stats.PairedCI(runs[true], runs[false], level)
		assert.True(t, gap.Lo-slack <= withRep-distinct && withRep-distinct <= gap.Hi+slack,
			"ρ=%v d=%d: with − without replacement %v should contain %.4g", tc.rho, tc.d, gap, withRep-distinct)
		assert.Greater(t, gap.Lo, 0.0, "ρ=%v d=%d: the variants must differ measurably: %v", tc.rho, tc.d, gap)
		if tc.rho == 0.9 && tc.d == 2 {
			assert.False(t, stats.MeanCI(runs[true], level).Contains(limit), "the fixed point alone is off at n = 100")
		}
		t.Logf("ρ=%v d=%d: with − without replacement %v, predicted %.4g", tc.rho, tc.d, gap, withRep-distinct)
	}
}

// replicateN runs cfg with seeds 1..k and returns f of each result.
func replicateN(t *testing.T, cfg Config, k int, f func(*Result) float64) []float64 {
	t.Helper()
	out := make([]float64, k)
	for i := range out {
		r, err := simulate(cfg, uint64(i+1))
		require.NoError(t, err)
		require.Zero(t, r.Failed)
		out[i] = f(r)
	}
	return out
}

// TestPowerOfDWithReplacementPicks: with two independent draws over
// servers ranked by queue, server i wins when the better draw is i:
// probability ((n−i)² − (n−i−1)²)/n², the longest queue included (drawn
// twice). The spec power-of-d:2:replace selects it.
func TestPowerOfDWithReplacementPicks(t *testing.T) {
	const n, k = 10, 40000
	v := testView(n, 3)
	for i := range v.Servers {
		v.Servers[i].Reported = i
	}
	name, opts, err := ParseSpec("power-of-d:2:replace", Options{})
	require.NoError(t, err)
	b, err := New(name, opts)
	require.NoError(t, err)
	require.True(t, b.(*PowerOfD).Replacement())
	counts := picks(b, v, k)
	for i := 0; i < n; i++ {
		m := float64(n - i)
		want := (m*m - (m-1)*(m-1)) / (n * n)
		assert.InDelta(t, want, float64(counts[i])/k, 0.01, "server %d", i)
	}
	assert.Positive(t, counts[n-1], "the longest queue wins when it is drawn twice")
	_, _, err = ParseSpec("power-of-d:2:twice", Options{})
	assert.ErrorIs(t, err, ErrInvalidConfig)
}
