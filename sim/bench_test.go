package sim_test

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/dsimlab/dsim/sim"
)

// ball is the message bounced in the benchmarks: a pointer, so sending it
// boxes nothing.
type ball struct{ id int }

// bouncer sends every message straight back; node 0 serves the first
// `inflight` balls at Start.
type bouncer struct{ inflight int }

func (b *bouncer) Start(ctx *sim.Context) {
	if ctx.ID() != 0 {
		return
	}
	for i := 0; i < b.inflight; i++ {
		ctx.Send(1, &ball{id: i})
	}
}
func (b *bouncer) Receive(ctx *sim.Context, from sim.NodeID, msg any) { ctx.Send(from, msg) }
func (b *bouncer) Timer(*sim.Context, any)                            {}

// BenchmarkPingPong bounces balls between two nodes over links with a uniform
// 1µs-10µs latency (the same draw as shared/bench/naive), trace recording off,
// fingerprint on. One op is one event.
func BenchmarkPingPong(b *testing.B) {
	for _, inflight := range []int{1, 64, 1024} {
		b.Run(fmt.Sprintf("inflight=%d", inflight), func(b *testing.B) {
			w, err := sim.New(sim.Config{Seed: 1, Link: sim.LinkConfig{Latency: sim.Uniform(time.Microsecond, 10*time.Microsecond)}})
			if err != nil {
				b.Fatal(err)
			}
			for i := 0; i < 2; i++ {
				w.MustAddNode(fmt.Sprintf("n%d", i), func() sim.Node { return &bouncer{inflight: inflight} })
			}
			w.RunEvents(10_000) // warm up: slab and queue reach their steady size
			b.ReportAllocs()
			b.ResetTimer()
			start := w.Events()
			w.RunEvents(uint64(b.N))
			b.StopTimer()
			if got := w.Events() - start; got != uint64(b.N) {
				b.Fatalf("processed %d events, want %d", got, b.N)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// broadcaster sends one message to every other node at start; every node
// answers each broadcast with a reply, and answers every reply with a new
// broadcast message to the same peer, so 64*63 conversations stay in flight.
type broadcaster struct{}

type query struct{}
type reply struct{}

var (
	theQuery = &query{}
	theReply = &reply{}
)

func (broadcaster) Start(ctx *sim.Context) {
	for _, id := range ctx.Nodes() {
		if id != ctx.ID() {
			ctx.Send(id, theQuery)
		}
	}
}
func (broadcaster) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	if msg == any(theQuery) {
		ctx.Send(from, theReply)
	} else {
		ctx.Send(from, theQuery)
	}
}
func (broadcaster) Timer(*sim.Context, any) {}

// BenchmarkAllToAll runs 64 nodes that each broadcast to all others and get
// every broadcast answered. One op is one event.
func BenchmarkAllToAll(b *testing.B) {
	w, err := sim.New(sim.Config{Seed: 1, Link: sim.LinkConfig{Latency: sim.Uniform(time.Microsecond, 10*time.Microsecond)}})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 64; i++ {
		w.MustAddNode(fmt.Sprintf("n%d", i), func() sim.Node { return broadcaster{} })
	}
	w.RunEvents(50_000)
	b.ReportAllocs()
	b.ResetTimer()
	w.RunEvents(uint64(b.N))
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkPingPongObserved is PingPong with one observer watching every
// event, as protocol checkers do: observing must not allocate.
func BenchmarkPingPongObserved(b *testing.B) {
	var sends int
	w, err := sim.New(sim.Config{Seed: 1, Link: sim.LinkConfig{Latency: sim.Uniform(time.Microsecond, 10*time.Microsecond)},
		OnEvent: func(e *sim.Event) {
			if e.Kind == sim.KindSend {
				sends++
			}
		}})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		w.MustAddNode(fmt.Sprintf("n%d", i), func() sim.Node { return &bouncer{inflight: 1} })
	}
	w.RunEvents(10_000)
	b.ReportAllocs()
	b.ResetTimer()
	w.RunEvents(uint64(b.N))
	b.StopTimer()
	if sends == 0 {
		b.Fatal("the observer saw no sends")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// idle is a node that does nothing: what a world costs per node before any
// protocol adds its own state.
type idle struct{}

func (idle) Start(*sim.Context)                    {}
func (idle) Receive(*sim.Context, sim.NodeID, any) {}
func (idle) Timer(*sim.Context, any)               {}

// BenchmarkIdleNodes builds a world of 100,000 idle nodes, partitions it
// in two and heals it, and reports the heap it holds per node (the goal is
// under 1 KB: memory linear in the nodes, never in their pairs). One op is
// one whole world.
func BenchmarkIdleNodes(b *testing.B) {
	const n = 100_000
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("n%d", i)
	}
	b.ReportAllocs()
	var perNode float64
	for b.Loop() {
		before := heapInUse()
		w, err := sim.New(sim.Config{Seed: 1})
		if err != nil {
			b.Fatal(err)
		}
		ids := make([]sim.NodeID, 0, n/2)
		for i, name := range names {
			id := w.MustAddNode(name, func() sim.Node { return idle{} })
			if i%2 == 0 {
				ids = append(ids, id)
			}
		}
		w.Run()
		w.Partition(ids)
		w.Heal()
		perNode = float64(heapInUse()-before) / n
		runtime.KeepAlive(w)
	}
	b.ReportMetric(perNode, "B/node")
}

// heapInUse returns the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// gossiper forwards every rumour it gets to a random node and, every
// 10ms of its clock, starts one of its own: each node keeps a handful of
// messages in flight, so the event rate per node is the same in a world of
// any size.
type gossiper struct{}

type rumour struct{ hops int }

func (gossiper) Start(ctx *sim.Context) {
	ctx.SetTimer(time.Duration(ctx.Rand().IntN(10_000_000)), nil)
}
func (gossiper) Receive(ctx *sim.Context, _ sim.NodeID, msg any) {
	if r := msg.(*rumour); r.hops > 0 {
		ctx.Send(sim.NodeID(ctx.Rand().IntN(len(ctx.Nodes()))), &rumour{hops: r.hops - 1})
	}
}
func (gossiper) Timer(ctx *sim.Context, _ any) {
	ctx.Send(sim.NodeID(ctx.Rand().IntN(len(ctx.Nodes()))), &rumour{hops: 4})
	ctx.SetTimer(10*time.Millisecond, nil)
}

// BenchmarkGossip runs worlds of 64, 1,000 and 10,000 gossiping nodes, to
// keep a large world's speed near a small one's (the goal: within 2x of
// the 64-node figure): one op is one event. It reports the heap each node
// holds, messages in flight included.
func BenchmarkGossip(b *testing.B) {
	for _, n := range []int{64, 1_000, 10_000} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			before := heapInUse()
			w, err := sim.New(sim.Config{Seed: 1, Link: sim.LinkConfig{Latency: sim.Uniform(time.Millisecond, 10*time.Millisecond)}})
			if err != nil {
				b.Fatal(err)
			}
			for i := 0; i < n; i++ {
				w.MustAddNode(fmt.Sprintf("n%d", i), func() sim.Node { return gossiper{} })
			}
			w.RunEvents(uint64(20 * n)) // warm up: every node has started and gossips
			perNode := float64(heapInUse()-before) / float64(n)
			b.ReportAllocs()
			b.ResetTimer()
			w.RunEvents(uint64(b.N))
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(perNode, "B/node")
		})
	}
}
