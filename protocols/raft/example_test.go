package raft_test

import (
	"fmt"
	"time"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/raft"
	"github.com/dsimlab/dsim/sim"
)

// A five-server cluster serves three clients while its first leader
// crashes and comes back; then every check runs.
func Example() {
	w, _ := sim.New(sim.Config{Seed: 7, Link: sim.LinkConfig{Latency: sim.Uniform(time.Millisecond, 10*time.Millisecond)}})
	cfg := raft.DefaultConfig() // 5 servers, 3 clients, 1000 operations
	cl, _ := raft.NewCluster(w, cfg)
	var first sim.NodeID = -1
	sim.ObserveFacts(w, func(e *sim.Event, f *raft.Elected) {
		if first < 0 {
			first = e.Node
			w.At(e.Time.Add(500*time.Millisecond), func(w *sim.World) { w.Crash(first) })
			w.At(e.Time.Add(time.Second), func(w *sim.World) { w.Restart(first) })
		}
	})
	w.RunUntil(sim.Time(time.Minute)) // stops early when the clients are done
	rep := cl.Check(protocols.CheckRequest{World: w, Budget: 10 * time.Second, Checks: []string{
		"linearizability", raft.ElectionSafetyCheck, raft.LogMatchingCheck,
		raft.LeaderCompletenessCheck, raft.StateMachineSafetyCheck, raft.LivenessCheck}})
	for _, r := range rep.Checks {
		fmt.Println(r.Check, r.Verdict)
	}
	// Output:
	// linearizability holds
	// raft-election-safety holds
	// raft-log-matching holds
	// raft-leader-completeness holds
	// raft-state-machine-safety holds
	// liveness holds
}
