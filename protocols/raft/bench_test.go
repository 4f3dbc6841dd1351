package raft_test

import (
	"testing"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/raft"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// BenchmarkNemesisScenario runs raft-nemesis (5 servers, 3 clients, 1000
// operations, random crashes, pauses, partitions and clock skew over a
// slightly lossy network) for one seed per iteration, every check
// included, as a sweep does, and reports seeds/s (wall) and the CPU time
// per seed. Run it with -cpu 1 for figures per core. The sub-benchmarks
// split the cost: "sim" sets up and simulates only (the Raft checks run
// online, as facts are recorded, so they are part of it); "check" runs
// every check on finished runs; check=NAME runs one check.
func BenchmarkNemesisScenario(b *testing.B) {
	s := load(b, "raft-nemesis", raft.Correct)
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
			o, err := scenarios.Run(s, uint64(i+1), scenarios.RunOptions{})
			if err != nil || !o.Passed {
				b.Fatalf("seed %d: %v %v", i+1, err, failures(o))
			}
		})
	})
	b.Run("sim", func(b *testing.B) {
		measure(b, func(i int) { simulate(b, s, uint64(i+1)) })
	})
	const runs = 8
	var worlds []*sim.World
	var insts []protocols.Instance
	for i := range runs {
		w, inst := simulate(b, s, uint64(i+1))
		worlds, insts = append(worlds, w), append(insts, inst)
	}
	check := func(names ...string) func(int) {
		return func(i int) {
			rep := insts[i%runs].Check(protocols.CheckRequest{World: worlds[i%runs], Checks: names, Budget: time.Minute})
			for _, r := range rep.Checks {
				if r.Verdict != checker.Holds {
					b.Fatal(r)
				}
			}
		}
	}
	all := raft.Protocol().CheckNames()
	b.Run("check", func(b *testing.B) { measure(b, check(all...)) })
	for _, name := range all {
		b.Run("check="+name, func(b *testing.B) { measure(b, check(name)) })
	}
}

// simulate sets s up for seed and runs it to its end, without the checks
// that run after it.
func simulate(tb testing.TB, s *scenarios.Scenario, seed uint64) (*sim.World, protocols.Instance) {
	w, inst, _, err := scenarios.Build(s, seed, false)
	if err != nil {
		tb.Fatal(err)
	}
	w.RunUntil(sim.Time(s.Duration))
	return w, inst
}
