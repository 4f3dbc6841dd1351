package lb

import (
	"fmt"
	goruntime "runtime"
	"testing"
	"time"

	"github.com/dsimlab/dsim/sim"
)

// benchConfig is the balancer benchmark: servers nominal servers at 80%
// load, exponential 1ms services, one balancer node, a uniform 50µs-150µs
// network, n requests.
func benchConfig(balancer string, n, servers int) Config {
	return Config{Balancer: balancer, Load: 0.8, Requests: n, Keys: 1000, Timeout: time.Second,
		Servers: make([]ServerSpec, servers)}
}

// benchCases are the balancers and server counts of BenchmarkSimulate:
// every balancer at 100 servers, and the indexed ones (whose picks would
// otherwise scan every server) at 1,000 too.
var benchCases = []struct {
	name    string
	servers int
}{
	{NameRandom, 100}, {NameRoundRobin, 100}, {NameWeightedRoundRobin, 100}, {NameLeastConnections, 100},
	{NamePowerOfD, 100}, {NameJSQ, 100}, {NamePeakEWMA, 100}, {NameConsistentHash, 100},
	{NameLeastConnections, 1000}, {NameJSQ, 1000},
}

// BenchmarkSimulate runs the balancer scenario in the kernel; one op is one
// simulated request, from its arrival to its response (four events). The
// statistics at the end are left out: see BenchmarkRun. Memory does not
// grow with the requests: allocs/op are per request, and the live heap
// after the run is reported as heap-bytes.
func BenchmarkSimulate(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(fmt.Sprintf("%s/servers=%d", bc.name, bc.servers), func(b *testing.B) {
			w, err := sim.New(sim.Config{Seed: 1, Link: DefaultLink})
			if err != nil {
				b.Fatal(err)
			}
			in, err := Build(w, benchConfig(bc.name, b.N, bc.servers))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			cpu := cpuTime()
			w.Run()
			cpu = cpuTime() - cpu
			b.StopTimer()
			// Every request ends, answered or given up (consistent hashing
			// overloads the servers its hot keys map to, whose requests
			// time out).
			if r := in.rt.rec.clients[0]; r.completed+r.failed != b.N {
				b.Fatalf("completed %d and failed %d of %d", r.completed, r.failed, b.N)
			}
			reportRates(b, cpu)
			b.ReportMetric(float64(w.Events())/float64(b.N), "events/request")
			b.ReportMetric(float64(liveHeap()), "heap-bytes")
			goruntime.KeepAlive(w)
		})
	}
}

// liveHeap returns the bytes of heap in use after a collection.
func liveHeap() uint64 {
	goruntime.GC()
	var m goruntime.MemStats
	goruntime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkRun is BenchmarkSimulate with the Result, statistics included
// (sorting every latency sample for the percentiles).
func BenchmarkRun(b *testing.B) {
	for _, name := range []string{NamePowerOfD} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := cpuTime()
			r, err := simulate(benchConfig(name, b.N, 100), 1)
			cpu = cpuTime() - cpu
			if err != nil {
				b.Fatal(err)
			}
			if r.Completed != b.N {
				b.Fatalf("completed %d of %d", r.Completed, b.N)
			}
			reportRates(b, cpu)
		})
	}
}

// floorClient and floorServer generate the same events as the balancer
// benchmark, four per request with the same distributions, but do nothing
// else: BenchmarkFloor measures what the kernel alone costs per request.
type floorClient struct {
	servers []sim.NodeID
	left    int
}

type floorMsg struct{ from sim.NodeID }

func (c *floorClient) Start(ctx *sim.Context) { ctx.SetTimer(0, tagArrival) }
func (c *floorClient) Timer(ctx *sim.Context, _ any) {
	r := ctx.Rand()
	ctx.Send(c.servers[r.IntN(len(c.servers))], &floorMsg{from: ctx.ID()})
	if c.left--; c.left > 0 {
		ctx.SetTimer(time.Duration(r.ExpFloat64()*float64(time.Millisecond)/(0.8*float64(len(c.servers)))), tagArrival)
	}
}
func (c *floorClient) Receive(*sim.Context, sim.NodeID, any) {}

type floorServer struct {
	q    []sim.NodeID
	head int
}

func (s *floorServer) Start(*sim.Context) {}
func (s *floorServer) Receive(ctx *sim.Context, from sim.NodeID, _ any) {
	s.q = append(s.q, from)
	if len(s.q)-s.head == 1 {
		ctx.SetTimer(time.Duration(ctx.Rand().ExpFloat64()*float64(time.Millisecond)), tagDone)
	}
}
func (s *floorServer) Timer(ctx *sim.Context, _ any) {
	ctx.Send(s.q[s.head], &floorMsg{})
	if s.head++; s.head == len(s.q) {
		s.q, s.head = s.q[:0], 0
		return
	}
	ctx.SetTimer(time.Duration(ctx.Rand().ExpFloat64()*float64(time.Millisecond)), tagDone)
}

// BenchmarkFloor is the kernel's cost for the balancer benchmark's events:
// 100 and 1,000 servers at 80% load, random routing, nodes that keep no
// statistics.
func BenchmarkFloor(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("servers=%d", n), func(b *testing.B) {
			w, err := sim.New(sim.Config{Seed: 1, Link: DefaultLink})
			if err != nil {
				b.Fatal(err)
			}
			var servers []sim.NodeID
			for i := 0; i < n; i++ {
				servers = append(servers, w.MustAddNode(fmt.Sprintf("n%d", i+1), func() sim.Node { return &floorServer{} }))
			}
			w.MustAddNode("c1", func() sim.Node { return &floorClient{servers: servers, left: b.N} })
			b.ReportAllocs()
			b.ResetTimer()
			cpu := cpuTime()
			w.Run()
			cpu = cpuTime() - cpu
			b.StopTimer()
			reportRates(b, cpu)
		})
	}
}

// reportRates reports simulated requests per second of wall time and per
// second of CPU time (all threads, garbage collection included): on a
// machine shared with other work the second is the per-core figure.
func reportRates(b *testing.B, cpu time.Duration) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
	if cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "requests/cpu-s")
	}
}
