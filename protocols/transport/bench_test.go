package transport_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dsimlab/dsim/protocols/transport"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// benchPayload is the message every benchmark write carries: one shared
// pointer, so the figures are the transport's and the kernel's, not the
// payload's.
var benchPayload = &struct{ n int }{42}

// bulkNode is one end of a bulk transfer: the writer dials and keeps up to
// two windows of messages queued until it has written total; the reader
// counts deliveries and stops the run at total.
type bulkNode struct {
	ep      *transport.Endpoint
	peer    sim.NodeID
	writer  bool
	total   int
	written int
	got     int
}

func newBulkPair(w *sim.World, cfg transport.Config, total int) (writer, reader *bulkNode) {
	mk := func(isWriter bool, peer sim.NodeID) *bulkNode {
		n := &bulkNode{writer: isWriter, total: total, peer: peer}
		ep, err := transport.NewEndpoint(cfg, n)
		if err != nil {
			panic(err)
		}
		n.ep = ep
		return n
	}
	writer, reader = mk(true, 1), mk(false, 0)
	w.MustAddNode("writer", func() sim.Node { return writer })
	w.MustAddNode("reader", func() sim.Node { return reader })
	return writer, reader
}

func (n *bulkNode) Start(ctx *sim.Context) {
	n.ep.Start(ctx)
	if n.writer {
		n.fill(ctx, n.ep.Dial(ctx, n.peer))
	}
}
func (n *bulkNode) Receive(ctx *sim.Context, from sim.NodeID, msg any) { n.ep.Receive(ctx, from, msg) }
func (n *bulkNode) Timer(ctx *sim.Context, tag any)                    { n.ep.Timer(ctx, tag) }
func (n *bulkNode) Open(*sim.Context, *transport.Conn)                 {}
func (n *bulkNode) Closed(*sim.Context, *transport.Conn, error)        {}
func (n *bulkNode) Acked(ctx *sim.Context, c *transport.Conn) {
	if n.writer {
		n.fill(ctx, c)
	}
}
func (n *bulkNode) Deliver(ctx *sim.Context, _ *transport.Conn, _ any) {
	n.got++
	if n.got == n.total {
		ctx.StopRun("delivered everything")
	}
}

func (n *bulkNode) fill(ctx *sim.Context, c *transport.Conn) {
	limit := 2 * n.ep.Config().Window
	for n.written < n.total && c.Pending() < limit {
		if c.Write(ctx, benchPayload) != nil {
			return
		}
		n.written++
	}
}

// BenchmarkStream delivers one long stream over a link that loses 10% of
// segments (uniform 1-10ms latency, so it reorders too), with windows of 1,
// 8 and 64 messages, acknowledging every message or every second one. One op
// is one message delivered; msgs/s is delivered messages per second of wall
// time on one core (the simulation is single-threaded). The connection may
// retry 30 times in a row, so that a stream of millions of messages does not
// break on an unlucky run of losses.
func BenchmarkStream(b *testing.B) {
	for _, window := range []int{1, 8, 64} {
		for _, delayed := range []time.Duration{0, time.Millisecond} {
			b.Run(fmt.Sprintf("loss=10%%/window=%d/delayed_ack=%v", window, delayed), func(b *testing.B) {
				w, err := sim.New(sim.Config{Seed: 1, Link: sim.LinkConfig{
					Latency: sim.Uniform(time.Millisecond, 10*time.Millisecond), Drop: 0.1}})
				if err != nil {
					b.Fatal(err)
				}
				_, reader := newBulkPair(w, transport.Config{Window: window, DelayedAck: delayed, MaxRetries: 30}, b.N)
				b.ReportAllocs()
				b.ResetTimer()
				w.Run()
				b.StopTimer()
				if reader.got != b.N {
					b.Fatalf("delivered %d of %d", reader.got, b.N)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
				b.ReportMetric(float64(w.Events())/float64(b.N), "events/msg")
			})
		}
	}
}

// BenchmarkScenario runs stream-workload library scenarios end to end,
// simulation and checks, one seed per iteration: every write, delivery and
// close is recorded as a fact and checked as it happens. Run it on one core
// for the per-core figure:
//
//	go test ./protocols/transport -run '^$' -bench Scenario -benchmem -cpu 1
func BenchmarkScenario(b *testing.B) {
	for _, name := range []string{"transport-calm", "transport-lossy"} {
		b.Run(name, func(b *testing.B) {
			s := load(b, name)
			b.ReportAllocs()
			seed := uint64(0)
			for b.Loop() {
				seed++
				o, err := scenarios.Run(s, seed, scenarios.RunOptions{})
				if err != nil || !o.Passed {
					b.Fatalf("seed %d: %v %v", seed, err, o)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "seeds/s")
		})
	}
}
