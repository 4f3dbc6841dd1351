package lb

import (
	"flag"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/stats"
)

// theorySeeds is the number of independent replications behind each
// confidence interval in the queueing-theory tests. More seeds tighten the
// intervals; the checks stay valid.
var theorySeeds = flag.Int("theory-seeds", 12, "replications (seeds) per queueing-theory check")

// replicate runs cfg with seeds 1..theorySeeds and returns f of each result.
func replicate(t *testing.T, cfg Config, f func(*Result) float64) []float64 {
	t.Helper()
	out := make([]float64, *theorySeeds)
	for i := range out {
		r, err := simulate(cfg, uint64(i+1))
		require.NoError(t, err)
		require.Zero(t, r.Failed, "no request may time out in a stable queue")
		out[i] = f(r)
	}
	return out
}

// bonferroni returns the per-check confidence level that keeps a family of
// k checks at 95%: each check then fails by chance with probability
// 0.05/k, the family with at most 0.05.
func bonferroni(k int) float64 { return 1 - 0.05/float64(k) }

// TestRandomIsMM1 holds the simulation to queueing theory: with Poisson
// arrivals split at random over n servers, each server sees Poisson
// arrivals of rate λ_i = λ/n, and with exponential service of rate μ it is
// an M/M/1 queue. Its time in system is exponential with rate μ−λ_i: mean
// 1/(μ−λ_i), and q-quantile ln(1/(1−q))/(μ−λ_i). The mean, median, p90 and
// p99 of the sojourn measured across seeds must each contain the theory
// within its confidence interval, and the intervals must be tight enough
// (5% for the mean, 12% for the quantiles) to mean something.
func TestRandomIsMM1(t *testing.T) {
	const mu = 1.0 // per ms: 1ms mean service
	loads := []float64{0.3, 0.5, 0.7, 0.85}
	type stat struct {
		name  string
		get   func(*Result) float64
		q     float64 // quantile, or 0 for the mean
		width float64 // largest relative half-width
	}
	statsToCheck := []stat{
		{"mean", func(r *Result) float64 { return r.Sojourn.Mean }, 0, 0.05},
		{"p50", func(r *Result) float64 { return r.Sojourn.P50 }, 0.5, 0.12},
		{"p90", func(r *Result) float64 { return r.Sojourn.P90 }, 0.9, 0.12},
		{"p99", func(r *Result) float64 { return r.Sojourn.P99 }, 0.99, 0.12},
	}
	level := bonferroni(len(loads) * len(statsToCheck))
	for _, rho := range loads {
		cfg := Config{Balancer: NameRandom, Servers: make([]ServerSpec, 4), Load: rho,
			Requests: int(12000 / (1 - rho)), Warmup: 300 * time.Millisecond}
		runs := make([]*Result, *theorySeeds)
		for i := range runs {
			r, err := simulate(cfg, uint64(i+1))
			require.NoError(t, err)
			require.Zero(t, r.Failed)
			runs[i] = r
		}
		rate := mu - rho*mu
		for _, st := range statsToCheck {
			ci := stats.MeanCI(collect(runs, st.get), level)
			want := 1 / rate
			if st.q > 0 {
				want = math.Log(1/(1-st.q)) / rate
			}
			assert.True(t, ci.Contains(want), "ρ=%.2f: sojourn %s %v ms (%.4g%% CI) should contain M/M/1's %.4g ms",
				rho, st.name, ci, 100*level, want)
			assert.Less(t, ci.HalfWidth, st.width*want, "ρ=%.2f: %s interval %v too wide to test anything", rho, st.name, ci)
			t.Logf("ρ=%.2f: sojourn %s %v ms, M/M/1 predicts %.4g", rho, st.name, ci, want)
		}
	}
}

// TestRandomHeterogeneousIsMM1 checks each server on its own: with speeds 1,
// 1, 2 and 4, random routing gives every server λ/4 but service rates
// μ_i = speed_i/ms, so each is its own M/M/1 queue with its own 1/(μ_i−λ_i).
func TestRandomHeterogeneousIsMM1(t *testing.T) {
	speeds := []float64{1, 1, 2, 4}
	servers := make([]ServerSpec, len(speeds))
	for i, s := range speeds {
		servers[i].Speed = s
	}
	// Load 0.35 of the total capacity 8/ms: λ = 2.8/ms, λ_i = 0.7/ms, so the
	// slow servers run at 70%.
	cfg := Config{Balancer: NameRandom, Servers: servers, Load: 0.35, Requests: 80000, Warmup: 300 * time.Millisecond}
	runs := make([]*Result, *theorySeeds)
	for i := range runs {
		r, err := simulate(cfg, uint64(i+1))
		require.NoError(t, err)
		runs[i] = r
	}
	level := bonferroni(len(speeds))
	for j, s := range speeds {
		xs := collect(runs, func(r *Result) float64 { return r.Servers[j].MeanSojourn })
		ci := stats.MeanCI(xs, level)
		want := 1 / (s - 0.7)
		assert.True(t, ci.Contains(want), "server %d (speed %v): sojourn %v should contain %.4g ms", j, s, ci, want)
		assert.Less(t, ci.HalfWidth, 0.06*want, "server %d: interval %v too wide", j, ci)
	}
}

// TestRandomLogNormalIsMG1 checks the log-normal service distribution with
// the Pollaczek–Khinchine formula: an M/G/1 queue's mean time in system is
// E[S] + λ·E[S²]/(2(1−ρ)), and a log-normal with shape σ has
// E[S²] = E[S]²·exp(σ²).
func TestRandomLogNormalIsMG1(t *testing.T) {
	const rho, sigma = 0.6, 1.0
	cfg := Config{Balancer: NameRandom, Servers: make([]ServerSpec, 4), Load: rho,
		Service: Service{Kind: ServiceLogNormal, Sigma: sigma}, Requests: 60000, Warmup: 300 * time.Millisecond}
	ci := stats.MeanCI(replicate(t, cfg, func(r *Result) float64 { return r.Sojourn.Mean }), 0.95)
	want := 1 + rho*math.Exp(sigma*sigma)/(2*(1-rho))
	assert.True(t, ci.Contains(want), "sojourn %v should contain the P-K mean %.4g ms", ci, want)
	assert.Less(t, ci.HalfWidth, 0.06*want, "interval %v too wide", ci)
}

// TestParetoSizesHaveTheirMean checks the heavy-tailed sizes the only way
// their moments allow (the P-K mean needs a third moment that Pareto with
// α=2.5 lacks): the servers' utilisation is the offered load.
func TestParetoSizesHaveTheirMean(t *testing.T) {
	const rho = 0.5
	cfg := Config{Balancer: NameRoundRobin, Servers: make([]ServerSpec, 4), Load: rho,
		Service: Service{Kind: ServicePareto, Alpha: 2.5}, Requests: 40000, Warmup: 100 * time.Millisecond}
	util := func(r *Result) float64 {
		u := 0.0
		for _, s := range r.Servers {
			u += s.Utilisation / float64(len(r.Servers))
		}
		return u
	}
	ci := stats.MeanCI(replicate(t, cfg, util), 0.95)
	assert.True(t, ci.Contains(rho), "utilisation %v should contain the load %v", ci, rho)
	assert.Less(t, ci.HalfWidth, 0.03, "interval %v too wide", ci)
}

// supermarket returns the mean time in system, in units of 1/μ, of the
// power-of-d supermarket model as the number of servers grows without
// bound (Mitzenmacher 2001; Vvedenskaya, Dobrushin, Karpelevich 1996): the
// fraction of queues holding at least i requests is ρ^((dⁱ−1)/(d−1)), so
// T = Σ_{i≥1} ρ^((dⁱ−d)/(d−1)). For d = 1 it is 1/(1−ρ), M/M/1.
func supermarket(rho float64, d int) float64 {
	if d == 1 {
		return 1 / (1 - rho)
	}
	t := 0.0
	for i := 1; i < 64; i++ {
		e := (math.Pow(float64(d), float64(i)) - float64(d)) / float64(d-1)
		term := math.Pow(rho, e)
		t += term
		if term < 1e-12 {
			break
		}
	}
	return t
}

// mmn returns the mean time in system, in units of 1/μ, of an M/M/n queue at
// utilisation ρ: 1 + C(n, nρ)/(n(1−ρ)), with C the Erlang C probability of
// waiting. One shared queue feeding n servers is the best any dispatcher
// can do, so it bounds join-shortest-queue from below.
func mmn(n int, rho float64) float64 {
	a := rho * float64(n)
	sum, term := 0.0, 1.0
	for k := 0; k < n; k++ {
		if k > 0 {
			term *= a / float64(k)
		}
		sum += term
	}
	last := term * a / float64(n) / (1 - rho)
	return 1 + last/(sum+last)/(float64(n)*(1-rho))
}

func TestTheoryFormulas(t *testing.T) {
	assert.InDelta(t, 2.0, supermarket(0.5, 1), 1e-12)
	// d=2, ρ=0.9: 1 + ρ² + ρ⁶ + ρ¹⁴ + ρ³⁰ + ...
	assert.InDelta(t, 1+math.Pow(0.9, 2)+math.Pow(0.9, 6)+math.Pow(0.9, 14)+math.Pow(0.9, 30)+math.Pow(0.9, 62), supermarket(0.9, 2), 1e-3)
	assert.InDelta(t, 1/(1-0.7), mmn(1, 0.7), 1e-12, "M/M/1")
	// M/M/2 at ρ=0.5: C = 1/3, T = 1 + (1/3)/(2·0.5) = 4/3.
	assert.InDelta(t, 4.0/3, mmn(2, 0.5), 1e-12)
}

// TestTwoChoicesAndJSQBeatRandom runs random, power of two choices and
// join-shortest-queue on the same requests (common random numbers) over 10
// servers, and checks the order and size theory predicts:
//
//   - random matches M/M/1;
//   - two choices beats random, and lands near the supermarket model's
//     prediction (which is for infinitely many servers, approached from
//     above; the balancer's view is also stale by the network delay):
//     within 0.97 to 1.25 times it;
//   - join-shortest-queue beats two choices, and stays between the M/M/n
//     bound (a central queue) and 1.35 times it.
//
// Orderings use paired intervals, seed by seed.
func TestTwoChoicesAndJSQBeatRandom(t *testing.T) {
	const n = 10
	for _, rho := range []float64{0.7, 0.9} {
		cfg := Config{Servers: make([]ServerSpec, n), Load: rho, Requests: 30000, Warmup: 300 * time.Millisecond}
		sojourn := map[string][]float64{}
		for _, b := range []string{NameRandom, NamePowerOfD, NameJSQ} {
			c := cfg
			c.Balancer = b
			sojourn[b] = replicate(t, c, func(r *Result) float64 { return r.Sojourn.Mean })
		}
		const checks = 6
		level := bonferroni(checks)
		rnd := stats.MeanCI(sojourn[NameRandom], level)
		assert.True(t, rnd.Contains(1/(1-rho)), "ρ=%v: random %v vs M/M/1 %.4g", rho, rnd, 1/(1-rho))

		gain := stats.PairedCI(sojourn[NameRandom], sojourn[NamePowerOfD], level)
		assert.Greater(t, gain.Lo, 0.0, "ρ=%v: two choices must beat random: random−p2c = %v ms", rho, gain)
		p2c := stats.MeanCI(sojourn[NamePowerOfD], level)
		mf := supermarket(rho, 2)
		assert.True(t, p2c.Hi >= 0.97*mf && p2c.Lo <= 1.25*mf, "ρ=%v: two choices %v vs supermarket model %.4g", rho, p2c, mf)

		better := stats.PairedCI(sojourn[NamePowerOfD], sojourn[NameJSQ], level)
		assert.Greater(t, better.Lo, 0.0, "ρ=%v: JSQ must beat two choices: p2c−jsq = %v ms", rho, better)
		jsq := stats.MeanCI(sojourn[NameJSQ], level)
		bound := mmn(n, rho)
		assert.GreaterOrEqual(t, jsq.Hi, bound, "ρ=%v: JSQ %v cannot beat a central queue (M/M/%d %.4g)", rho, jsq, n, bound)
		assert.LessOrEqual(t, jsq.Lo, 1.35*bound, "ρ=%v: JSQ %v should be near M/M/%d %.4g", rho, jsq, n, bound)
		t.Logf("ρ=%v: random %v (M/M/1 %.3f), p2c %v (supermarket %.3f), jsq %v (M/M/%d %.3f)",
			rho, rnd, 1/(1-rho), p2c, mf, jsq, n, bound)
	}
}
