package dsimtest_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dsimlab/dsim/dsimtest"
	"github.com/dsimlab/dsim/protocols/echo"
	"github.com/dsimlab/dsim/scenarios/library"
	"github.com/dsimlab/dsim/sim"
)

// A test sweeps a built-in scenario over 100 seeds; `go test -short` runs
// the first 10, and `go test -run 'TestEcho/^seed=42$'` just one.
func ExampleSweep() {
	TestEcho := func(t *testing.T) {
		dsimtest.Sweep(t, "echo-faults", "1-100")
	}
	_ = TestEcho
}

// A bug hunt: the scenario, changed in Go, must violate a check within 20
// seeds. (twopc's early-commit variant decides before every vote is in.)
func ExampleExpectViolation() {
	TestEarlyCommitIsCaught := func(t *testing.T) {
		s, err := library.Load("twopc-calm")
		if err != nil {
			t.Fatal(err)
		}
		dsimtest.Sweep(t, s.WithParam("variant", "early-commit"), "1-20",
			dsimtest.ExpectViolation("atomicity"))
	}
	_ = TestEarlyCommitIsCaught
}

// A probe drives echo's server: a ping delivered from client c1 is answered
// at once.
func ExampleNewProbe() {
	p := dsimtest.NewProbe("server", echo.NewServer, dsimtest.Nodes("server", "c1"))
	p.Deliver("c1", &echo.Ping{Seq: 7})
	for _, m := range p.Take() {
		fmt.Println(m.At, m)
	}
	// Output:
	// 0s c1: pong 7
}

// A probe drives echo's client: it sends a ping when its timer fires, and
// returns the operation when the pong arrives.
func ExampleProbe_FireNext() {
	client := echo.NewClient(0, echo.ClientConfig{Pings: 1, Interval: 5 * time.Millisecond})
	p := dsimtest.NewProbe("c1", client, dsimtest.Nodes("server", "c1"))
	tm, _ := p.FireNext()
	fmt.Println(tm.At, len(p.Take()), "message")
	ping := p.SentTo("server")[0].(*echo.Ping)
	p.Advance(2 * time.Millisecond)
	p.Deliver("server", &echo.Pong{Seq: ping.Seq})
	for _, op := range p.History() {
		fmt.Println(op.Output == echo.Pong{Seq: ping.Seq}, op.Invoke, op.Return)
	}
	// Output:
	// 5ms 1 message
	// true 5ms 7ms
}

// Facts a node records with ctx.Record are what a check reads; a probe
// collects them by type.
func ExampleFactsOf() {
	type decided struct{ Value string }
	node := func() sim.Node { return recorder{fact: decided{"x"}} }
	p := dsimtest.NewProbe("n1", node)
	fmt.Println(dsimtest.FactsOf[decided](p))
	// Output:
	// [{x}]
}

// recorder records one fact when it starts.
type recorder struct{ fact any }

func (r recorder) Start(ctx *sim.Context)                { ctx.Record(r.fact) }
func (r recorder) Receive(*sim.Context, sim.NodeID, any) {}
func (r recorder) Timer(*sim.Context, any)               {}
