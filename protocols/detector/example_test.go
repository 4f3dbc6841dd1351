package detector_test

import (
	"fmt"
	"time"

	"github.com/dsimlab/dsim/protocols/detector"
	"github.com/dsimlab/dsim/sim"
)

// Three monitors heartbeat each other every 100ms and run both detectors;
// n3 crashes at 1s. The analysis reports each detector's detection times.
func Example() {
	cfg := &detector.Config{Interval: 100 * time.Millisecond, Timeout: 400 * time.Millisecond,
		Phi: detector.PhiConfig{Threshold: 8, Window: 100, MinStdDev: 10 * time.Millisecond}}
	w, _ := sim.New(sim.Config{Seed: 1, Link: sim.LinkConfig{Latency: sim.Uniform(time.Millisecond, 10*time.Millisecond)}})
	a := detector.NewAnalysis(w.Name, cfg.Names()...)
	w.Observe(a.Observe)
	for _, name := range []string{"n1", "n2", "n3"} {
		w.MustAddNode(name, detector.NewMonitor(cfg))
	}
	w.At(sim.Time(time.Second), func(w *sim.World) { w.Crash(2) })
	w.RunUntil(sim.Time(5 * time.Second))
	for _, q := range a.QoS(w.Now()) {
		fmt.Printf("%s: detection times %v, %d false suspicions\n", q.Detector, q.Detections, len(q.Mistakes))
	}
	fmt.Println(a.Completeness(w.Now(), time.Second))
	// Output:
	// fixed: detection times [307.408073ms 305.411943ms], 0 false suspicions
	// phi: detection times [69.61372ms 67.229435ms], 0 false suspicions
	// detector-completeness (liveness): holds: every crash was suspected by every correct monitor within 1s (4 crash-monitor pairs checked)
}
