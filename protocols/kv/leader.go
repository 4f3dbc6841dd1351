package kv

import (
	"strconv"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/sim"
)

// keySession is a LeaderClient's storage key for its incarnation counter.
const keySession = "session"

// Wire is what a LeaderClient needs of its protocol, whose commands are of
// type C: how to build one and how to send it.
type Wire[C any] interface {
	// Command builds op's command: op.N is its sequence number within
	// session, and id ("c1#7") names it in facts and traces.
	Command(ctx *sim.Context, op *Op, session uint64, id string) C
	// Request sends command c to server number i, from 0.
	Request(ctx *sim.Context, i int, c C)
}

// LeaderClient is the client of a replicated key-value store whose servers
// elect a leader (paxos, raft): it sends its Driver's operations as
// commands, one at a time per lane (the workload's InFlight). Each command
// carries the client's session, new with every incarnation and shared by
// its lanes, and the operation's number as its sequence number. Gets go to
// a random server; other operations go to the believed leader, or a random
// server if there is none. The driver has the client resend an unanswered
// command every Retry: a resend forgets the believed leader, so it goes to
// another server than the lane's last. A protocol's client node embeds it,
// calls Open from its Start, passes it its replies (Reply, NotLeader), and
// is its Wire.
type LeaderClient[C any] struct {
	Driver  *Driver // the client's workload, shared by its incarnations
	Servers int     // how many servers there are
	Session uint64  // this incarnation's session
	Leader  int     // the believed leader's server index, or -1
	target  []int   // per lane: the server the lane's command last went to, or -1
	cur     []C     // per lane: the lane's current command
	wire    Wire[C]
}

// Open begins a new incarnation: it counts it in the client's storage (key
// "session", synced), opens its session (the node id in the high 32 bits,
// the incarnation, from 1, in the low), so the servers never take a command
// of this incarnation for a duplicate of an earlier one's, forgets the
// leader and the lanes, and starts the driver.
func (c *LeaderClient[C]) Open(ctx *sim.Context, w Wire[C]) {
	inc := uint64(1)
	if v, ok := ctx.Storage().Get(keySession); ok {
		inc, _ = strconv.ParseUint(string(v), 10, 32)
		inc++
	}
	ctx.Storage().Put(keySession, strconv.AppendUint(nil, inc, 10))
	ctx.Storage().Sync()
	c.Session = uint64(ctx.ID())<<32 | inc
	c.Leader, c.wire = -1, w
	lanes := len(c.Driver.lanes)
	c.target, c.cur = make([]int, lanes), make([]C, lanes)
	for i := range c.target {
		c.target[i] = -1
	}
	c.Driver.Start(ctx, c)
}

// Timer passes the driver its timers: the client sets none of its own.
func (c *LeaderClient[C]) Timer(ctx *sim.Context, tag any) { c.Driver.Timer(ctx, tag) }

// Lanes returns how many lanes the client has.
func (c *LeaderClient[C]) Lanes() int { return len(c.target) }

// Target returns the server lane's command last went to, or -1, and the
// command.
func (c *LeaderClient[C]) Target(lane int) (int, C) { return c.target[lane], c.cur[lane] }

// Send sends op's command (Sender): a new one on the first attempt.
func (c *LeaderClient[C]) Send(ctx *sim.Context, op *Op) {
	if op.Attempt == 0 {
		var buf [64]byte
		id := string(strconv.AppendInt(append(append(buf[:0], ctx.Name()...), '#'), op.N, 10))
		c.cur[op.Lane] = c.wire.Command(ctx, op, c.Session, id)
	} else {
		c.Leader = -1
	}
	n, t := c.Servers, c.target[op.Lane]
	switch {
	case op.Input.Op != checker.KVGet && c.Leader >= 0:
		t = c.Leader
	case n > 1 && t >= 0: // somewhere else than last time
		t = (t + 1 + ctx.Rand().IntN(n-1)) % n
	default:
		t = ctx.Rand().IntN(n)
	}
	c.sendTo(ctx, op.Lane, t)
}

// sendTo sends lane's current command to server i.
func (c *LeaderClient[C]) sendTo(ctx *sim.Context, lane, i int) {
	c.target[lane] = i
	c.wire.Request(ctx, i, c.cur[lane])
}

// Reply completes operation seq, if it is in progress, with a reply's value
// (of a get) or ok (of a cas); a leader hint (0 or more) becomes the
// believed leader.
func (c *LeaderClient[C]) Reply(ctx *sim.Context, seq int64, leader int, value string, ok bool) {
	op := c.Driver.Op(seq)
	if op == nil {
		return // a duplicate, or the answer to an abandoned operation
	}
	if leader >= 0 {
		c.Leader = leader
	}
	var out checker.KVOutput
	switch op.Input.Op {
	case checker.KVGet:
		out.Value = value
	case checker.KVCAS:
		out.OK = ok
	}
	c.Driver.CompleteOp(ctx, op.N, out)
}

// NotLeader follows a server's redirection of operation seq to leader: if
// the operation is in progress and leader is a server other than the one
// its command last went to, it becomes the believed leader and gets the
// command.
func (c *LeaderClient[C]) NotLeader(ctx *sim.Context, seq int64, leader int) {
	if op := c.Driver.Op(seq); op != nil && leader >= 0 && leader != c.target[op.Lane] {
		c.Leader = leader
		c.sendTo(ctx, op.Lane, leader)
	}
}
