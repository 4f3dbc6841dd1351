package lb_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/dsimlab/dsim/protocols/lb"
)

// Example runs the same requests, at 90% load on ten servers, under random
// routing and under the power of two choices.
func Example() {
	for _, b := range []string{lb.NameRandom, lb.NamePowerOfD} {
		r, err := lb.Run(lb.Config{Balancer: b, Load: 0.9, Requests: 50000, Warmup: 200 * time.Millisecond}, 1)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%-10s mean %5.2fms  p99 %5.1fms  failed %d\n", b, r.Latency.Mean, r.Latency.P99, r.Failed)
	}
	// Output:
	// random     mean 10.82ms  p99  44.2ms  failed 0
	// power-of-d mean  3.25ms  p99  10.6ms  failed 0
}

// ExampleCompare tabulates three balancers over five seeds with confidence
// intervals and paired differences from the first.
func ExampleCompare() {
	cfg := lb.Config{Servers: make([]lb.ServerSpec, 4), Load: 0.7, Requests: 5000}
	tab, err := lb.Compare(cfg, []string{lb.NameRandom, lb.NameRoundRobin, lb.NameJSQ}, []uint64{1, 2, 3, 4, 5})
	if err != nil {
		panic(err)
	}
	for _, row := range tab.Rows {
		fmt.Printf("%-20s mean %v ms, vs random %v ms\n", row.Balancer, row.Mean, row.MeanVsFirst)
	}
	_ = tab.WriteText(os.Stdout) // the full table
}

// ExampleNew picks a balancer by spec and routes a request over a
// hand-made view of two servers.
func ExampleNew() {
	name, opts, err := lb.ParseSpec("power-of-d:2", lb.Options{})
	if err != nil {
		panic(err)
	}
	b, err := lb.New(name, opts)
	if err != nil {
		panic(err)
	}
	v := &lb.View{Servers: []lb.ServerView{{Name: "n1", Weight: 1, Reported: 7}, {Name: "n2", Weight: 1, Reported: 2}},
		Eligible: []int{0, 1}, Rand: rand.New(rand.NewPCG(1, 2))}
	b.Update(v)
	fmt.Println(v.Servers[b.Pick(v, 0)].Name)
	// Output: n2
}
