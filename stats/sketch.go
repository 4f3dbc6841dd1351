package stats

import (
	"fmt"
	"math"

	"github.com/DataDog/sketches-go/ddsketch"
	"github.com/DataDog/sketches-go/ddsketch/mapping"
	"github.com/DataDog/sketches-go/ddsketch/store"
)

// SketchAccuracy is a Sketch's relative accuracy: every quantile it
// returns is within this fraction (0.25%) of the exact empirical quantile.
const SketchAccuracy = 0.0025

// sketchMapping maps values to buckets for every Sketch; it is immutable,
// so the sketches share it (and can merge, which needs equal mappings). It
// is built for a hair under SketchAccuracy because its arithmetic rounds:
// built for exactly 0.25%, it answers 1.0025000000000004 for 1.
var sketchMapping = mustMapping(SketchAccuracy * (1 - 1e-9))

// mustMapping returns the cubically interpolated index mapping with the
// given relative accuracy, or panics on an accuracy outside (0, 1).
func mustMapping(accuracy float64) *mapping.CubicallyInterpolatedMapping {
	m, err := mapping.NewCubicallyInterpolatedMapping(accuracy)
	if err != nil {
		panic(fmt.Sprintf("stats: sketch mapping at accuracy %v: %v", accuracy, err))
	}
	return m
}

// Sketch summarises a stream of values in memory that does not grow with
// their number: a DDSketch (Masson, Rim and Lee, VLDB 2019), the reference
// implementation by the paper's authors (github.com/DataDog/sketches-go),
// with exact count, sum, sum of squares, minimum and maximum kept beside
// it, so Summary's N, Mean, Min and Max are exact (the standard deviation
// from the exact sums); only the percentiles are approximate, within
// SketchAccuracy, and clamped to [Min, Max].
//
// The configuration is chosen for the balancers, which add two latencies
// per simulated request and read the quantiles once per run. The index
// mapping is the cubically interpolated one: it costs a few
// multiplications per value, where the logarithmic mapping calls math.Log,
// and needs only about 1% more buckets than that memory-optimal mapping,
// where the linearly interpolated one needs 44% more: about 140 buckets
// per factor of two at 0.25%. The stores are dense, one counter per bucket
// between the smallest and the largest magnitude seen (the cheapest to add
// to, and about 40 KB for latencies spanning nine decimal orders, whatever
// their number); the collapsing stores would bound memory further only by
// giving up the accuracy of the lowest or highest quantiles. Negative
// values are counted by magnitude in a second store, zeros apart;
// magnitudes below about 2e-308 count as zeros.
//
// A Sketch feeds reports only, never simulated behaviour: nothing in a run
// reads it. Its answers depend on nothing but the values added and their
// order (the bucket counts not even on that: they are sums of integers),
// so reports built from a run's latencies are identical across runs and
// GOMAXPROCS.
// The zero Sketch is empty and ready to use.
type Sketch struct {
	dd       *ddsketch.DDSketch // nil until the first value
	n        int
	sum, sq  float64
	min, max float64
}

// init gives s its DDSketch, on first use.
func (s *Sketch) init() {
	if s.dd == nil {
		s.dd = ddsketch.NewDDSketch(sketchMapping, store.NewDenseStore(), store.NewDenseStore())
	}
}

// Add counts x. NaN and infinities are ignored.
func (s *Sketch) Add(x float64) { s.AddN(x, 1) }

// AddN counts x k times (k > 0). NaN and infinities are ignored, and so
// are the finite magnitudes the mapping cannot index (above about
// 1.2e308).
func (s *Sketch) AddN(x float64, k int) {
	if k <= 0 {
		return
	}
	s.init()
	if s.dd.AddWithCount(x, float64(k)) != nil {
		return
	}
	if s.n == 0 || x < s.min {
		s.min = x
	}
	if s.n == 0 || x > s.max {
		s.max = x
	}
	s.n += k
	fk := float64(k)
	// The conversions round each product, so no architecture fuses them
	// into a multiply-add that would change the sums' last bits.
	s.sum += float64(x * fk)
	s.sq += float64(float64(x*x) * fk)
}

// Merge adds every value counted by o, as if each had been added to s.
func (s *Sketch) Merge(o *Sketch) {
	if o.n == 0 {
		return
	}
	s.init()
	if err := s.dd.MergeWith(o.dd); err != nil {
		panic(fmt.Sprintf("stats: merging sketches: %v", err)) // they share one mapping
	}
	if s.n == 0 || o.min < s.min {
		s.min = o.min
	}
	if s.n == 0 || o.max > s.max {
		s.max = o.max
	}
	s.n += o.n
	s.sum += o.sum
	s.sq += o.sq
}

// Clone returns an independent copy of s.
func (s *Sketch) Clone() *Sketch {
	c := *s
	if s.dd != nil {
		c.dd = s.dd.Copy()
	}
	return &c
}

// N returns the number of values counted.
func (s *Sketch) N() int { return s.n }

// Quantile returns the p-quantile, p in [0, 1], within SketchAccuracy of
// the empirical quantile Quantile gives for the same values (the smallest
// x such that a fraction p of the values are at most x). It returns NaN
// for an empty sketch or a NaN p.
func (s *Sketch) Quantile(p float64) float64 {
	if s.n == 0 || math.IsNaN(p) {
		return math.NaN()
	}
	rank := min(max(1, math.Ceil(p*float64(s.n))), float64(s.n))
	return min(max(s.valueAt(rank-1), s.min), s.max)
}

// valueAt returns the value standing for the value of 0-based rank r:
// negatives by descending magnitude, zeros, then positives. It is
// DDSketch.GetValueAtQuantile without the quantile, whose rank ⌊q·(n−1)⌋
// is not the empirical quantile's ⌈p·n⌉, and cannot be made to be by
// choosing q: floating-point q·(n−1) can land just under an integer.
func (s *Sketch) valueAt(r float64) float64 {
	neg, zeros := s.dd.GetNegativeValueStore(), s.dd.GetZeroCount()
	nn := neg.TotalCount()
	switch {
	case r < nn:
		return -s.dd.Value(neg.KeyAtRank(nn - 1 - r))
	case r < nn+zeros:
		return 0
	default:
		return s.dd.Value(s.dd.GetPositiveValueStore().KeyAtRank(r - nn - zeros))
	}
}

// Summary returns the values' Summary: N, Mean, Min and Max exact, the
// population standard deviation from exact sums, the percentiles within
// SketchAccuracy.
func (s *Sketch) Summary() Summary {
	if s.n == 0 {
		return Summary{}
	}
	n := float64(s.n)
	mean := s.sum / n
	sd := math.Sqrt(max(0, s.sq/n-float64(mean*mean)))
	out := Summary{N: s.n, Mean: mean, StdDev: sd, Min: s.min, Max: s.max,
		P50: s.Quantile(0.50), P90: s.Quantile(0.90), P99: s.Quantile(0.99), P999: s.Quantile(0.999)}
	if mean != 0 {
		out.CV = sd / mean
		out.MaxOverMean = s.max / mean
	}
	return out
}

// Points returns k values spread evenly in rank over the counted values,
// in ascending order (the quantiles (j+½)/k, j = 0..k-1, as Quantile gives
// them): a sorted sample with the sketch's distribution, for plots of the
// CDF. It returns nil for an empty sketch.
func (s *Sketch) Points(k int) []float64 {
	if s.n == 0 || k <= 0 {
		return nil
	}
	out := make([]float64, k)
	for j := range out {
		out[j] = s.Quantile((float64(j) + 0.5) / float64(k))
	}
	return out
}
