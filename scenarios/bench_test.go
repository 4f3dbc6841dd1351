package scenarios_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
)

// BenchmarkValidateLargeWorld validates a scenario of 100,000 nodes as dsim
// validate does: parse it and build its world (the goal is under a second).
// It reports the heap the built world holds per node.
func BenchmarkValidateLargeWorld(b *testing.B) {
	src := []byte(fmt.Sprintf("name: big\nprotocol: toy\nnodes: 1000\nclients: %d\nduration: 1s\n", scenarios.MaxNodes-1000))
	table := []protocols.Protocol{toy()}
	var perNode float64
	for b.Loop() {
		before := heap()
		s, err := scenarios.Parse("big.yaml", src, table)
		if err != nil {
			b.Fatal(err)
		}
		w, _, _, err := scenarios.Build(s, 1, false)
		if err != nil {
			b.Fatal(err)
		}
		perNode = float64(heap()-before) / scenarios.MaxNodes
		runtime.KeepAlive(w)
	}
	b.ReportMetric(perNode, "B/node")
}

// BenchmarkNemesisSchedule builds a world whose nemesis draws about 100,000
// faults, and reports the heap each scheduled fault holds.
func BenchmarkNemesisSchedule(b *testing.B) {
	src := []byte("name: busy\nprotocol: toy\nnodes: 5\nduration: 20000s\n" +
		"nemesis: {kinds: [crash, pause, partition, clock], interval: 250ms, duration: 250ms}\n")
	table := []protocols.Protocol{toy()}
	s, err := scenarios.Parse("busy.yaml", src, table)
	if err != nil {
		b.Fatal(err)
	}
	var perFault float64
	for b.Loop() {
		before := heap()
		w, _, faults, err := scenarios.Build(s, 1, false)
		if err != nil {
			b.Fatal(err)
		}
		perFault = float64(heap()-before) / float64(len(faults))
		runtime.KeepAlive(w)
	}
	b.ReportMetric(perFault, "B/fault")
}

// heap returns the live heap after a collection.
func heap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
