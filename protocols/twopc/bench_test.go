package twopc

import (
	"testing"

	"github.com/dsimlab/dsim/scenarios"
)

// BenchmarkScenario runs library scenarios end to end, simulation and
// checks, one seed per iteration, and reports seeds per second. Run it on
// one core for the per-core figure:
//
//	go test -run XXX -bench Scenario -benchmem -cpu 1 ./protocols/twopc
func BenchmarkScenario(b *testing.B) {
	for _, name := range []string{"twopc-calm", "twopc-nemesis", "threepc-calm"} {
		b.Run(name, func(b *testing.B) {
			s := load(b, name, nil)
			b.ReportAllocs()
			seed := uint64(0)
			for b.Loop() {
				seed++
				o, err := scenarios.Run(s, seed, scenarios.RunOptions{})
				if err != nil || !o.Passed {
					b.Fatalf("seed %d: %v %v", seed, err, o)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "seeds/s")
		})
	}
}
