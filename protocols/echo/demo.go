package echo

import (
	"fmt"
	"time"

	"github.com/dsimlab/dsim/sim"
)

// Demo runs the built-in demonstration: one server and three clients pinging
// it 200 times each over a lossy, duplicating, reordering network with
// log-normal latency, while the server is partitioned from one client, then
// crashes and restarts, and another client pauses. It returns the finished
// world and the echo check of its history.
func Demo(seed uint64) (*sim.World, Result, error) {
	w, err := sim.New(sim.Config{Seed: seed, Link: sim.LinkConfig{
		Latency: sim.LogNormal(2*time.Millisecond, 0.8), Drop: 0.05, Duplicate: 0.05}})
	if err != nil {
		return nil, Result{}, fmt.Errorf("demo: %w", err)
	}
	srv := w.MustAddNode("server", NewServer)
	var clients []sim.NodeID
	for i := 1; i <= 3; i++ {
		clients = append(clients, w.MustAddNode(fmt.Sprintf("c%d", i),
			NewClient(srv, ClientConfig{Pings: 200, Interval: time.Millisecond})))
	}
	ms := func(n int) sim.Time { return sim.Time(time.Duration(n) * time.Millisecond) }
	w.At(ms(50), func(w *sim.World) { w.Partition([]sim.NodeID{srv, clients[0]}) })
	w.At(ms(80), func(w *sim.World) { w.Heal() })
	w.At(ms(100), func(w *sim.World) { w.Crash(srv) })
	w.At(ms(120), func(w *sim.World) { w.Restart(srv) })
	w.At(ms(130), func(w *sim.World) { w.Pause(clients[1]) })
	w.At(ms(150), func(w *sim.World) { w.Resume(clients[1]) })
	w.Run()
	return w, Check(w.History()), nil
}
