package twopc_test

import (
	"fmt"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/twopc"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// A coordinator, two participants and a client running ten transactions,
// built by hand; the history is strictly serializable.
func Example() {
	w, err := sim.New(sim.Config{Seed: 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := twopc.DefaultConfig(0, []sim.NodeID{1, 2})
	w.MustAddNode("coord", twopc.NewCoordinator(cfg))
	w.MustAddNode("n1", twopc.NewParticipant(cfg))
	w.MustAddNode("n2", twopc.NewParticipant(cfg))
	wl := protocols.Workload{Ops: 10, Keys: 4, Mix: []protocols.MixEntry{{Op: "get", Weight: 1}, {Op: "put", Weight: 1}}}
	w.MustAddNode("c1", twopc.NewClient(twopc.ClientConfig{Coordinator: 0, Txns: 10, OpsPerTxn: 2,
		Gen: protocols.NewGenerator(wl, w.Stream("workload/c1")), Retry: cfg.Retry, Timeout: time.Second}))
	w.RunUntil(sim.Time(time.Second))
	res, err := checker.CheckIsolation(checker.FromSim(w.History()), 10*time.Second)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Verdict)
	fmt.Println(res.Detail)
	// Output:
	// holds
	// strictly serializable: 10 transactions (0 of them with unknown outcome; 0 aborted ones left out)
}

// A scenario file, as `dsim run` reads it: the coordinator crashes for good
// while participants wait for its decision. Safety holds; the termination
// check says which transaction is blocked, where, and why.
func ExampleProtocol() {
	file := `
name: blocking
description: the coordinator crashes for good after the votes
protocol: twopc
nodes: 2
clients: 2
network:
  latency: {kind: constant, mean: 2ms}
workload:
  ops: 10
  keys: 4
  mix: {get: 1, put: 1}
  timeout: 300ms
duration: 1s
faults:
  - {at: 30ms, cut: {from: n1, to: coord}}
  - {at: 30ms, cut: {from: n2, to: coord}}
  - {at: 40ms, crash: coord}
`
	table := []protocols.Protocol{twopc.Protocol(), twopc.ThreePhaseProtocol()}
	s, err := scenarios.Parse("blocking.yaml", []byte(file), table)
	if err != nil {
		fmt.Println(err)
		return
	}
	o, err := scenarios.Run(s, 1, scenarios.RunOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range o.Checks {
		fmt.Println(c.Check, c.Verdict, c.Offending)
	}
	fmt.Println(o.Checks[2].Detail)
	// Output:
	// atomicity holds []
	// isolation holds []
	// termination violated [c1-4]
	// 1 transaction blocked at the end of the run: c1-4 held prepared by n1, n2 since 28ms: the coordinator coord is down (crashed at 40ms) and every participant voted yes, so none may decide alone: two-phase commit blocks
}
