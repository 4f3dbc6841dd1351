package pbkv

import (
	"strconv"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols/kv"
	"github.com/dsimlab/dsim/sim"
)

// client sends its driver's operations (kv.Driver: pacing, deadlines,
// unique values, the history) to the primary of the latest view it knows,
// one at a time per lane (the workload's InFlight). The driver has it
// resend an unanswered operation every Retry, and the client asks the view
// service for the view each time. Requests carry the client's session (its
// name, plus "~N" after its Nth restart, plus "/L" for lane L > 0) and the
// driver's operation number, so the primary applies a retried write at
// most once.
type client struct {
	cl      *Cluster
	d       *kv.Driver
	session string
	view    View
	req     []*Request // per lane: the operation in progress, as sent
}

// Start opens the incarnation's session, asks for the view and hands the
// client to its driver.
func (c *client) Start(ctx *sim.Context) {
	inc := incarnation(ctx)
	c.session = ctx.Name()
	if inc > 1 {
		c.session += "~" + strconv.FormatUint(uint64(inc), 10)
	}
	c.view = View{Primary: sim.None, Backup: sim.None}
	c.req = make([]*Request, max(1, c.cl.cfg.Workload.InFlight))
	ctx.Send(c.cl.vs, &GetView{})
	c.d.Start(ctx, c)
}

// Timer passes the driver its timers: the client sets none of its own.
func (c *client) Timer(ctx *sim.Context, tag any) { c.d.Timer(ctx, tag) }

// Send sends op to the primary; before a resend it asks the view service
// for the view, in case the primary changed.
func (c *client) Send(ctx *sim.Context, op *kv.Op) {
	if op.Attempt == 0 {
		in := op.Input
		session := c.session
		if op.Lane > 0 {
			session += "/" + strconv.Itoa(op.Lane)
		}
		c.req[op.Lane] = &Request{From: ctx.ID(), Client: session, Seq: op.N, Op: in.Op, Key: in.Key, Value: in.Value}
	} else {
		ctx.Send(c.cl.vs, &GetView{})
	}
	c.send(ctx, op.Lane)
}

func (c *client) send(ctx *sim.Context, lane int) {
	if c.view.Primary != sim.None {
		ctx.Send(c.view.Primary, c.req[lane])
	}
}

// Receive follows new views, sending the operation in progress to a new
// primary at once, and completes the operation with the primary's reply.
func (c *client) Receive(ctx *sim.Context, _ sim.NodeID, msg any) {
	switch m := msg.(type) {
	case *ViewReply:
		if m.View.Num <= c.view.Num {
			return
		}
		moved := m.View.Primary != c.view.Primary
		c.view = m.View
		for lane, r := range c.req {
			if moved && r != nil && c.d.Op(r.Seq) != nil {
				c.send(ctx, lane)
			}
		}
	case *Reply:
		op := c.d.Op(m.Seq)
		if op == nil {
			return // a duplicate, or the answer to an abandoned operation
		}
		if m.Err == ErrWrongServer {
			ctx.Send(c.cl.vs, &GetView{})
			return
		}
		var out checker.KVOutput
		if op.Input.Op == checker.KVGet {
			out.Value = m.Value
		}
		c.d.CompleteOp(ctx, op.N, out)
	}
}
