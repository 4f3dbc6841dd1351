package runner_test

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"testing"

	"github.com/dsimlab/dsim/runner"
	"github.com/dsimlab/dsim/scenarios/library"
)

// BenchmarkSweep sweeps paxos-nemesis with 1, 2, … jobs up to the machine's
// cores; one op is one seed, so allocs/op is allocations per run. It
// reports seeds/s, the speed-up over one job (the goal is at least 0.9 per
// job: runs share nothing but the memory allocator and the garbage
// collector) and the garbage collector's CPU time per seed (gc-ms).
func BenchmarkSweep(b *testing.B) {
	s, err := library.Load("paxos-nemesis")
	if err != nil {
		b.Fatal(err)
	}
	var one float64
	for jobs := 1; jobs <= runtime.NumCPU(); jobs++ {
		b.Run(fmt.Sprintf("jobs=%d", jobs), func(b *testing.B) {
			b.ReportAllocs()
			gc := gcSeconds()
			seeds := func(yield func(uint64) bool) {
				for i := 0; i < b.N; i++ {
					if !yield(uint64(i)) {
						return
					}
				}
			}
			b.ResetTimer()
			err := runner.Run(context.Background(), s, seeds, runner.Options{Jobs: jobs}, func(r runner.Result) {
				if !r.Outcome.Passed {
					b.Errorf("seed %d failed", r.Seed)
				}
			})
			b.StopTimer()
			if err != nil {
				b.Fatal(err)
			}
			rate := float64(b.N) / b.Elapsed().Seconds()
			if jobs == 1 {
				one = rate
			}
			b.ReportMetric(rate, "seeds/s")
			if one > 0 {
				b.ReportMetric(rate/one, "speedup")
			}
			b.ReportMetric((gcSeconds()-gc)*1000/float64(b.N), "gc-ms")
		})
	}
}

// gcSeconds is the CPU time the garbage collector has used so far.
func gcSeconds() float64 {
	sample := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(sample)
	return sample[0].Value.Float64()
}
