// Package stats turns samples into the numbers dsim reports: descriptive
// statistics of one run (mean, percentiles, spread) and confidence intervals
// across runs. It has one job and sits on gonum (gonum.org/v1/gonum/stat for
// means, deviations and quantiles, stat/distuv for Student's t) and on
// github.com/DataDog/sketches-go for streaming quantiles.
//
// # One run: Summary
//
// Describe summarises a sample: its size, mean, population standard
// deviation, coefficient of variation, minimum, maximum, max/mean ratio and
// the percentiles p50, p90, p99 and p99.9. A Summary describes the data
// themselves (population formulas, like chash.LoadStats), so the CV of the
// requests served by each server is the spread of exactly those servers.
//
//	s := stats.Describe(latenciesMs)
//	fmt.Printf("mean %.2fms p99 %.2fms\n", s.Mean, s.P99)
//
// Percentiles are empirical: Quantile(p) is the smallest sample x such that
// at least a fraction p of the samples are ≤ x (gonum's stat.Empirical), so
// every percentile is a value that was observed.
//
// # Streams: Sketch
//
// A Sketch summarises a stream too long to keep, such as every latency of
// a 30-million-request run, in memory that does not grow with it: a
// DDSketch, built from DataDog's sketches-go (the reference implementation
// by the DDSketch paper's authors), whose percentiles are within
// SketchAccuracy (0.25%) of the exact empirical ones, with exact count,
// mean, minimum and maximum. Sketches merge, and Points gives a sorted
// sample with the sketch's distribution for CDF plots.
//
//	var s stats.Sketch
//	for _, x := range latenciesMs {
//		s.Add(x)
//	}
//	fmt.Printf("p99.9 %.3gms\n", s.Quantile(0.999))
//
// # Across runs: Interval
//
// MeanCI infers the mean of the distribution a set of independent
// replications (one value per seed) was drawn from, with a two-sided
// Student-t confidence interval: mean ± t(level, n−1) · s/√n, where s is the
// sample standard deviation (n−1 in the denominator) and t comes from
// gonum's distuv.StudentsT. PairedCI does the same for the differences
// a[i]−b[i] of two paired samples, which is how common random numbers pay
// off: when two load balancers see the same requests under the same seed,
// the noise common to both cancels in the difference.
//
//	ci := stats.MeanCI(p99PerSeed, 0.95)
//	fmt.Println(ci) // e.g. "4.12 ± 0.31"
//	d := stats.PairedCI(randomP99, p2cP99, 0.95)
//	if d.Lo > 0 { /* random is worse than p2c, with 95% confidence */ }
//
// Functions never modify their arguments. Empty input gives a zero Summary
// and an Interval with N 0; an interval from a single value has infinite
// half-width (nothing is known about the spread).
//
// # Reports only
//
// These numbers feed reports, never a run's behaviour, so they use gonum
// as it is, and the last bits of a mean, a deviation or an interval may
// differ between architectures (gonum's code is compiled with fused
// multiply-adds on arm64, and Student's t calls math's Exp and Log): a
// fingerprint or a sweep digest never includes them. Percentiles are
// observed values and so the same everywhere, which is why a check may
// compare one with a limit (lb's SLO check does). Floats that reach a run's
// behaviour go through sim/detmath instead.
package stats
