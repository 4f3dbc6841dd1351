package stats

import (
	"math"
)

// SketchAccuracy is a Sketch's relative accuracy: every quantile it
// returns is within this fraction of the exact empirical quantile (1/257,
// about 0.39%).
const SketchAccuracy = 1.0 / 257

// sketchShift drops all but the top sketchBits bits of a float64's
// mantissa: what is left of the bits, exponent and 7 mantissa bits, is the
// bucket index, monotone in the value.
const (
	sketchBits  = 7
	sketchShift = 52 - sketchBits
)

// Sketch summarises a stream of values in memory that does not grow with
// their number: a DDSketch (Masson, Rim and Lee, VLDB 2019) with a
// log-linear bucket mapping. A value x > 0 is counted in the bucket its
// float64 exponent and top 7 mantissa bits name, a range [lo, hi) with
// hi/lo at most 1 + 2⁻⁷; a quantile is answered with its bucket's value
// 2·lo·hi/(lo+hi), within SketchAccuracy (relative) of every value in the
// bucket, and clamped to [Min, Max]. Negative values are counted the same
// way by magnitude, zeros apart. Count, sum, minimum and maximum are exact,
// so Summary's N, Mean, Min and Max are too (the standard deviation from
// the exact sums of values and squares); only the percentiles are
// approximate.
//
// Memory is a counter per bucket between the smallest and the largest
// magnitude seen: 128 counters per factor of two, so about 40 KB for values
// spanning nine decimal orders, whatever their number. The zero Sketch is
// empty and ready to use.
type Sketch struct {
	n        int
	sum, sq  float64
	min, max float64
	zeros    uint64
	pos, neg buckets
}

// buckets counts values by bucket index: counts[i] is the count of index
// offset+i.
type buckets struct {
	offset int
	counts []uint64
}

// Add counts x. NaN is ignored.
func (s *Sketch) Add(x float64) { s.AddN(x, 1) }

// AddN counts x k times (k > 0). NaN is ignored.
func (s *Sketch) AddN(x float64, k int) {
	if k <= 0 || math.IsNaN(x) {
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
	switch {
	case x > 0:
		s.pos.add(bucketIndex(x), uint64(k))
	case x < 0:
		s.neg.add(bucketIndex(-x), uint64(k))
	default:
		s.zeros += uint64(k)
	}
}

// bucketIndex returns the bucket of x > 0.
func bucketIndex(x float64) int { return int(math.Float64bits(x) >> sketchShift) }

// bucketValue returns the value that stands for bucket i: the one with
// the same relative distance to both ends.
func bucketValue(i int) float64 {
	lo := math.Float64frombits(uint64(i) << sketchShift)
	hi := math.Float64frombits(uint64(i+1) << sketchShift)
	return 2 * lo * hi / (lo + hi)
}

func (b *buckets) add(i int, k uint64) {
	switch {
	case len(b.counts) == 0:
		b.offset = i
		b.counts = append(b.counts, 0)
	case i < b.offset:
		grown := make([]uint64, b.offset-i+len(b.counts), b.offset-i+cap(b.counts))
		copy(grown[b.offset-i:], b.counts)
		b.counts, b.offset = grown, i
	case i >= b.offset+len(b.counts):
		need := i - b.offset + 1
		if need > cap(b.counts) {
			b.counts = append(b.counts[:cap(b.counts)], make([]uint64, need-cap(b.counts))...)
		}
		b.counts = b.counts[:need]
	}
	b.counts[i-b.offset] += k
}

// Merge adds every value counted by o, as if each had been added to s.
func (s *Sketch) Merge(o *Sketch) {
	if o.n == 0 {
		return
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
	s.zeros += o.zeros
	for i, c := range o.pos.counts {
		if c > 0 {
			s.pos.add(o.pos.offset+i, c)
		}
	}
	for i, c := range o.neg.counts {
		if c > 0 {
			s.neg.add(o.neg.offset+i, c)
		}
	}
}

// Clone returns an independent copy of s.
func (s *Sketch) Clone() *Sketch {
	c := *s
	c.pos.counts = append([]uint64(nil), s.pos.counts...)
	c.neg.counts = append([]uint64(nil), s.neg.counts...)
	return &c
}

// N returns the number of values counted.
func (s *Sketch) N() int { return s.n }

// Quantile returns the p-quantile, p in [0, 1], within SketchAccuracy of
// the empirical quantile Quantile gives for the same values (the smallest
// x such that a fraction p of the values are at most x). It returns NaN
// for an empty sketch.
func (s *Sketch) Quantile(p float64) float64 {
	if s.n == 0 {
		return math.NaN()
	}
	rank := uint64(math.Ceil(p * float64(s.n)))
	rank = max(rank, 1)
	v := s.rankValue(rank)
	return min(max(v, s.min), s.max)
}

// rankValue returns the value standing for the rank-th smallest value
// (from 1): negatives by descending magnitude, zeros, then positives.
func (s *Sketch) rankValue(rank uint64) float64 {
	seen := uint64(0)
	for i := len(s.neg.counts) - 1; i >= 0; i-- {
		if seen += s.neg.counts[i]; seen >= rank {
			return -bucketValue(s.neg.offset + i)
		}
	}
	if seen += s.zeros; seen >= rank {
		return 0
	}
	for i, c := range s.pos.counts {
		if seen += c; seen >= rank {
			return bucketValue(s.pos.offset + i)
		}
	}
	return s.max
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
// the CDF. It returns nil for an empty sketch.
func (s *Sketch) Points(k int) []float64 {
	if s.n == 0 || k <= 0 {
		return nil
	}
	type bucket struct {
		v float64
		c uint64
	}
	var all []bucket
	for i := len(s.neg.counts) - 1; i >= 0; i-- {
		all = append(all, bucket{-bucketValue(s.neg.offset + i), s.neg.counts[i]})
	}
	all = append(all, bucket{0, s.zeros})
	for i, c := range s.pos.counts {
		all = append(all, bucket{bucketValue(s.pos.offset + i), c})
	}
	out := make([]float64, k)
	b, seen := 0, all[0].c
	for j := range out {
		rank := max(1, uint64(math.Ceil((float64(j)+0.5)/float64(k)*float64(s.n))))
		for seen < rank && b+1 < len(all) {
			b++
			seen += all[b].c
		}
		out[j] = min(max(all[b].v, s.min), s.max)
	}
	return out
}
