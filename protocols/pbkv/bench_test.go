package pbkv_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/pbkv"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// BenchmarkDefaultScenario runs the default scenario, pbkv-calm (3
// servers, 3 clients, 1000 operations), one seed per iteration: "full" is
// scenarios.Run with every check, porcupine included; "sim" is the
// simulation alone; the check= sub-benchmarks check one finished run.
func BenchmarkDefaultScenario(b *testing.B) {
	s := load(b, "pbkv-calm", nil)
	b.Run("full", func(b *testing.B) {
		b.ReportAllocs()
		events := uint64(0)
		cpu0 := cpuTime()
		for i := 0; b.Loop(); i++ {
			o, err := scenarios.Run(s, uint64(i), scenarios.RunOptions{})
			if err != nil || !o.Passed {
				b.Fatalf("seed %d: %v %v", i, err, failures(o))
			}
			events += o.Events
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "seeds/s")
		b.ReportMetric(float64(b.N)/(cpuTime()-cpu0), "seeds/cpu-s")
		b.ReportMetric(float64(events)/float64(b.N), "events/seed")
	})
	b.Run("sim", func(b *testing.B) {
		b.ReportAllocs()
		cpu0 := cpuTime()
		for i := 0; b.Loop(); i++ {
			build(b, s, uint64(i))
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "seeds/s")
		b.ReportMetric(float64(b.N)/(cpuTime()-cpu0), "seeds/cpu-s")
	})
	w, cl := build(b, s, 1)
	for _, check := range allChecks {
		b.Run("check="+check, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rep := cl.Check(protocols.CheckRequest{World: w, Checks: []string{check}, Budget: time.Minute})
				if rep.Checks[0].Verdict != checker.Holds {
					b.Fatal(rep.Checks[0])
				}
			}
		})
	}
}

// build sets s up for seed and runs it to its end, without checking.
func build(tb testing.TB, s *scenarios.Scenario, seed uint64) (*sim.World, *pbkv.Cluster) {
	w, inst, _, err := scenarios.Build(s, seed, false)
	if err != nil {
		tb.Fatal(err)
	}
	w.RunUntil(sim.Time(s.Duration))
	return w, inst.(*pbkv.Cluster)
}

// cpuTime returns the CPU time the process has used, user and system, in
// seconds: seeds per CPU-second is seeds per second per core, however busy
// the machine is with other work.
func cpuTime() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}
