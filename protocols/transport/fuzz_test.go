package transport

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/dsimlab/dsim/sim"
)

// FuzzSegments forges segments, as if from a, into a live connection from
// a to b: whatever they hold, the endpoints must neither panic nor break
// their own invariants.
func FuzzSegments(f *testing.F) {
	f.Add([]byte{0x05, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Add([]byte{0x1f, 0xff, 2, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17})
	f.Add(make([]byte, 40))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := sim.New(sim.Config{Seed: 1, Link: sim.LinkConfig{Latency: sim.Uniform(time.Millisecond, 5*time.Millisecond), Drop: 0.1}})
		if err != nil {
			t.Fatal(err)
		}
		nodes := make([]*wrapNode, 2)
		for i := range nodes {
			n := &wrapNode{n: 100}
			n.ep, _ = NewEndpoint(Config{Window: 8, KeepAlive: 50 * time.Millisecond}, n)
			nodes[i] = n
			w.MustAddNode([]string{"a", "b"}[i], func() sim.Node { return n })
		}
		for i := 0; len(data) >= 18; i++ {
			chunk := data[:18]
			data = data[18:]
			seg := &Segment{Flags: Flags(chunk[0]), Conn: uint32(chunk[1] % 3), DialerInc: uint32(chunk[2] % 3),
				SrcInc: uint32(chunk[3] % 3), DstInc: uint32(chunk[4] % 3),
				Seq: binary.BigEndian.Uint32(chunk[5:]), Ack: binary.BigEndian.Uint32(chunk[9:]),
				Echo: binary.BigEndian.Uint32(chunk[13:]), Window: uint16(chunk[17]), Payload: -1}
			from, to := sim.NodeID(chunk[1]&1), sim.NodeID(1-chunk[1]&1)
			w.At(sim.Time(time.Duration(i)*3*time.Millisecond), func(w *sim.World) { w.Context(from).Send(to, seg) })
		}
		for w.Now() < sim.Time(20*time.Second) {
			n := w.Events()
			w.RunEvents(1000)
			if w.Events() == n {
				break
			}
			if w.Events() > 200_000 {
				t.Fatalf("%d events by %v for two endpoints: a storm", w.Events(), w.Now())
			}
		}
		for _, n := range nodes {
			for _, c := range n.ep.Conns() {
				if c.sndUna > c.sndNxt || c.sndNxt > c.sndEnd || (c.state == stateOpen && c.sndNxt-c.sndUna > uint64(c.wnd)) {
					t.Fatalf("conn %s: una %d nxt %d end %d window %d", c.id, c.sndUna, c.sndNxt, c.sndEnd, c.wnd)
				}
			}
		}
	})
}
