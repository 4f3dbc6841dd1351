package paxos

import (
	"testing"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// BenchmarkDefaultScenario runs the default scenario (paxos-calm: 5
// replicas, 3 clients, 1000 operations, calm network) for one seed per
// iteration, every check included, and reports seeds/s (wall) and the CPU
// time per seed. Run it with -cpu 1 for figures per core. The
// sub-benchmarks split the cost: "sim" simulates only; "check" runs every
// check on finished runs; check=NAME runs one check.
func BenchmarkDefaultScenario(b *testing.B) {
	s := calmSpec()
	measure := func(b *testing.B, body func(i int)) {
		b.ReportAllocs()
		cpu := cpuTime()
		for i := 0; b.Loop(); i++ {
			body(i)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "seeds/s")
		if d := cpuTime() - cpu; d > 0 {
			b.ReportMetric(float64(d)/float64(time.Millisecond)/float64(b.N), "cpu-ms/seed")
		}
	}
	b.Run("full", func(b *testing.B) {
		measure(b, func(i int) {
			w, cl := simulate(b, s, uint64(i))
			rep := cl.Check(protocols.CheckRequest{World: w, Checks: allChecks, Budget: time.Minute})
			if len(rep.Failed()) > 0 {
				b.Fatalf("seed %d: %v", i, rep.Failed())
			}
		})
	})
	b.Run("sim", func(b *testing.B) {
		measure(b, func(i int) { simulate(b, s, uint64(i)) })
	})
	const runs = 8
	var worlds []*sim.World
	var clusters []*Cluster
	for i := range runs {
		w, cl := simulate(b, s, uint64(i))
		worlds, clusters = append(worlds, w), append(clusters, cl)
	}
	b.Run("check", func(b *testing.B) {
		measure(b, func(i int) {
			rep := clusters[i%runs].Check(protocols.CheckRequest{World: worlds[i%runs], Checks: allChecks, Budget: time.Minute})
			if len(rep.Failed()) > 0 {
				b.Fatal(rep.Failed())
			}
		})
	})
	for _, check := range allChecks {
		b.Run("check="+check, func(b *testing.B) {
			measure(b, func(i int) {
				rep := clusters[i%runs].Check(protocols.CheckRequest{World: worlds[i%runs], Checks: []string{check}, Budget: time.Minute})
				if rep.Checks[0].Verdict != checker.Holds {
					b.Fatal(rep.Checks[0])
				}
			})
		})
	}
}

func simulate(tb testing.TB, s spec, seed uint64) (*sim.World, *Cluster) {
	w, err := sim.New(sim.Config{Seed: seed, Link: s.link})
	if err != nil {
		tb.Fatal(err)
	}
	cl, err := NewCluster(w, s.cfg)
	if err != nil {
		tb.Fatal(err)
	}
	if s.faults != nil {
		s.faults(w, cl)
	}
	w.RunUntil(sim.Time(s.duration))
	return w, cl
}

func BenchmarkCheckPaxosTrace(b *testing.B) {
	_, cl := simulate(b, calmSpec(), 1)
	tr := cl.Trace()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := checker.CheckPaxos(tr); err != nil {
			b.Fatal(err)
		}
	}
}
