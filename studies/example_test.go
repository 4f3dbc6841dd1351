package studies_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/dsimlab/dsim/scenarios/library"
	"github.com/dsimlab/dsim/studies"
)

// Example runs the echo-faults scenario with two ping intervals over five
// seeds, the same seeds for both, and tabulates how many pings were
// answered, with the paired difference from the first case.
func Example() {
	s, err := library.Load("echo-faults")
	if err != nil {
		panic(err)
	}
	st := &studies.Study{Base: s, Axis: "interval", Seeds: studies.SeedRange(1, 5),
		Cases: []studies.Case{
			{Name: "1ms", Changes: []studies.Change{studies.Param("interval", time.Millisecond)}},
			{Name: "2ms", Changes: []studies.Change{studies.Param("interval", 2*time.Millisecond)}},
		},
		Columns: []studies.Column{{Metric: "answered", Paired: studies.Difference}, {Metric: "passed"}}}
	t, err := st.Run(context.Background())
	if err != nil {
		panic(err)
	}
	_ = t.WriteText(os.Stdout)
	// Output:
	// echo-faults: 5 seeds (1-5), 95% Student-t confidence intervals
	// interval  answered     Δanswered vs 1ms  passed
	// 1ms       389.0 ± 8.2  -                 1 ± 0
	// 2ms       431 ± 30     +42 ± 34          1 ± 0
}

// ExampleVary shows how often a planted bug breaks a check: Paxos without
// duplicate suppression on a lossy network.
func ExampleVary() {
	s, err := library.Load("paxos-lossy")
	if err != nil {
		panic(err)
	}
	t, err := studies.Vary(context.Background(), s, "variant", []string{"correct", "no-dedup"}, studies.SeedRange(1, 3), 0)
	if err != nil {
		panic(err)
	}
	for _, r := range t.Rows {
		c, _ := t.Cell(r.Case, "linearizability holds")
		fmt.Printf("%-8s linearizable in %.0f of %d runs\n", r.Case, c.Mean.Mean*float64(c.Mean.N), c.Mean.N)
	}
	// Output:
	// correct  linearizable in 3 of 3 runs
	// no-dedup linearizable in 0 of 3 runs
}

// ExampleCompareBalancers tabulates three balancers on a library scenario
// with confidence intervals and paired differences from the first.
func ExampleCompareBalancers() {
	s, err := library.Load("lb-load-80")
	if err != nil {
		panic(err)
	}
	b, err := studies.CompareBalancers(context.Background(), s, []string{"random", "round-robin", "join-shortest-queue"},
		studies.SeedRange(1, 5), 0)
	if err != nil {
		panic(err)
	}
	_ = b.Table.WriteText(os.Stdout)
	f, err := os.Create("lb.png")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	_ = b.PlotLatencyCDF(f, studies.FormatPNG)
}
