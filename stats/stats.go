package stats

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Summary describes one sample. Every value is in the unit of the samples,
// except N (a count) and CV and MaxOverMean (ratios).
type Summary struct {
	N      int     `json:"n"`
	Mean   float64 `json:"mean"`
	StdDev float64 `json:"stddev"` // population standard deviation
	// CV is the coefficient of variation StdDev/Mean; 0 when Mean is 0.
	CV  float64 `json:"cv"`
	Min float64 `json:"min"`
	Max float64 `json:"max"`
	// MaxOverMean is Max/Mean, the peak-to-average ratio; 0 when Mean is 0.
	MaxOverMean float64 `json:"max_over_mean"`
	P50         float64 `json:"p50"`
	P90         float64 `json:"p90"`
	P99         float64 `json:"p99"`
	P999        float64 `json:"p99_9"`
}

// Describe returns the Summary of xs. It sorts a copy; use DescribeSorted to
// avoid the copy when xs is already sorted.
func Describe(xs []float64) Summary {
	s := slices.Clone(xs)
	slices.Sort(s)
	return DescribeSorted(s)
}

// DescribeSorted returns the Summary of sorted, which must be in ascending
// order (it panics otherwise, as gonum's Quantile does).
func DescribeSorted(sorted []float64) Summary {
	n := len(sorted)
	if n == 0 {
		return Summary{}
	}
	mean, sd := stat.PopMeanStdDev(sorted, nil)
	s := Summary{N: n, Mean: mean, StdDev: sd, Min: sorted[0], Max: sorted[n-1],
		P50: Quantile(sorted, 0.50), P90: Quantile(sorted, 0.90),
		P99: Quantile(sorted, 0.99), P999: Quantile(sorted, 0.999)}
	if mean != 0 {
		s.CV = sd / mean
		s.MaxOverMean = s.Max / mean
	}
	return s
}

// Quantile returns the empirical p-quantile of sorted (ascending), p in
// [0, 1]: the smallest sample x such that a fraction p of the samples are at
// most x. It returns NaN for an empty sample.
func Quantile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	return stat.Quantile(p, stat.Empirical, sorted, nil)
}

// CV returns the coefficient of variation of xs, population standard
// deviation over mean, or 0 when the mean is 0 or xs is empty.
func CV(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	mean, sd := stat.PopMeanStdDev(xs, nil)
	if mean == 0 {
		return 0
	}
	return sd / mean
}

// MaxOverMean returns the largest value of xs divided by their mean, or 0
// when the mean is 0 or xs is empty. 1 means a perfectly even spread.
func MaxOverMean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	mean := stat.Mean(xs, nil)
	if mean == 0 {
		return 0
	}
	return slices.Max(xs) / mean
}

// Interval is a two-sided confidence interval for a mean.
type Interval struct {
	N     int     `json:"n"`     // replications the interval is built from
	Level float64 `json:"level"` // confidence level, e.g. 0.95
	Mean  float64 `json:"mean"`
	// HalfWidth is t(level, N−1)·s/√N: the interval is Mean ± HalfWidth.
	// It is +Inf when N is 1 and 0 when every value is the same.
	HalfWidth float64 `json:"half_width"`
	Lo        float64 `json:"lo"`
	Hi        float64 `json:"hi"`
}

// MeanCI returns the Student-t confidence interval, at the given level (for
// example 0.95), for the mean of the distribution xs were independently drawn
// from. It panics if level is not in (0, 1).
func MeanCI(xs []float64, level float64) Interval {
	if !(level > 0 && level < 1) {
		panic(fmt.Sprintf("stats: confidence level %v is not in (0, 1)", level))
	}
	n := len(xs)
	iv := Interval{N: n, Level: level}
	switch n {
	case 0:
		return iv
	case 1:
		iv.Mean = xs[0]
		iv.HalfWidth = math.Inf(1)
		iv.Lo, iv.Hi = math.Inf(-1), math.Inf(1)
		return iv
	}
	mean, sd := stat.MeanStdDev(xs, nil)
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(1 - (1-level)/2)
	iv.Mean = mean
	iv.HalfWidth = t * stat.StdErr(sd, float64(n))
	iv.Lo, iv.Hi = mean-iv.HalfWidth, mean+iv.HalfWidth
	return iv
}

// PairedCI returns the confidence interval for the mean difference a[i]−b[i]
// of paired samples, such as one metric under two algorithms with the same
// seeds. It panics if a and b differ in length.
func PairedCI(a, b []float64, level float64) Interval {
	if len(a) != len(b) {
		panic(fmt.Sprintf("stats: paired samples of lengths %d and %d", len(a), len(b)))
	}
	d := make([]float64, len(a))
	for i := range a {
		d[i] = a[i] - b[i]
	}
	return MeanCI(d, level)
}

// Contains reports whether x lies within the interval, ends included.
func (iv Interval) Contains(x float64) bool { return x >= iv.Lo && x <= iv.Hi }

// String formats the interval as "mean ± half-width" with three significant
// digits, e.g. "4.12 ± 0.31".
func (iv Interval) String() string {
	if iv.N == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.3g ± %.2g", iv.Mean, iv.HalfWidth)
}

// MarshalJSON encodes the interval as an object with fields n, level, mean,
// half_width, lo and hi; numbers that are not finite (the half-width of a
// single value) are written as null, which JSON has no number for.
func (iv Interval) MarshalJSON() ([]byte, error) {
	num := func(x float64) *float64 {
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return nil
		}
		return &x
	}
	return json.Marshal(struct {
		N         int      `json:"n"`
		Level     float64  `json:"level"`
		Mean      *float64 `json:"mean"`
		HalfWidth *float64 `json:"half_width"`
		Lo        *float64 `json:"lo"`
		Hi        *float64 `json:"hi"`
	}{iv.N, iv.Level, num(iv.Mean), num(iv.HalfWidth), num(iv.Lo), num(iv.Hi)})
}
