package stats

import (
	"cmp"
	"fmt"
	"math"
	"slices"

	"github.com/DataDog/sketches-go/ddsketch/mapping"
	"github.com/DataDog/sketches-go/ddsketch/store"
)

// SketchAccuracy is a Sketch's relative accuracy: every quantile it
// returns is within this fraction (0.25%) of the exact empirical quantile.
const SketchAccuracy = 0.0025

// sketchMapping maps values to buckets for every Sketch; it is immutable,
// so the sketches share it (and can merge, which needs equal mappings). It
// is built for a billionth under SketchAccuracy because its arithmetic
// rounds: built for exactly 0.25%, it answers within 1e-16 of the bound,
// and the cubically interpolated mapping answers 1.0025000000000004 for 1.
var sketchMapping = mustMapping(SketchAccuracy * (1 - 1e-9))

// mustMapping returns the linearly interpolated index mapping with the
// given relative accuracy, or panics on an accuracy outside (0, 1).
func mustMapping(accuracy float64) *mapping.LinearlyInterpolatedMapping {
	m, err := mapping.NewLinearlyInterpolatedMapping(accuracy)
	if err != nil {
		panic(fmt.Sprintf("stats: sketch mapping at accuracy %v: %v", accuracy, err))
	}
	return m
}

// Sketch summarises a stream of values in memory that does not grow with
// their number: a DDSketch (Masson, Rim and Lee, VLDB 2019) built from the
// index mapping and the stores of the paper's authors' reference
// implementation (github.com/DataDog/sketches-go), with exact count, sum,
// sum of squares, minimum and maximum kept beside it, so Summary's N,
// Mean, Min and Max are exact (the standard deviation from the exact
// sums); only the percentiles are approximate, within SketchAccuracy, and
// clamped to [Min, Max].
//
// The configuration is chosen for the balancers, which add two latencies
// per simulated request and read the quantiles once per run, so an Add
// should cost little and memory hardly matters. The index mapping is the
// linearly interpolated one, the cheapest (the float64's exponent plus its
// mantissa, scaled), where the cubically interpolated one evaluates a
// polynomial (2 ns more per Add) and the logarithmic one calls math.Log
// (13 ns more); it pays with 44% more buckets than the memory-optimal
// logarithmic mapping, about 200 per factor of two at 0.25%. The stores
// are dense, one counter per bucket between the smallest and the largest
// magnitude seen: the cheapest to add to, and about 50 KB for values
// spanning nine decimal orders, whatever their number; the collapsing
// stores would bound memory further only by giving up the accuracy of the
// lowest or highest quantiles. Negative values are counted by magnitude in
// a second store, zeros apart; magnitudes below about 2e-308 count as
// zeros. The Sketch holds the mapping and the stores as concrete types
// rather than in a ddsketch.DDSketch, whose interface fields cost each Add
// four dynamic calls (about 2 ns); what it adds to them is DDSketch's own
// few lines: the choice of store by sign, and the walks from ranks to
// buckets.
//
// A Sketch feeds reports only, never simulated behaviour: nothing in a run
// reads it. Its answers depend on nothing but the values added and their
// order (the bucket counts not even on that: they are sums of integers),
// so reports built from a run's latencies are identical across runs and
// GOMAXPROCS. The zero Sketch is empty and ready to use.
type Sketch struct {
	// pos counts positive values by bucket, neg negative ones by the
	// bucket of their magnitude; both are nil until the first value.
	pos, neg *store.DenseStore
	zeros    float64 // the count of values that are zero to the mapping
	n        int
	sum, sq  float64
	min, max float64
}

// Add counts x. NaN and infinities are ignored.
func (s *Sketch) Add(x float64) { s.AddN(x, 1) }

// AddN counts x k times (k > 0). NaN and infinities are ignored, and so
// are the finite magnitudes the mapping cannot index (above about
// 1.2e308).
func (s *Sketch) AddN(x float64, k int) {
	if k <= 0 || !s.count(x, float64(k)) {
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

// count adds k to x's bucket, as DDSketch.AddWithCount does, and reports
// whether x could be counted.
func (s *Sketch) count(x, k float64) bool {
	m := sketchMapping
	lo, hi := m.MinIndexableValue(), m.MaxIndexableValue()
	s.init()
	switch {
	case x > lo && x <= hi:
		s.pos.AddWithCount(m.Index(x), k)
	case x < -lo && x >= -hi:
		s.neg.AddWithCount(m.Index(-x), k)
	case x >= -lo && x <= lo:
		s.zeros += k
	default:
		return false // NaN, an infinity or beyond hi
	}
	return true
}

// init gives s its stores, on first use.
func (s *Sketch) init() {
	if s.pos == nil {
		s.pos, s.neg = store.NewDenseStore(), store.NewDenseStore()
	}
}

// Merge adds every value counted by o, as if each had been added to s.
func (s *Sketch) Merge(o *Sketch) {
	if o.n == 0 {
		return
	}
	s.init()
	s.pos.MergeWith(o.pos)
	s.neg.MergeWith(o.neg)
	s.zeros += o.zeros
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
	if s.pos != nil {
		c.pos = s.pos.Copy().(*store.DenseStore)
		c.neg = s.neg.Copy().(*store.DenseStore)
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
	return min(max(s.valueAt(s.rank(p)-1), s.min), s.max)
}

// rank returns the 1-based rank of the empirical p-quantile, ⌈p·n⌉ within
// [1, n].
func (s *Sketch) rank(p float64) float64 {
	return min(max(1, math.Ceil(p*float64(s.n))), float64(s.n))
}

// valueAt returns the value standing for the value of 0-based rank r:
// negatives by descending magnitude, zeros, then positives. It is
// DDSketch.GetValueAtQuantile without the quantile, whose rank ⌊q·(n−1)⌋
// is not the empirical quantile's ⌈p·n⌉, and cannot be made to be by
// choosing q: floating-point q·(n−1) can land just under an integer.
func (s *Sketch) valueAt(r float64) float64 {
	nn := s.neg.TotalCount()
	switch {
	case r < nn:
		return -sketchMapping.Value(s.neg.KeyAtRank(nn - 1 - r))
	case r < nn+s.zeros:
		return 0
	default:
		return sketchMapping.Value(s.pos.KeyAtRank(r - nn - s.zeros))
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
// in ascending order (the quantiles (j+½)/k, j = 0..k-1, each as Quantile
// gives it): a sorted sample with the sketch's distribution, for plots of
// the CDF. It returns nil for an empty sketch. It walks the buckets once,
// where k calls to Quantile would walk them k times.
func (s *Sketch) Points(k int) []float64 {
	if s.n == 0 || k <= 0 {
		return nil
	}
	bins := s.bins()
	out := make([]float64, k)
	b, seen := 0, bins[0].count
	for j := range out {
		rank := s.rank((float64(j) + 0.5) / float64(k))
		for seen < rank && b+1 < len(bins) {
			b++
			seen += bins[b].count
		}
		out[j] = min(max(bins[b].value, s.min), s.max)
	}
	return out
}

// bin is a bucket of the sketch: the value that stands for it and how
// many values it counts.
type bin struct{ value, count float64 }

// bins returns the non-empty buckets in ascending order of value: the
// negatives, the zeros, the positives.
func (s *Sketch) bins() []bin {
	var out []bin
	add := func(sign float64) func(int, float64) bool {
		return func(i int, c float64) bool {
			out = append(out, bin{sign * sketchMapping.Value(i), c})
			return false
		}
	}
	s.neg.ForEach(add(-1))
	if s.zeros > 0 {
		out = append(out, bin{0, s.zeros})
	}
	s.pos.ForEach(add(1))
	slices.SortFunc(out, func(a, b bin) int { return cmp.Compare(a.value, b.value) })
	return out
}
