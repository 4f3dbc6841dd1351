package paxos_test

import (
	"fmt"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/paxos"
	"github.com/dsimlab/dsim/sim"
)

// Three replicas and two clients; the first replica crashes for a while and
// comes back. The store stays linearizable and the replicas agree.
func ExampleNewCluster() {
	w, err := sim.New(sim.Config{Seed: 7})
	if err != nil {
		fmt.Println(err)
		return
	}
	cfg := paxos.DefaultConfig()
	cfg.Servers, cfg.Clients, cfg.Workload.Ops = 3, 2, 200
	cl, err := paxos.NewCluster(w, cfg)
	if err != nil {
		fmt.Println(err)
		return
	}
	n1 := cl.Servers()[0]
	w.At(sim.Time(300*time.Millisecond), func(w *sim.World) { w.Crash(n1) })
	w.At(sim.Time(900*time.Millisecond), func(w *sim.World) { w.Restart(n1) })
	w.RunUntil(sim.Time(time.Minute))
	rep := cl.Check(protocols.CheckRequest{World: w, Budget: 10 * time.Second, Checks: []string{
		checker.LinearizabilityCheck, checker.PaxosAgreementCheck, checker.PaxosValidityCheck,
		checker.PaxosPrefixCheck, paxos.LivenessCheck}})
	for _, r := range rep.Checks {
		fmt.Println(r.Check, r.Kind, r.Verdict)
	}
	// Output:
	// linearizability safety holds
	// paxos-agreement safety holds
	// paxos-validity safety holds
	// paxos-prefix safety holds
	// liveness liveness holds
}

// Single-decree Paxos: three of five nodes propose; all learn one value.
func ExampleNewSingle() {
	w, err := sim.New(sim.Config{Seed: 3})
	if err != nil {
		fmt.Println(err)
		return
	}
	s, err := paxos.NewSingle(w, paxos.SingleConfig{Nodes: 5, Proposers: 3, Variant: paxos.Correct, Retry: 20 * time.Millisecond})
	if err != nil {
		fmt.Println(err)
		return
	}
	w.Run() // until every node has learned and stopped
	fmt.Println(s.Learned())
	res, err := s.Check()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range res {
		fmt.Println(r.Check, r.Verdict)
	}
	// Output:
	// [v-n3 v-n3 v-n3 v-n3 v-n3]
	// paxos-agreement holds
	// paxos-validity holds
	// paxos-prefix holds
	// liveness holds
}
