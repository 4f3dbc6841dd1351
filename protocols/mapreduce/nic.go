package mapreduce

import (
	"time"

	"github.com/dsimlab/dsim/sim"
)

// nic models a node's outgoing network interface: messages leave one after
// the other, each taking its size divided by the bandwidth, so transfer
// time is proportional to data size and concurrent transfers queue. It
// runs on timers only (never compares clock readings), so clock jumps do
// not disturb it.
type nic struct {
	rate   float64 // bytes per second
	queue  []nicItem
	head   int
	busy   bool
	queued map[nicKey]bool // deduplicates retransmitted requests still queued
}

type nicItem struct {
	to    sim.NodeID
	msg   any
	bytes int
	key   nicKey
}

// nicKey identifies a queued transfer for deduplication.
type nicKey struct {
	to      sim.NodeID
	attempt AttemptID
	n       int
}

// nicTick is the timer tag of the transfer at the head of the queue.
type nicTick struct{}

func newNIC(rate float64) nic { return nic{rate: rate, queued: map[nicKey]bool{}} }

// enqueue queues msg of size bytes for to; a transfer with the same key
// still in the queue makes it a no-op.
func (n *nic) enqueue(ctx *sim.Context, to sim.NodeID, msg any, bytes int, key nicKey) {
	if n.queued[key] {
		return
	}
	n.queued[key] = true
	n.queue = append(n.queue, nicItem{to: to, msg: msg, bytes: bytes, key: key})
	if !n.busy {
		n.start(ctx)
	}
}

func (n *nic) start(ctx *sim.Context) {
	n.busy = true
	d := time.Duration(float64(n.queue[n.head].bytes) / n.rate * float64(time.Second))
	ctx.SetTimer(d, nicTick{})
}

// done pops the transfer whose time is up and starts the next; the caller
// sends (or, if it no longer may, drops) the returned item.
func (n *nic) done(ctx *sim.Context) nicItem {
	it := n.queue[n.head]
	n.queue[n.head] = nicItem{}
	n.head++
	delete(n.queued, it.key)
	if n.head == len(n.queue) {
		n.queue, n.head = n.queue[:0], 0
	}
	n.busy = false
	if n.head < len(n.queue) {
		n.start(ctx)
	}
	return it
}
