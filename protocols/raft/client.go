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
// unique values, the history) to the servers as commands, one at a time.
// Each command carries the client's session, new with every incarnation,
// and the driver's operation number as its sequence number. The driver has
// the client resend an unanswered command every Retry, to another server,
// until the workload's timeout. Gets go to a random server (which passes
// them to the leader, unless the variant serves them itself); other
// operations go to the believed leader.
type client struct {
	g      *group
	d      *kv.Driver
	sess   uint64
	leader int  // believed leader's server index, or -1
	target int  // server the current command was last sent to, or -1
	cur    *Cmd // the current command
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
	c.leader, c.target = -1, -1
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
		c.cur = &Cmd{Session: c.sess, Seq: op.N, Client: ctx.ID(), Op: in.Op, Key: in.Key,
			Value: in.Value, Expected: in.Expected, ID: id}
	} else {
		c.leader = -1
	}
	n := len(c.g.ids)
	switch {
	case c.cur.Op != checker.KVGet && c.leader >= 0:
		c.target = c.leader
	case n > 1 && c.target >= 0: // somewhere else than last time
		c.target = (c.target + 1 + ctx.Rand().IntN(n-1)) % n
	default:
		c.target = ctx.Rand().IntN(n)
	}
	c.sendTo(ctx, c.target)
}

// sendTo sends the current command to server i.
func (c *client) sendTo(ctx *sim.Context, i int) {
	c.target = i
	ctx.Send(c.g.ids[i], &Request{Cmd: c.cur})
}

// Receive completes the current operation on its reply, or follows a
// redirection to the leader.
func (c *client) Receive(ctx *sim.Context, _ sim.NodeID, msg any) {
	op := c.d.Current()
	switch m := msg.(type) {
	case *Reply:
		if op == nil || m.Seq != op.N {
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
		c.d.Complete(ctx, out)
	case *NotLeader:
		if op != nil && m.Seq == op.N && m.Leader >= 0 && m.Leader != c.target {
			c.leader = m.Leader
			c.sendTo(ctx, m.Leader)
		}
	}
}
