package lb

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/dsimlab/dsim/sim"
	"github.com/dsimlab/dsim/stats"
)

// TestServerModelsMatchQueueingTheory holds each server model to its
// formula: random routing over four servers makes each an M/G/c queue of
// its own (Poisson arrivals split at random stay Poisson), and round-robin
// with deterministic arrivals makes each a D/M/1 queue. The mean time in
// system across seeds must contain the formula within its interval (the
// family at 95%), and the interval must be tight enough (5%) to mean
// something. Times are in units of the 1ms mean service time.
func TestServerModelsMatchQueueingTheory(t *testing.T) {
	tests := []struct {
		name   string
		cfg    Config
		theory float64
	}{
		// Erlang C: an M/M/c queue's mean time in system is
		// 1 + C(c, cρ)/(c(1−ρ)).
		{"M/M/3 (Erlang C) at 0.6", Config{Workers: 3, Load: 0.6}, mmn(3, 0.6)},
		{"M/M/3 (Erlang C) at 0.85", Config{Workers: 3, Load: 0.85}, mmn(3, 0.85)},
		// Processor sharing with c workers and exponential sizes has the
		// birth-death chain of M/M/c, so the same mean.
		{"M/M/2 processor sharing", Config{Workers: 2, Discipline: DisciplinePS, Load: 0.8}, mmn(2, 0.8)},
		// M/G/1-PS is insensitive: E[S]/(1−ρ) whatever the sizes' shape,
		// where FIFO would give Pollaczek–Khinchine's 1 + ρe^{σ²}/(2(1−ρ)).
		{"M/G/1 processor sharing, log-normal", Config{Discipline: DisciplinePS, Workers: 1, Load: 0.6,
			Service: Service{Kind: ServiceLogNormal, Sigma: 1}}, 1 / (1 - 0.6)},
		// M/D/1: Pollaczek–Khinchine with E[S²] = E[S]².
		{"M/D/1", Config{Load: 0.7, Service: Service{Kind: ServiceConstant}}, 1 + 0.7/(2*(1-0.7))},
		// M/G/1 with a truncated normal: Pollaczek–Khinchine with the
		// truncated distribution's moments.
		{"M/G/1, normal truncated at 0", Config{Load: 0.7, Service: Service{Kind: ServiceNormal, StdDev: 600 * time.Microsecond}},
			truncatedNormalPK(0.7, 1, 0.6)},
		// D/M/1: 1/(1−σ), σ the root of σ = exp(−(1−σ)/ρ) (service rate 1,
		// interarrival 1/ρ at each server).
		{"D/M/1 (round-robin, deterministic arrivals)", Config{Balancer: NameRoundRobin, Arrivals: ArrivalsDeterministic, Load: 0.8},
			dm1(0.8)},
	}
	level := bonferroni(len(tests))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			if cfg.Balancer == "" {
				cfg.Balancer = NameRandom
			}
			cfg.Servers, cfg.Warmup = make([]ServerSpec, 4), 300*time.Millisecond
			cfg.Requests = int(8000 * float64(max(cfg.Workers, 1)) / (1 - cfg.Load))
			cfg.Link = sim.LinkConfig{Latency: sim.Constant(0)}
			ci := stats.MeanCI(replicate(t, cfg, func(r *Result) float64 { return r.Sojourn.Mean }), level)
			assert.True(t, ci.Contains(tt.theory), "sojourn %v ms should contain %.4g", ci, tt.theory)
			assert.Less(t, ci.HalfWidth, 0.05*tt.theory, "interval %v too wide", ci)
			t.Logf("sojourn %v ms, theory %.4g", ci, tt.theory)
		})
	}
}

// truncatedNormalPK returns the M/G/1 mean time in system at load rho for
// sizes normal(mu, sd) truncated to positive values.
func truncatedNormalPK(rho, mu, sd float64) float64 {
	a := -mu / sd
	std := distuv.UnitNormal
	z := 1 - std.CDF(a)
	lambda := std.Prob(a) / z
	mean := mu + sd*lambda
	variance := sd * sd * (1 + a*lambda - lambda*lambda)
	second := variance + mean*mean
	// The load is λ·μ (the untruncated mean sets the rate): ρ' = λ·mean.
	arrival := rho / mu
	return mean + arrival*second/(2*(1-arrival*mean))
}

// dm1 returns the D/M/1 mean time in system at load rho, service rate 1.
func dm1(rho float64) float64 {
	sigma := 0.5
	for range 200 {
		sigma = math.Exp(-(1 - sigma) / rho)
	}
	return 1 / (1 - sigma)
}

func TestTheoryHelpers(t *testing.T) {
	// A truncation far below zero changes nothing: plain P-K.
	assert.InDelta(t, 1+0.5*(1+0.01)/(2*0.5), truncatedNormalPK(0.5, 1, 0.1), 1e-9)
	// D/M/1 waits less than M/M/1 at the same load, and tends to it never.
	assert.Less(t, dm1(0.8), 1/(1-0.8))
	assert.Greater(t, dm1(0.8), 1.0)
}

// TestSlowdownWindows: with no queueing (a request every 10ms, 1ms of
// work), every request served in n1@100ms-200ms=5ms takes 5ms, in
// n1@300ms-400ms*3 takes 3ms, and all others 1ms.
func TestSlowdownWindows(t *testing.T) {
	slow, err := ParseSlowdowns("n1@100ms-200ms=5ms, n1@300ms-400ms*3")
	require.NoError(t, err)
	cfg := Config{Balancer: NameRandom, Servers: make([]ServerSpec, 1), Rate: 100, Arrivals: ArrivalsDeterministic,
		Service: Service{Kind: ServiceConstant}, Requests: 60, Slowdowns: slow, Link: sim.LinkConfig{Latency: sim.Constant(0)}}
	r, err := simulate(cfg, 1)
	require.NoError(t, err)
	require.Equal(t, 60, r.Sojourn.N)
	assert.InDelta(t, 5, r.Sojourn.Max, 1e-9)
	assert.InDelta(t, 1, r.Sojourn.Min, 1e-9)
	assert.InDelta(t, (10*5+10*3+40*1)/60.0, r.Sojourn.Mean, 1e-9, "10 requests in each window")
}

func TestParseSlowdowns(t *testing.T) {
	got, err := ParseSlowdowns(" n3@15s-45s=2s, n5@1s*4 ,")
	require.NoError(t, err)
	assert.Equal(t, []Slowdown{{Server: "n3", At: 15 * time.Second, Until: 45 * time.Second, Service: 2 * time.Second},
		{Server: "n5", At: time.Second, Factor: 4}}, got)
	for _, bad := range []string{"n3", "@1s*2", "n3@1s", "n3@x*2", "n3@1s-y*2", "n3@1s*z", "n3@1s=q"} {
		_, err := ParseSlowdowns(bad)
		assert.ErrorIs(t, err, ErrInvalidConfig, bad)
	}
	nothing, err := ParseSlowdowns("")
	require.NoError(t, err)
	assert.Nil(t, nothing)
}
