package paxos

import (
	"strconv"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// keySession is the client's storage key for its session counter.
const keySession = "session"

// driver is a client's workload: the generator and how many operations are
// left. It lives outside the client node, like a user at a keyboard, so a
// restarted client carries on with the same workload.
type driver struct {
	gen  *protocols.Generator
	left int
	done bool
}

// client issues the workload's operations one at a time, closed loop,
// pausing between them for the generator's Gap (the think time, or an
// exponential pause of mean 1/rate for a workload with a rate). Each
// operation gets the next sequence number of the client's session; the
// client resends it (to another server) every Retry until it is answered,
// and gives up after the workload's timeout, leaving the operation without
// a return in the history: its outcome is unknown. Gets go to a random
// server, which passes them through the leader's log; other operations go
// to the believed leader.
type client struct {
	cl       *Cluster
	d        *driver
	session  uint64
	prefix   string // of command ids: the name, plus "~N" after a restart
	seq      int64
	leader   int // believed leader's server index, or -1
	target   int // server the current operation was last sent to
	cur      *Cmd
	op       sim.OpID
	retry    sim.TimerID
	deadline sim.Time          // on the client's clock: when the current operation is abandoned
	seen     map[string]string // last value seen per key, for cas
}

// Start opens a new session and schedules the first operation.
func (c *client) Start(ctx *sim.Context) {
	// A new session per incarnation: sequence numbers restart from 1, and
	// the replicas must not take them for duplicates of the old ones.
	inc := uint64(1)
	if v, ok := ctx.Storage().Get(keySession); ok {
		inc, _ = strconv.ParseUint(string(v), 10, 32)
		inc++
	}
	ctx.Storage().Put(keySession, strconv.AppendUint(nil, inc, 10))
	ctx.Storage().Sync()
	c.session = uint64(ctx.ID())<<32 | inc
	c.prefix = ctx.Name()
	if inc > 1 {
		c.prefix += "~" + strconv.FormatUint(inc, 10)
	}
	c.leader, c.target = -1, -1
	c.seen = map[string]string{}
	c.schedule(ctx)
}

// schedule waits for the workload's think time before the next operation,
// or finishes.
func (c *client) schedule(ctx *sim.Context) {
	if c.d.left == 0 {
		if !c.d.done {
			c.d.done = true
			c.cl.clientDone(ctx)
		}
		return
	}
	ctx.SetTimer(c.d.gen.Gap(), nextOp{})
}

// Timer issues the next operation, or resends or abandons the current one.
func (c *client) Timer(ctx *sim.Context, tag any) {
	switch t := tag.(type) {
	case nextOp:
		c.issue(ctx)
	case retryTag:
		if c.cur == nil || t.seq != c.seq {
			return
		}
		if ctx.Now() >= c.deadline {
			c.finish(ctx) // give up, with no Return: the outcome is unknown
			return
		}
		c.leader = -1
		c.send(ctx)
		c.arm(ctx)
	}
}

// issue invokes the next operation of the workload.
func (c *client) issue(ctx *sim.Context) {
	c.d.left--
	op := c.d.gen.Next()
	c.seq++
	id := c.prefix + "#" + strconv.FormatInt(c.seq, 10)
	cmd := &Cmd{Session: c.session, Seq: c.seq, Client: ctx.ID(), Op: opKinds[op.Kind], Key: op.Key, ID: id}
	switch cmd.Op {
	case checker.KVPut:
		cmd.Value = id
	case checker.KVAppend:
		cmd.Value = id + " "
	case checker.KVCAS:
		cmd.Expected, cmd.Value = c.seen[op.Key], id
	}
	c.cur = cmd
	c.op = ctx.Invoke(checker.KVInput{Op: cmd.Op, Key: cmd.Key, Value: cmd.Value, Expected: cmd.Expected})
	c.cl.record(checker.PaxosRequest, ctx.ID(), 0, Ballot{}, id)
	c.deadline = sim.Never
	if t := c.cl.cfg.Workload.Timeout; t > 0 {
		c.deadline = ctx.Now().Add(t)
	}
	c.send(ctx)
	c.arm(ctx)
}

// arm sets the timer that resends the current operation after Retry, or
// abandons it at its deadline if that comes first.
func (c *client) arm(ctx *sim.Context) {
	d := c.cl.cfg.Retry
	if c.deadline != sim.Never {
		d = min(d, c.deadline.Sub(ctx.Now()))
	}
	c.retry = ctx.SetTimer(d, retryTag{c.seq})
}

// send sends the current operation: a get to a random server, anything
// else to the believed leader, or a random server if there is none.
func (c *client) send(ctx *sim.Context) {
	n := len(c.cl.servers)
	switch {
	case c.cur.Op != checker.KVGet && c.leader >= 0:
		c.target = c.leader
	case n > 1 && c.target >= 0:
		// Somewhere else than last time.
		c.target = (c.target + 1 + ctx.Rand().IntN(n-1)) % n
	default:
		c.target = ctx.Rand().IntN(n)
	}
	c.sendTo(ctx, c.target)
}

// sendTo sends the current operation to server i.
func (c *client) sendTo(ctx *sim.Context, i int) {
	c.target = i
	ctx.Send(c.cl.servers[i], &Request{Cmd: c.cur})
}

// Receive completes the current operation on its reply, or follows a
// redirection to the leader.
func (c *client) Receive(ctx *sim.Context, _ sim.NodeID, msg any) {
	switch m := msg.(type) {
	case *Reply:
		if c.cur == nil || m.Seq != c.seq {
			return // a duplicate, or the answer to an abandoned operation
		}
		if m.Leader >= 0 {
			c.leader = m.Leader
		}
		var out checker.KVOutput
		switch c.cur.Op {
		case checker.KVGet:
			out.Value = m.Value
			c.seen[c.cur.Key] = m.Value
		case checker.KVPut:
			c.seen[c.cur.Key] = c.cur.Value
		case checker.KVCAS:
			out.OK = m.OK
			if m.OK {
				c.seen[c.cur.Key] = c.cur.Value
			}
		}
		ctx.Return(c.op, out)
		c.finish(ctx)
	case *NotLeader:
		if c.cur == nil || m.Seq != c.seq {
			return
		}
		if m.Leader >= 0 && m.Leader != c.target {
			c.leader = m.Leader
			c.sendTo(ctx, m.Leader)
		}
	}
}

// finish ends the current operation, answered or abandoned, and moves on.
func (c *client) finish(ctx *sim.Context) {
	c.cur = nil
	ctx.CancelTimer(c.retry)
	c.schedule(ctx)
}

// opKinds maps the workload's operation names to key-value operations.
var opKinds = map[string]checker.KVOp{
	"get": checker.KVGet, "put": checker.KVPut, "append": checker.KVAppend, "cas": checker.KVCAS,
}
