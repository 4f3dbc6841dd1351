package library_test

import (
	"testing"

	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/scenarios/library"
)

// BenchmarkZooOnline sweeps failing bug-zoo variants, seed after seed,
// with online checks (a run stops at its first violating event) and
// without: seeds/s is what a sweep hunting that bug gets per core, and
// failing/s how many of them failed.
func BenchmarkZooOnline(b *testing.B) {
	zoo := []struct{ scenario, variant string }{
		{"paxos-nemesis", "correct"}, // what watching costs a run that passes
		{"twopc-calm", "early-commit"},
		{"paxos-leader-crash", "acceptor-no-sync"},
		{"paxos-nemesis", "acceptor-accepts-lower"},
		{"snapshot-calm", "no-channel-state"},
		{"snapshot-crashes", "unsynced"},
	}
	for _, z := range zoo {
		s, err := library.Load(z.scenario)
		if err != nil {
			b.Fatal(err)
		}
		s = s.WithParam("variant", z.variant)
		for _, online := range []bool{false, true} {
			mode := "offline"
			if online {
				mode = "online"
			}
			b.Run(z.scenario+"/"+z.variant+"/"+mode, func(b *testing.B) {
				failed := 0
				for i := 0; i < b.N; i++ {
					o, err := scenarios.Run(s, uint64(1+i%50), scenarios.RunOptions{Online: online})
					if err != nil {
						b.Fatal(err)
					}
					if !o.Passed {
						failed++
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "seeds/s")
				b.ReportMetric(float64(failed)/float64(b.N), "failing")
			})
		}
	}
}
