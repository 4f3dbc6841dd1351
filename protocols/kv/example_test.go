package kv_test

import (
	"fmt"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/kv"
	"github.com/dsimlab/dsim/sim"
)

// Two clients run a workload against one in-memory store (the store and
// client node types of this package's tests), and the history is checked.
func Example() {
	w, _ := sim.New(sim.Config{Seed: 7, Link: sim.LinkConfig{Latency: sim.Uniform(time.Millisecond, 5*time.Millisecond)}})
	srv, _ := w.AddNode("srv", func() sim.Node { return &store{} })
	wl := protocols.Workload{Ops: 100, Keys: 2, Distribution: "uniform", Timeout: time.Second,
		Mix: []protocols.MixEntry{{Op: "append", Weight: 1}, {Op: "get", Weight: 1}}}
	var sends []sent
	for i, name := range []string{"c1", "c2"} {
		d := kv.NewDriver(w.Stream("workload/"+name), kv.Config{Workload: wl, Ops: wl.Share(i, 2)})
		w.MustAddNode(name, func() sim.Node { return &client{d: d, server: srv, log: &sends} })
	}
	w.Run()
	res, _ := kv.CheckLinearizable(checker.FromSim(w.History()), time.Minute)
	fmt.Println(res.Verdict, len(w.History()), "operations,", len(sends), "sends")
	// Output: holds 100 operations, 100 sends
}
