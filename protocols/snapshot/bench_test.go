package snapshot_test

import (
	"testing"

	"github.com/dsimlab/dsim/protocols/snapshot"
	"github.com/dsimlab/dsim/scenarios"
)

// BenchmarkScenario runs one seed of each library scenario end to end per
// iteration, checks included:
//
//	go test ./protocols/snapshot -run '^$' -bench Scenario -benchmem
func BenchmarkScenario(b *testing.B) {
	for _, name := range libraryScenarios {
		b.Run(name, func(b *testing.B) {
			s := load(b, name, snapshot.Correct)
			var events uint64
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				o, err := scenarios.Run(s, uint64(i+1), scenarios.RunOptions{})
				if err != nil || !o.Passed {
					b.Fatalf("seed %d: %v %v", i+1, err, failures(o))
				}
				events += o.Events
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "seeds/s")
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
