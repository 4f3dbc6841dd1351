package lb_test

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dsimlab/dsim/protocols/lb"
	"github.com/dsimlab/dsim/sim"
)

// Example runs the same requests, at 90% load on ten servers, under random
// routing and under the power of two choices.
func Example() {
	for _, b := range []string{lb.NameRandom, lb.NamePowerOfD} {
		w, err := sim.New(sim.Config{Seed: 1, Link: lb.DefaultLink})
		if err != nil {
			panic(err)
		}
		in, err := lb.Build(w, lb.Config{Balancer: b, Load: 0.9, Requests: 50000, Warmup: 200 * time.Millisecond})
		if err != nil {
			panic(err)
		}
		w.Run() // until every request is answered or timed out
		r := in.Result()
		fmt.Printf("%-10s mean %5.2fms  p99 %5.1fms  failed %d\n", b, r.Latency.Mean, r.Latency.P99, r.Failed)
	}
	// Output:
	// random     mean 10.82ms  p99  44.3ms  failed 0
	// power-of-d mean  3.25ms  p99  10.6ms  failed 0
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
