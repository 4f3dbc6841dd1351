package snapshot_test

import (
	"fmt"
	"time"

	"github.com/dsimlab/dsim/protocols/snapshot"
	"github.com/dsimlab/dsim/sim"
)

// Example runs three bank nodes over the kernel's FIFO links, crashes n2
// in the middle, and checks the snapshots, the recovery and the total.
func Example() {
	w, err := sim.New(sim.Config{Seed: 1, Link: sim.LinkConfig{
		Latency: sim.Uniform(time.Millisecond, 5*time.Millisecond), FIFO: true}})
	if err != nil {
		panic(err)
	}
	ids := []sim.NodeID{0, 1, 2}
	cfg := snapshot.DefaultConfig(ids)
	cfg.Reliable = false // trust the FIFO links, as the textbook does
	cfg.StopAt = sim.Time(600 * time.Millisecond)
	audit := snapshot.NewAuditor(ids, []string{"n1", "n2", "n3"}, cfg.Initial)
	w.Observe(audit.Observe)
	for i := range ids {
		w.MustAddNode(fmt.Sprintf("n%d", i+1), snapshot.NewNode(cfg, i, nil))
	}
	w.At(sim.Time(300*time.Millisecond), func(w *sim.World) { w.Crash(1) })
	w.At(sim.Time(350*time.Millisecond), func(w *sim.World) { w.Restart(1) })
	w.RunUntil(sim.Time(time.Second))

	fmt.Println(audit.Consistency().Verdict, audit.Recovery().Verdict, audit.Conservation(snapshot.Finals(w, ids)).Verdict)
	undone, _ := audit.Rollbacks()
	fmt.Println("checkpoints undone per node:", undone)
	// Output:
	// holds holds holds
	// checkpoints undone per node: [1 0 1]
}
