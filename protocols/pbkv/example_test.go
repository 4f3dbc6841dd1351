package pbkv_test

import (
	"fmt"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/pbkv"
	"github.com/dsimlab/dsim/sim"
)

// The primary, n1, crashes a second into the run; its backup takes over.
func ExampleNewCluster() {
	w, err := sim.New(sim.Config{Seed: 7})
	if err != nil {
		panic(err)
	}
	cl, err := pbkv.NewCluster(w, pbkv.DefaultConfig())
	if err != nil {
		panic(err)
	}
	w.At(sim.Time(time.Second), func(w *sim.World) { w.Crash(cl.KVServers()[0]) })
	w.RunUntil(sim.Time(time.Minute))
	rep := cl.Check(protocols.CheckRequest{World: w, Budget: time.Minute,
		Checks: []string{checker.LinearizabilityCheck, pbkv.AckedWritesCheck, pbkv.OnePrimaryCheck}})
	for _, c := range rep.Checks {
		fmt.Println(c.Check, c.Verdict)
	}
	v, _ := cl.View()
	fmt.Println("primary:", w.Name(v.Primary))
	// Output:
	// linearizability holds
	// acked-writes holds
	// one-primary holds
	// primary: n2
}
