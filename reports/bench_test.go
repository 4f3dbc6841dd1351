package reports

import (
	"io"
	"testing"
)

func BenchmarkWriteText(b *testing.B) {
	o := runScenario(b, "echo-faults", 1)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteText(io.Discard, o); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteJSON(b *testing.B) {
	o := runScenario(b, "echo-faults", 1)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteJSON(io.Discard, o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteHTML renders the default window (300 events) of
// echo-faults seed 1, diagram and timeline included.
func BenchmarkWriteHTML(b *testing.B) {
	o := runScenario(b, "echo-faults", 1)
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteHTML(io.Discard, o, HTMLOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSweepAdd measures the cost a sweep pays per finished run.
func BenchmarkSweepAdd(b *testing.B) {
	o := runScenario(b, "echo-faults", 1)
	var s Sweep
	b.ReportAllocs()
	for b.Loop() {
		s.Add(o)
	}
}
