// Package lb simulates load balancing inside the dsim kernel, measured with
// statistics worth trusting: servers with FIFO queues, balancer nodes that
// know server load only from messages, eight algorithms behind one small
// interface, and a Result per run with latency percentiles, load spread
// and keys moved. Comparisons across seeds, with common random numbers,
// confidence intervals and plots, are package studies' (CompareBalancers,
// behind dsim compare).
//
// # Balancers
//
// A Balancer picks a server for each request from a View: the balancer
// node's clock, its random stream and its picture of the servers. Pick one
// by name with New (Names lists them) or build one directly:
//
//	name                  type                load information used
//	random                Random              none
//	round-robin           RoundRobin          none
//	weighted-round-robin  WeightedRoundRobin  weights (nginx's smooth WRR)
//	least-connections     LeastConnections    own requests outstanding / weight (indexed)
//	power-of-d            PowerOfD            reported queues of D random servers (D=2: two choices)
//	join-shortest-queue   JSQ                 reported queues of all servers (indexed)
//	peak-ewma             PeakEWMA            latency EWMA × outstanding, two choices (Finagle, Linkerd)
//	consistent-hash       ConsistentHash      the request key, through chash
//
// Options holds their few parameters (D, Replace, Decay, Hash); its zero
// value selects the defaults. Power-of-d samples D distinct servers by
// default (as Finagle and nginx do); "power-of-d:2:replace" draws with
// replacement, as the supermarket model of the theory assumes. Peak-EWMA
// decays with Finagle's and Linkerd's 10s constant. Consistent hashing over
// bounded-load bounds each server's requests in flight to c times its
// share. A spec such as "power-of-d:3" or "consistent-hash:maglev" names an
// algorithm with its parameter (ParseSpec). Optional capabilities are
// separate interfaces: an Observer learns each answered request's
// round-trip time; a KeyOwner maps keys to servers, so the node can measure
// how many keys a membership change moves; a LoadWatcher hears of every
// load change, so JSQ and least-connections keep an index and a pick does
// not scan the servers. Conformance checks any Balancer against the
// interface's contract.
//
// # The simulation
//
// A Config describes an experiment. Build adds it to a sim.World, which
// then runs it; Instance.Result measures the run:
//
//   - Servers n1..nN serve Workers requests at a time in arrival order
//     (FIFO: M/G/c; Unlimited: every request at once, a backend that only
//     waits) or share themselves among all present (DisciplinePS,
//     processor sharing). A request of size x takes x/speed (times
//     MissFactor on a cache miss, with CacheKeys set); sizes are
//     exponential, log-normal, Pareto, constant or truncated normal.
//     Slowdowns slow a server down for a window, dividing its speed or
//     fixing its service time (a backend that answers in 2 s); spares
//     (JoinAt) announce themselves to the balancers when they join; a
//     crashed server loses its queue and, when restarted, announces itself
//     again with a new boot epoch kept on its disk.
//   - Balancer nodes c1..cM each generate their share of the requests, as
//     an open-loop stream (Load or Rate; Poisson, or Deterministic
//     arrivals at fixed intervals) or a closed loop (Concurrency users with
//     Think time), and route them. Everything a
//     balancer knows of a server comes from messages: every response
//     carries the server's queue length, and ReportInterval adds pushed
//     reports, so the view is stale by the network delay. A request not
//     answered within Timeout fails; EjectAfter failures in a row eject
//     the server for EjectFor.
//   - Sizes, keys and arrival times come from each client's
//     "workload/NAME" stream, in a fixed order, so that under one seed
//     every balancer serves exactly the same requests: differences between
//     balancers are the algorithms', not noise (common random numbers).
//     Balancers draw only from their node's own stream.
//
// For example, power of two choices against random at 90% load:
//
//	for _, b := range []string{lb.NameRandom, lb.NamePowerOfD} {
//		w, _ := sim.New(sim.Config{Seed: 1, Link: lb.DefaultLink})
//		in, err := lb.Build(w, lb.Config{Balancer: b, Load: 0.9, Requests: 100000,
//			Warmup: 200 * time.Millisecond})
//		if err != nil {
//			return err
//		}
//		w.Run() // until every request is answered or has timed out
//		r := in.Result()
//		fmt.Printf("%s: mean %.2fms p99 %.2fms\n", b, r.Latency.Mean, r.Latency.P99)
//	}
//
// A Result holds the latency summary (mean, p50, p90, p99, p99.9), counting
// each timed-out request at the timeout, and the answered requests' alone;
// each server's utilisation, mean and longest queue and share; the spread of
// load (max/mean and coefficient of variation), failures, cache hits and the
// keys moved by each membership change. Latencies go into stats.Sketch
// values, so memory does not grow with the requests and percentiles are
// within 0.25% of the exact ones.
//
// The package's tests hold the simulation to queueing theory: M/M/1 per
// server under random routing (mean and quantiles), Pollaczek–Khinchine
// for log-normal, constant and truncated-normal sizes, Erlang C for M/M/3,
// M/M/2 and M/G/1 under processor sharing (insensitivity), D/M/1 under
// round-robin with fixed-interval arrivals, and power of d choices, with
// and without replacement, against the supermarket model's fixed point and
// its refined 1/n correction (Gast and Van Houdt) at n = 100.
//
// # Scenarios
//
// Protocol describes lb to the scenario loader (protocol: lb). The
// scenario's nodes are the servers and its clients the balancer nodes; the
// parameters mirror Config. Its checks are "accounting" (every balancer
// node's books balance: each request completed, failed or waiting, each
// outstanding count matching its requests) and "slo" (p99 and failed
// fraction within limits). The variant parameter selects bug-zoo balancer
// nodes (see Variants) that the accounting check catches.
//
// # Determinism
//
// Nodes are state machines driven by the kernel; they draw randomness only
// from their streams and never iterate maps where order could leak. The
// recorder that collects measurements is written by nodes and never read
// during a run. The same Config and seed give the same Result and
// fingerprint on every machine.
package lb
