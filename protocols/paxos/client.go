package paxos

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
// driver's operation number as its sequence number. With several lanes the
// replicas' session table sees a session's commands out of order: one older
// than the last applied is dropped, and its operation times out. The driver has
// the client resend an unanswered command every Retry, to another server,
// until the workload's timeout. Gets go to a random server, which passes
// them through the leader's log; other operations go to the believed
// leader.
type client struct {
	cl      *Cluster
	d       *kv.Driver
	session uint64
	leader  int    // believed leader's server index, or -1
	target  []int  // per lane: server the lane's command was last sent to
	cur     []*Cmd // per lane: the lane's current command
}

// Start opens a new session and hands the client to its driver.
func (c *client) Start(ctx *sim.Context) {
	// A new session per incarnation, so the replicas never take a command
	// of this incarnation for a duplicate of the last one's.
	inc := uint64(1)
	if v, ok := ctx.Storage().Get(keySession); ok {
		inc, _ = strconv.ParseUint(string(v), 10, 32)
		inc++
	}
	ctx.Storage().Put(keySession, strconv.AppendUint(nil, inc, 10))
	ctx.Storage().Sync()
	c.session = uint64(ctx.ID())<<32 | inc
	c.leader = -1
	lanes := max(1, c.cl.cfg.Workload.InFlight)
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
		c.cur[op.Lane] = &Cmd{Session: c.session, Seq: op.N, Client: ctx.ID(), Op: in.Op, Key: in.Key,
			Value: in.Value, Expected: in.Expected, ID: id}
		ctx.Record(c.cl.facts.fact(checker.PaxosRequest, 0, Ballot{}, id))
	} else {
		c.leader = -1
	}
	c.send(ctx, op.Lane)
}

// send sends lane's current command: a get to a random server, anything
// else to the believed leader, or a random server if there is none.
func (c *client) send(ctx *sim.Context, lane int) {
	n := len(c.cl.servers)
	t := c.target[lane]
	switch {
	case c.cur[lane].Op != checker.KVGet && c.leader >= 0:
		t = c.leader
	case n > 1 && t >= 0:
		// Somewhere else than last time.
		t = (t + 1 + ctx.Rand().IntN(n-1)) % n
	default:
		t = ctx.Rand().IntN(n)
	}
	c.sendTo(ctx, lane, t)
}

// sendTo sends lane's current command to server i.
func (c *client) sendTo(ctx *sim.Context, lane, i int) {
	c.target[lane] = i
	ctx.Send(c.cl.servers[i], &Request{Cmd: c.cur[lane]})
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
		op := c.d.Op(m.Seq)
		if op == nil {
			return
		}
		if m.Leader >= 0 && m.Leader != c.target[op.Lane] {
			c.leader = m.Leader
			c.sendTo(ctx, op.Lane, m.Leader)
		}
	}
}
