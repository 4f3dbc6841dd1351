package library_test

import (
	"fmt"
	"io"
	"testing"

	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/scenarios/library"
)

// BenchmarkRun runs whole seeds (set-up, simulation, checks) of built-in
// scenarios; seeds/s is what a sweep gets per core.
func BenchmarkRun(b *testing.B) {
	for _, name := range []string{"echo-calm", "echo-faults"} {
		b.Run(name, func(b *testing.B) {
			s, err := library.Load(name)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			events := uint64(0)
			for i := 0; i < b.N; i++ {
				o, err := scenarios.Run(s, uint64(i), scenarios.RunOptions{})
				if err != nil {
					b.Fatal(err)
				}
				events += o.Events
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "seeds/s")
			b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkTracedRun runs whole seeds with and without the trace streamed as
// JSON Lines (to a discarding writer, so the disk does not count), to keep
// tracing's cost in check: the goal is at most twice a run without.
func BenchmarkTracedRun(b *testing.B) {
	for _, name := range []string{"echo-faults", "paxos-nemesis", "twopc-nemesis"} {
		s, err := library.Load(name)
		if err != nil {
			b.Fatal(err)
		}
		for _, traced := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/trace=%v", name, traced), func(b *testing.B) {
				opts := scenarios.RunOptions{}
				if traced {
					opts.TraceTo = io.Discard
				}
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					if _, err := scenarios.Run(s, uint64(i), opts); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "seeds/s")
			})
		}
	}
}
