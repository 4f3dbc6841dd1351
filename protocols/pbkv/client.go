package pbkv

import (
	"strconv"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// driver is a client's workload: the generator and how many operations
// are left. It lives outside the client node, like a user at a keyboard,
// so a restarted client carries on with the same workload.
type driver struct {
	gen  *protocols.Generator
	left int
	done bool
}

// client issues the workload's operations one at a time, closed loop, to
// the primary of the latest view it knows. It resends an unanswered
// operation every Retry (asking the view service for the view each time)
// and gives up after the workload's timeout, leaving the operation without
// a return: its outcome is unknown. Every written value is unique, so the
// checks can tell writes apart.
type client struct {
	cl      *Cluster
	d       *driver
	session string
	seq     int64
	view    View
	cur     *Request
	op      sim.OpID
	retry   sim.TimerID

	deadline sim.Time
}

type (
	nextOp   struct{}
	retryTag struct{ seq int64 }
)

func (c *client) Start(ctx *sim.Context) {
	inc := incarnation(ctx)
	c.session = ctx.Name()
	if inc > 1 {
		c.session += "~" + strconv.FormatUint(uint64(inc), 10)
	}
	c.view = View{Primary: sim.None, Backup: sim.None}
	ctx.Send(c.cl.vs, &GetView{})
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
		ctx.Send(c.cl.vs, &GetView{})
		c.send(ctx)
		c.arm(ctx)
	}
}

// issue invokes the next operation of the workload.
func (c *client) issue(ctx *sim.Context) {
	c.d.left--
	op := c.d.gen.Next()
	c.seq++
	r := &Request{From: ctx.ID(), Client: c.session, Seq: c.seq, Op: opKinds[op.Kind], Key: op.Key}
	if r.Op != checker.KVGet {
		r.Value = c.session + "." + strconv.FormatInt(c.seq, 10) + ";"
	}
	c.cur = r
	c.op = ctx.Invoke(checker.KVInput{Op: r.Op, Key: r.Key, Value: r.Value})
	c.cl.invoked++
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

func (c *client) send(ctx *sim.Context) {
	if c.view.Primary != sim.None {
		ctx.Send(c.view.Primary, c.cur)
	}
}

func (c *client) Receive(ctx *sim.Context, _ sim.NodeID, msg any) {
	switch m := msg.(type) {
	case *ViewReply:
		if m.View.Num <= c.view.Num {
			return
		}
		moved := m.View.Primary != c.view.Primary
		c.view = m.View
		if moved && c.cur != nil {
			c.send(ctx)
		}
	case *Reply:
		if c.cur == nil || m.Seq != c.seq {
			return // a duplicate, or the answer to an abandoned operation
		}
		if m.Err == ErrWrongServer {
			ctx.Send(c.cl.vs, &GetView{})
			return
		}
		var out checker.KVOutput
		if c.cur.Op == checker.KVGet {
			out.Value = m.Value
		}
		ctx.Return(c.op, out)
		c.cl.returned++
		c.finish(ctx)
	}
}

// finish ends the current operation, answered or abandoned, and moves on.
func (c *client) finish(ctx *sim.Context) {
	c.cur = nil
	ctx.CancelTimer(c.retry)
	c.schedule(ctx)
}

// opKinds maps the workload's operation names to key-value operations.
var opKinds = map[string]checker.KVOp{"get": checker.KVGet, "put": checker.KVPut, "append": checker.KVAppend}
