package kv

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// Sender sends a client's current operation to the protocol's servers. The
// protocol's client node implements it and hands itself to Driver.Start.
type Sender interface {
	// Send sends op: first when the driver invokes it (op.Attempt 0), then
	// on every resend (op.Attempt 1, 2, ...). It must not block or wait: a
	// reply arrives later, and the node passes it to Driver.Complete.
	Send(ctx *sim.Context, op *Op)
}

// Op is the operation a client has in progress: what to do and how long
// the client waits for it. The driver owns it and reuses it for the next
// operation: a Sender reads it, must not modify it, and keeps what it needs
// beyond the operation's end (its N, say) rather than the pointer.
type Op struct {
	// N numbers the client's operations from 1. It counts across restarts,
	// so it is unique per client: protocols use it as a request's sequence
	// number.
	N int64
	// Input is the operation. A put, append or cas writes a Value unique to
	// this client and operation ("c1.7;"), so checks can tell writes apart;
	// a cas expects the last value this incarnation of the client saw for
	// the key.
	Input checker.KVInput
	// Attempt counts the sends before this one: 0 the first time.
	Attempt int
	// Deadline is when the client gives up on the operation, on the
	// client's clock, or sim.Never.
	Deadline sim.Time

	id sim.OpID
}

// Config is what a Driver does.
type Config struct {
	// Workload is what the client draws from: the operation mix and keys,
	// the pacing (Think, or Rate for an open loop) and the per-operation
	// Timeout (zero: never give up).
	Workload protocols.Workload
	// Ops is how many operations this client issues in all, across its
	// restarts (its Workload.Share).
	Ops int
	// Retry, if positive, has the driver resend an unanswered operation
	// this often (on the client's clock) until it is answered or abandoned.
	// Zero leaves retries to the protocol.
	Retry time.Duration
	// Done, if set, is called once, when the client's last operation has
	// finished (answered or abandoned); for example to stop the run once
	// every client is done.
	Done func(ctx *sim.Context)
}

// Driver is a client's workload and the operation it has in progress. It
// lives outside the client node, like a user at a keyboard: the protocol
// makes one per client when it sets up, and every incarnation of the node
// calls Start with it, so a restarted client carries on with the same
// workload (the operation it was running stays without a return: its
// outcome is unknown).
type Driver struct {
	cfg  Config
	gen  *protocols.Generator
	left int      // operations not yet invoked
	n    int64    // operations invoked
	done bool     // Done was called
	keys []string // key names by number, built once each

	// The current incarnation's state, reset by Start.
	s     Sender
	cur   *Op // &op while an operation is in progress, else nil
	op    Op
	timer sim.TimerID
	seen  map[string]string // last value seen per key, for cas
}

// Timer tags of a driver: the pause before the next operation, and the
// resend or deadline timer of operation n.
type (
	paceTag   struct{}
	resendTag struct{ n int64 }
)

// NewDriver returns the driver of a client that draws cfg.Ops operations
// from cfg.Workload with random source r, which should be the client's own
// (for example w.Stream("workload/" + name)).
func NewDriver(r *rand.Rand, cfg Config) *Driver {
	return &Driver{cfg: cfg, gen: protocols.NewGenerator(cfg.Workload, r), left: cfg.Ops}
}

// Start begins a new incarnation of the client: it forgets the operation in
// progress, if any, and schedules the next one after the workload's pause.
// The client node calls it from its own Start, with itself as s.
func (d *Driver) Start(ctx *sim.Context, s Sender) {
	d.s, d.cur, d.timer = s, nil, 0
	d.seen = map[string]string{}
	d.schedule(ctx)
}

// Current returns the operation in progress, or nil between operations. A
// node matches replies against it (for example by N).
func (d *Driver) Current() *Op { return d.cur }

// Timer handles the driver's timers and reports whether tag was one; the
// client node passes it every timer first.
func (d *Driver) Timer(ctx *sim.Context, tag any) bool {
	switch t := tag.(type) {
	case paceTag:
		d.issue(ctx)
	case resendTag:
		d.resend(ctx, t.n)
	default:
		return false
	}
	return true
}

// Complete records out as the output of the operation in progress, which a
// reply completed, and moves on to the next. It does nothing between
// operations.
func (d *Driver) Complete(ctx *sim.Context, out checker.KVOutput) {
	op := d.cur
	if op == nil {
		return
	}
	ctx.Return(op.id, out)
	switch op.Input.Op {
	case checker.KVGet:
		d.seen[op.Input.Key] = out.Value
	case checker.KVPut:
		d.seen[op.Input.Key] = op.Input.Value
	case checker.KVCAS:
		if out.OK {
			d.seen[op.Input.Key] = op.Input.Value
		}
	}
	d.finish(ctx)
}

// schedule waits for the workload's pause before the next operation, or
// reports the client done.
func (d *Driver) schedule(ctx *sim.Context) {
	if d.left == 0 {
		if !d.done {
			d.done = true
			if d.cfg.Done != nil {
				d.cfg.Done(ctx)
			}
		}
		return
	}
	ctx.SetTimer(d.gen.Gap(), paceTag{})
}

// issue invokes the next operation of the workload and sends it.
func (d *Driver) issue(ctx *sim.Context) {
	d.left--
	d.n++
	kind := mustParse(d.gen.Kind())
	in := checker.KVInput{Op: kind, Key: d.key(d.gen.KeyIndex())} // the draws of Generator.Next
	switch in.Op {
	case checker.KVPut, checker.KVAppend:
		in.Value = UniqueValue(ctx.Name(), d.n)
	case checker.KVCAS:
		in.Expected, in.Value = d.seen[in.Key], UniqueValue(ctx.Name(), d.n)
	}
	d.op = Op{N: d.n, Input: in, Deadline: sim.Never, id: ctx.Invoke(in)}
	if t := d.cfg.Workload.Timeout; t > 0 {
		d.op.Deadline = ctx.Now().Add(t)
	}
	d.cur = &d.op
	d.s.Send(ctx, d.cur)
	d.arm(ctx)
}

// resend sends operation n again, or abandons it at its deadline.
func (d *Driver) resend(ctx *sim.Context, n int64) {
	op := d.cur
	if op == nil || op.N != n {
		return
	}
	if ctx.Now() >= op.Deadline {
		d.finish(ctx) // give up, with no Return: the outcome is unknown
		return
	}
	op.Attempt++
	d.s.Send(ctx, op)
	d.arm(ctx)
}

// arm sets the timer that resends the current operation after Retry, or
// abandons it at its deadline if that comes first. Without either it sets
// none.
func (d *Driver) arm(ctx *sim.Context) {
	op := d.cur
	wait := d.cfg.Retry
	if op.Deadline != sim.Never {
		left := op.Deadline.Sub(ctx.Now())
		if wait <= 0 || left < wait {
			wait = left
		}
	} else if wait <= 0 {
		d.timer = 0
		return
	}
	d.timer = ctx.SetTimer(wait, resendTag{op.N})
}

// finish ends the current operation, answered or abandoned, and moves on.
func (d *Driver) finish(ctx *sim.Context) {
	d.cur = nil
	ctx.CancelTimer(d.timer)
	d.schedule(ctx)
}

// maxCachedKeys bounds the key names a driver keeps.
const maxCachedKeys = 1 << 12

// key returns the name of key number i, "k<i>" as Generator.Key names it,
// building it once.
func (d *Driver) key(i int) string {
	if i >= maxCachedKeys {
		return "k" + strconv.Itoa(i)
	}
	for len(d.keys) <= i {
		d.keys = append(d.keys, "")
	}
	if d.keys[i] == "" {
		d.keys[i] = "k" + strconv.Itoa(i)
	}
	return d.keys[i]
}

// UniqueValue returns the value client writes in its operation number n,
// e.g. "c1.7;": unique per client and operation, and ending in ";", so
// that the values appended to a key can be told apart and counted.
func UniqueValue(client string, n int64) string {
	var buf [64]byte
	b := append(append(buf[:0], client...), '.')
	return string(append(strconv.AppendInt(b, n, 10), ';'))
}

// mustParse maps a workload operation name the protocol accepted to its
// key-value operation. A name it does not know is a bug in the protocol's
// validation (see ValidateMix).
func mustParse(name string) checker.KVOp {
	op, ok := ParseOp(name)
	if !ok {
		panic(fmt.Sprintf("kv: workload operation %q is not a key-value operation (validate the mix with ValidateMix)", name))
	}
	return op
}
