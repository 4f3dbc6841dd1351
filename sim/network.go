package sim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/dsimlab/dsim/sim/detmath"
)

// ErrBadLink reports a link configuration the network cannot use: a
// probability outside [0, 1] or a latency distribution with impossible
// parameters.
var ErrBadLink = errors.New("bad link configuration")

// LatencyKind names a latency distribution.
type LatencyKind string

// The latency distributions a link can draw from.
const (
	LatencyConstant    LatencyKind = "constant"    // always Mean
	LatencyUniform     LatencyKind = "uniform"     // uniform on [Min, Max]
	LatencyExponential LatencyKind = "exponential" // Min plus an exponential with mean Mean-Min
	LatencyNormal      LatencyKind = "normal"      // normal(Mean, Stddev), clamped at zero
	LatencyLogNormal   LatencyKind = "lognormal"   // log-normal with median Median and shape Sigma
	LatencyPareto      LatencyKind = "pareto"      // Pareto with scale (minimum) Min and tail index Alpha
)

// Latency describes the distribution a link's one-way delay is drawn from.
// Only the fields its Kind names are used. Build one with Constant, Uniform,
// Exponential, Normal, LogNormal or Pareto.
type Latency struct {
	Kind   LatencyKind   `json:"kind"`
	Mean   time.Duration `json:"mean,omitempty"`   // constant, exponential, normal
	Min    time.Duration `json:"min,omitempty"`    // uniform, exponential (shift), pareto (scale)
	Max    time.Duration `json:"max,omitempty"`    // uniform
	Stddev time.Duration `json:"stddev,omitempty"` // normal
	Median time.Duration `json:"median,omitempty"` // lognormal
	Sigma  float64       `json:"sigma,omitempty"`  // lognormal shape (stddev of the log)
	Alpha  float64       `json:"alpha,omitempty"`  // pareto tail index
}

// Constant is a latency of exactly d.
func Constant(d time.Duration) Latency { return Latency{Kind: LatencyConstant, Mean: d} }

// Uniform is a latency uniform on [min, max].
func Uniform(min, max time.Duration) Latency {
	return Latency{Kind: LatencyUniform, Min: min, Max: max}
}

// Exponential is a latency of min plus an exponential variable, with overall
// mean mean.
func Exponential(min, mean time.Duration) Latency {
	return Latency{Kind: LatencyExponential, Min: min, Mean: mean}
}

// Normal is a normal latency with the given mean and standard deviation,
// clamped at zero.
func Normal(mean, stddev time.Duration) Latency {
	return Latency{Kind: LatencyNormal, Mean: mean, Stddev: stddev}
}

// LogNormal is a log-normal latency with the given median and shape sigma
// (the standard deviation of its logarithm): a long right tail.
func LogNormal(median time.Duration, sigma float64) Latency {
	return Latency{Kind: LatencyLogNormal, Median: median, Sigma: sigma}
}

// Pareto is a Pareto latency with minimum min and tail index alpha; the
// smaller alpha, the heavier the tail (the mean is infinite for alpha <= 1).
func Pareto(min time.Duration, alpha float64) Latency {
	return Latency{Kind: LatencyPareto, Min: min, Alpha: alpha}
}

// Validate reports whether l describes a usable distribution.
func (l Latency) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s latency: %s", ErrBadLink, l.Kind, fmt.Sprintf(format, args...))
	}
	switch l.Kind {
	case LatencyConstant:
		if l.Mean < 0 {
			return bad("mean %v is negative", l.Mean)
		}
	case LatencyUniform:
		if l.Min < 0 || l.Max < l.Min {
			return bad("want 0 <= min <= max, got min %v max %v", l.Min, l.Max)
		}
	case LatencyExponential:
		if l.Min < 0 || l.Mean <= l.Min {
			return bad("want 0 <= min < mean, got min %v mean %v", l.Min, l.Mean)
		}
	case LatencyNormal:
		if l.Mean < 0 || l.Stddev < 0 {
			return bad("mean %v and stddev %v must not be negative", l.Mean, l.Stddev)
		}
	case LatencyLogNormal:
		if l.Median <= 0 || l.Sigma < 0 {
			return bad("want median > 0 and sigma >= 0, got %v and %v", l.Median, l.Sigma)
		}
	case LatencyPareto:
		if l.Min <= 0 || l.Alpha <= 0 {
			return bad("want min > 0 and alpha > 0, got %v and %v", l.Min, l.Alpha)
		}
	default:
		return fmt.Errorf("%w: unknown latency kind %q (want constant, uniform, exponential, normal, lognormal or pareto)", ErrBadLink, l.Kind)
	}
	return nil
}

// MeanDuration returns the distribution's mean, or math.MaxInt64 when it is
// infinite (Pareto with alpha <= 1). For the normal distribution it is the
// mean before clamping at zero.
func (l Latency) MeanDuration() time.Duration {
	switch l.Kind {
	case LatencyConstant, LatencyNormal, LatencyExponential:
		return l.Mean
	case LatencyUniform:
		return (l.Min + l.Max) / 2
	case LatencyLogNormal:
		return saturate(float64(l.Median) * detmath.Exp(l.Sigma*l.Sigma/2))
	case LatencyPareto:
		if l.Alpha <= 1 {
			return math.MaxInt64
		}
		return saturate(l.Alpha * float64(l.Min) / (l.Alpha - 1))
	}
	return 0
}

// saturate converts ns nanoseconds to a Duration, math.MaxInt64 if it is
// beyond: converting a float beyond int64 gives MinInt64 on amd64 and
// MaxInt64 on arm64, and the mean is printed into the trace.
func saturate(ns float64) time.Duration {
	if ns >= math.MaxInt64 {
		return math.MaxInt64
	}
	return time.Duration(ns)
}

// sampleKind is LatencyKind as a small integer, so drawing a latency
// switches on a byte rather than comparing strings.
type sampleKind uint8

const (
	sampleConstant sampleKind = iota
	sampleUniform
	sampleExponential
	sampleNormal
	sampleLogNormal
	samplePareto
)

var sampleKinds = map[LatencyKind]sampleKind{
	LatencyConstant: sampleConstant, LatencyUniform: sampleUniform, LatencyExponential: sampleExponential,
	LatencyNormal: sampleNormal, LatencyLogNormal: sampleLogNormal, LatencyPareto: samplePareto,
}

// sampler draws latencies for one link from the network's stream. It is a
// concrete struct switched on kind, so drawing a latency neither allocates
// nor calls through an interface other than the random source.
//
// It draws what gonum's distuv distributions with these parameters draw on
// amd64 (Exponential{Rate}, Normal{Mu, Sigma}, LogNormal{Mu, Sigma},
// Pareto{Xm, Alpha}, from the same source), through sim/detmath, so that
// every architecture draws the same latencies: gonum's code is compiled
// with fused multiply-adds on arm64 and calls math.Exp and math.Log, whose
// results differ between architectures.
type sampler struct {
	kind      sampleKind
	pcg       *rand.PCG // the network's stream
	lo, span  float64   // uniform: Min and Max-Min, in ns
	c         time.Duration
	shift     float64 // exponential: Min, in ns
	rate      float64 // exponential: 1/(Mean-Min), per ns
	mu, sigma float64 // normal: Mean and Stddev in ns; log-normal: of the log of ns
	xm, alpha float64 // pareto: Min in ns, tail index
}

func newSampler(l Latency, src *rand.PCG) sampler {
	s := sampler{kind: sampleKinds[l.Kind], c: l.Mean, pcg: src}
	switch l.Kind {
	case LatencyUniform:
		s.lo, s.span = float64(l.Min), float64(l.Max-l.Min)
	case LatencyExponential:
		s.shift, s.rate = float64(l.Min), 1/float64(l.Mean-l.Min)
	case LatencyNormal:
		s.mu, s.sigma = float64(l.Mean), float64(l.Stddev)
	case LatencyLogNormal:
		s.mu, s.sigma = detmath.Log(float64(l.Median)), l.Sigma
	case LatencyPareto:
		s.xm, s.alpha = float64(l.Min), l.Alpha
	}
	return s
}

// float01 is rand.Rand.Float64 on a concrete PCG: a uniform float64 in
// [0, 1) with 53 random bits, the very value rand.New(pcg).Float64 gives.
func float01(pcg *rand.PCG) float64 {
	// The low 53 bits (what <<11>>11 keeps) fit in an int64, so converting
	// them as signed gives the same float with one instruction instead of
	// the unsigned conversion's branch; multiplying by 2^-53 is exact, so it
	// equals the division without its latency. Kept cheap enough to inline.
	return float64(int64(pcg.Uint64()&(1<<53-1))) * 0x1p-53
}

// maxLatency caps a drawn latency: far beyond any run, yet safe to add to
// any Time a run reaches.
const maxLatency = math.MaxInt64 / 4

// sampleOther draws a latency of any kind but uniform; the event loop
// draws uniform latencies inline (World.schedule).
func (s *sampler) sampleOther() time.Duration {
	var x float64
	switch s.kind {
	case sampleConstant:
		return s.c
	case sampleExponential:
		x = s.shift + detmath.ExpFloat64(s.pcg)/s.rate
	case sampleNormal:
		x = float64(detmath.NormFloat64(s.pcg)*s.sigma) + s.mu
	case sampleLogNormal:
		x = detmath.Exp(float64(detmath.NormFloat64(s.pcg)*s.sigma) + s.mu)
	case samplePareto:
		x = s.xm * detmath.Exp(detmath.ExpFloat64(s.pcg)/s.alpha)
	}
	if x <= 0 {
		return 0
	}
	if x >= maxLatency {
		return maxLatency
	}
	return time.Duration(x)
}

// LinkConfig is the behaviour of one directed link (or the default for all
// links): how long a message takes and how likely it is to be lost or
// duplicated. Independent latency draws reorder messages; FIFO keeps a link's
// messages in send order by holding a message back until the previous one on
// the link has arrived.
type LinkConfig struct {
	Latency   Latency `json:"latency"`
	Drop      float64 `json:"drop,omitempty"`      // probability a message is lost, in [0, 1]
	Duplicate float64 `json:"duplicate,omitempty"` // probability a message is delivered twice, in [0, 1]
	FIFO      bool    `json:"fifo,omitempty"`      // deliver in send order on this link
}

// Validate reports whether c is usable.
func (c LinkConfig) Validate() error {
	if err := c.Latency.Validate(); err != nil {
		return err
	}
	if !(c.Drop >= 0 && c.Drop <= 1) {
		return fmt.Errorf("%w: drop probability %v is outside [0, 1]", ErrBadLink, c.Drop)
	}
	if !(c.Duplicate >= 0 && c.Duplicate <= 1) {
		return fmt.Errorf("%w: duplicate probability %v is outside [0, 1]", ErrBadLink, c.Duplicate)
	}
	return nil
}

// DefaultLink is the link every World starts with: a uniform latency between
// 1ms and 10ms, no loss, no duplication, no FIFO guarantee.
var DefaultLink = LinkConfig{Latency: Uniform(time.Millisecond, 10*time.Millisecond)}

// model is a compiled LinkConfig: its parameters and a sampler bound to the
// network's random stream.
type model struct {
	cfg     LinkConfig
	latency sampler
}
