package mapreduce

import (
	"testing"
	"time"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// BenchmarkWordCount1000x100x100 runs the benchmark job: word count
// with 1,000 map tasks, 100 reduce tasks and 100 workers, from set-up
// (corpus generation) to the job's end, checks excluded. It reports
// simulated events per job, events per wall-clock second, and the job's
// virtual duration.
//
//	go test ./protocols/mapreduce -run XXX -bench WordCount -benchmem
func BenchmarkWordCount1000x100x100(b *testing.B) {
	cfg := DefaultConfig()
	cfg.Corpus.Splits, cfg.Reduces, cfg.Workers, cfg.Linger = 1000, 100, 100, 0
	var events uint64
	var virtual time.Duration
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		w, err := sim.New(sim.Config{Seed: uint64(i + 1)})
		if err != nil {
			b.Fatal(err)
		}
		cl, err := Build(w, cfg)
		if err != nil {
			b.Fatal(err)
		}
		w.RunUntil(sim.Time(time.Hour))
		r := cl.Result()
		if !r.Done {
			b.Fatalf("seed %d: job not done", i+1)
		}
		events += w.Events()
		virtual += r.JobTime
	}
	b.ReportMetric(float64(events)/float64(b.N), "events/job")
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(virtual.Seconds()/float64(b.N), "virtual-s/job")
}

// BenchmarkLibraryCalm runs the mapreduce-calm scenario with its checks,
// as a sweep does.
func BenchmarkLibraryCalm(b *testing.B) {
	s, err := scenarios.Load("../../scenarios/library/mapreduce-calm.yaml", []protocols.Protocol{Protocol()})
	if err != nil {
		b.Fatal(err)
	}
	var events uint64
	for i := 0; i < b.N; i++ {
		o, err := scenarios.Run(s, uint64(i+1), scenarios.RunOptions{})
		if err != nil || !o.Passed {
			b.Fatalf("seed %d: %v %v", i+1, err, o.Checks)
		}
		events += o.Events
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}
