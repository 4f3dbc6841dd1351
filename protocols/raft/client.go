package raft

import (
	"strconv"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols/kv"
	"github.com/dsimlab/dsim/sim"
)

// keySession is the client's storage key for its session counter.
const keySession = "session"

// client sends its driver's operations (kv.Driver: pacing, deadlines,
// unique values, the history) to the servers as commands, one at a time
// per lane (the workload's InFlight). Each command carries the client's
// session, new with every incarnation and shared by its lanes, and the
// driver's operation number as its sequence number. The driver has
// the client resend an unanswered command every Retry, to another server,
// until the workload's timeout. Gets go to a random server (which passes
// them to the leader, unless the variant serves them itself); other
// operations go to the believed leader.
type client struct {
	g      *group
	d      *kv.Driver
	sess   uint64
	leader int    // believed leader's server index, or -1
	target []int  // per lane: server the lane's command was last sent to, or -1
	cur    []*Cmd // per lane: the lane's current command
}

// Start opens a new session and hands the client to its driver.
func (c *client) Start(ctx *sim.Context) {
	c.g.resolve(ctx)
	inc := uint64(1)
	if v, ok := ctx.Storage().Get(keySession); ok {
		inc, _ = strconv.ParseUint(string(v), 10, 32)
		inc++
	}
	ctx.Storage().Put(keySession, strconv.AppendUint(nil, inc, 10))
	ctx.Storage().Sync()
	c.sess = uint64(ctx.ID())<<32 | inc
	c.leader = -1
	lanes := max(1, c.g.cfg.Workload.InFlight)
	c.target, c.cur = make([]int, lanes), make([]*Cmd, lanes)
	for i := range c.target {
		c.target[i] = -1
	}
	c.d.Start(ctx, c)
}

// Timer passes the driver its timers: the client sets none of its own.
func (c *client) Timer(ctx *sim.Context, tag any) { c.d.Timer(ctx, tag) }

// Send sends op's command; a resend forgets the believed leader, so the
// command goes to another server.
func (c *client) Send(ctx *sim.Context, op *kv.Op) {
	if op.Attempt == 0 {
		var buf [64]byte
		id := string(strconv.AppendInt(append(append(buf[:0], ctx.Name()...), '#'), op.N, 10))
		in := op.Input
		c.cur[op.Lane] = &Cmd{Session: c.sess, Seq: op.N, Client: ctx.ID(), Op: in.Op, Key: in.Key,
			Value: in.Value, Expected: in.Expected, ID: id}
	} else {
		c.leader = -1
	}
	n, t := len(c.g.ids), c.target[op.Lane]
	switch {
	case c.cur[op.Lane].Op != checker.KVGet && c.leader >= 0:
		t = c.leader
	case n > 1 && t >= 0: // somewhere else than last time
		t = (t + 1 + ctx.Rand().IntN(n-1)) % n
	default:
		t = ctx.Rand().IntN(n)
	}
	c.sendTo(ctx, op.Lane, t)
}

// sendTo sends lane's current command to server i.
func (c *client) sendTo(ctx *sim.Context, lane, i int) {
	c.target[lane] = i
	ctx.Send(c.g.ids[i], &Request{Cmd: c.cur[lane]})
}

// Receive completes an operation in progress on its reply, or follows a
// redirection to the leader.
func (c *client) Receive(ctx *sim.Context, _ sim.NodeID, msg any) {
	switch m := msg.(type) {
	case *Reply:
		op := c.d.Op(m.Seq)
		if op == nil {
			return // a duplicate, or the answer to an abandoned operation
		}
		if m.Leader >= 0 {
			c.leader = m.Leader
		}
		var out checker.KVOutput
		switch op.Input.Op {
		case checker.KVGet:
			out.Value = m.Value
		case checker.KVCAS:
			out.OK = m.OK
		}
		c.d.CompleteOp(ctx, op.N, out)
	case *NotLeader:
		if op := c.d.Op(m.Seq); op != nil && m.Leader >= 0 && m.Leader != c.target[op.Lane] {
			c.leader = m.Leader
			c.sendTo(ctx, op.Lane, m.Leader)
		}
	}
}
