package explore_test

import (
	"testing"

	"github.com/dsimlab/dsim/explore"
)

// BenchmarkExplore searches the correct protocols' bounded spaces, one
// whole search per iteration, and reports states explored per second of
// wall time and per CPU-second (rusage; other load on the machine disturbs
// it less):
//
//	go test ./explore -run '^$' -bench Explore -benchtime 3x -cpu 1
func BenchmarkExplore(b *testing.B) {
	for _, bc := range []struct {
		name     string
		scenario string
		opts     explore.Options
	}{
		{"paxos-single/timers=1", "paxos-single", explore.Options{MaxTimers: 1}},
		{"twopc-explore/timers=1,crashes=1", "twopc-explore", explore.Options{MaxTimers: 1, MaxCrashes: 1}},
		{"paxos-single/timers=1,stateless,depth=12", "paxos-single", explore.Options{MaxTimers: 1, Stateless: true, MaxDepth: 12, MaxStates: 50_000}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := load(b, bc.scenario)
			var states uint64
			cpu := cpuTime()
			for b.Loop() {
				res, err := explore.Explore(s, 1, bc.opts)
				if err != nil {
					b.Fatal(err)
				}
				states += res.States
			}
			b.ReportMetric(float64(states)/b.Elapsed().Seconds(), "states/s")
			if d := cpuTime() - cpu; d > 0 {
				b.ReportMetric(float64(states)/d.Seconds(), "states/cpu-s")
			}
		})
	}
}
