package stats_test

import (
	"fmt"

	"github.com/dsimlab/dsim/stats"
)

// Example summarises one run's latencies, then builds a confidence interval
// for a metric measured once per seed.
func Example() {
	latencies := []float64{1.2, 0.8, 1.1, 5.0, 0.9, 1.0, 1.3, 0.7, 1.0, 2.0} // ms
	s := stats.Describe(latencies)
	fmt.Printf("n=%d mean=%.2f p50=%.1f p90=%.1f max/mean=%.2f\n", s.N, s.Mean, s.P50, s.P90, s.MaxOverMean)

	p99PerSeed := []float64{4.1, 3.8, 4.4, 4.0, 4.2}
	fmt.Println("p99 across seeds:", stats.MeanCI(p99PerSeed, 0.95))
	// Output:
	// n=10 mean=1.50 p50=1.0 p90=2.0 max/mean=3.33
	// p99 across seeds: 4.1 ± 0.28
}
