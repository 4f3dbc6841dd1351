package library_test

import (
	"io"
	"testing"
	"time"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/reports"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/scenarios/library"
	"github.com/dsimlab/dsim/sim"
)

// nemesisScenarios are the scenarios the whole-run figures are given for:
// each protocol's scenario with a nemesis.
var nemesisScenarios = []string{"paxos-nemesis", "raft-nemesis", "twopc-nemesis", "pbkv-nemesis",
	"snapshot-crashes", "mapreduce-nemesis", "transport-crash-restart", "detector-crash-restart", "echo-faults"}

// BenchmarkPhases runs whole seeds of each protocol's nemesis scenario one
// phase at a time, as a sweep runs them, and reports where a seed's time
// goes: loading the scenario file (load-ms), building the world and its
// fault schedule (build-ms), simulating (sim-ms), each check (check-NAME-ms;
// the history conversion and porcupine are inside linearizability's), and
// writing the text and JSON reports (report-ms); seeds/s is what one core
// sweeps. Run it with -cpu 1 on a quiet machine, and -cpuprofile to look
// inside a phase.
func BenchmarkPhases(b *testing.B) {
	for _, name := range nemesisScenarios {
		b.Run(name, func(b *testing.B) {
			s, err := library.Load(name)
			if err != nil {
				b.Fatal(err)
			}
			o, err := scenarios.Run(s, 1, scenarios.RunOptions{})
			if err != nil {
				b.Fatal(err)
			}
			var load, build, simulate, report time.Duration
			checks := make([]time.Duration, len(s.Checks))
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				start := time.Now()
				s, err := library.Load(name)
				if err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				w, inst, _, err := scenarios.Build(s, uint64(i), false)
				if err != nil {
					b.Fatal(err)
				}
				t2 := time.Now()
				w.RunUntil(sim.Time(s.Duration))
				t3 := time.Now()
				for c, check := range s.Checks {
					t := time.Now()
					inst.Check(protocols.CheckRequest{World: w, Checks: []string{check}, Budget: s.CheckBudget})
					checks[c] += time.Since(t)
				}
				t4 := time.Now()
				if err := reports.WriteText(io.Discard, o); err != nil {
					b.Fatal(err)
				}
				if err := reports.WriteJSON(io.Discard, o); err != nil {
					b.Fatal(err)
				}
				report += time.Since(t4)
				load, build, simulate = load+t1.Sub(start), build+t2.Sub(t1), simulate+t3.Sub(t2)
			}
			ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / float64(b.N) }
			b.ReportMetric(ms(load), "load-ms")
			b.ReportMetric(ms(build), "build-ms")
			b.ReportMetric(ms(simulate), "sim-ms")
			for c, check := range s.Checks {
				b.ReportMetric(ms(checks[c]), "check-"+check+"-ms")
			}
			b.ReportMetric(ms(report), "report-ms")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "seeds/s")
		})
	}
}
