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

// Op is an operation a client has in progress: what to do and how long
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
	// Lane is which of the client's operations in flight this is, from 0
	// to the workload's InFlight-1. Each lane runs one operation at a
	// time, so a protocol whose servers expect one request at a time per
	// client session gives each lane its own session.
	Lane int

	id sim.OpID
}

// Config is what a Driver does.
type Config struct {
	// Workload is what the client draws from: the operation mix and keys,
	// the pacing (Think, or Rate for an open loop), the per-operation
	// Timeout (zero: never give up), how many operations it keeps in
	// flight (InFlight) and whether it reads back what it wrote (Queries).
	Workload protocols.Workload
	// Ops is how many operations this client issues in all, across its
	// restarts (its Workload.Share), read-backs aside.
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

// Driver is a client's workload and the operations it has in progress. It
// lives outside the client node, like a user at a keyboard: the protocol
// makes one per client when it sets up, and every incarnation of the node
// calls Start with it, so a restarted client carries on with the same
// workload (the operations it was running stay without a return: their
// outcome is unknown).
type Driver struct {
	cfg       Config
	gen       *protocols.Generator
	left      int      // operations not yet invoked
	n         int64    // operations invoked
	completed int      // operations answered
	done      bool     // Done was called
	keys      []string // key names by number, built once each
	wrote     []bool   // by key number: this client wrote the key (Queries)
	back      []int    // keys still to read back, once every operation is done
	backBuilt bool     // back was built

	// The current incarnation's state, reset by Start.
	s     Sender
	lanes []lane
	seen  map[string]string // last value seen per key, for cas
}

// lane is one operation a client may have in flight.
type lane struct {
	cur   *Op // &op while an operation is in progress, else nil
	op    Op
	timer sim.TimerID
}

// Timer tags of a driver: the pause before lane 0's next operation (and
// the only lane's, with one operation in flight), before another lane's,
// and the resend or deadline timer of operation n.
type (
	paceTag   struct{}
	lanePace  struct{ lane int }
	resendTag struct{ n int64 }
)

// NewDriver returns the driver of a client that draws cfg.Ops operations
// from cfg.Workload with random source r, which should be the client's own
// (for example w.Stream("workload/" + name)).
func NewDriver(r *rand.Rand, cfg Config) *Driver {
	return &Driver{cfg: cfg, gen: protocols.NewGenerator(cfg.Workload, r), left: cfg.Ops,
		lanes: make([]lane, max(1, cfg.Workload.InFlight))}
}

// Start begins a new incarnation of the client: it forgets the operations
// in progress, if any, and schedules the next ones after the workload's
// pause. The client node calls it from its own Start, with itself as s.
func (d *Driver) Start(ctx *sim.Context, s Sender) {
	d.s = s
	d.seen = map[string]string{}
	for i := range d.lanes {
		d.lanes[i].cur, d.lanes[i].timer = nil, 0
	}
	for i := range d.lanes {
		d.schedule(ctx, i)
	}
}

// Current returns the operation in progress, or nil between operations,
// for a client with one operation in flight at a time (with several, lane
// 0's). A node matches replies against it (for example by N); one that
// allows several operations in flight uses Op instead.
func (d *Driver) Current() *Op { return d.lanes[0].cur }

// Op returns the operation in progress numbered n, or nil if it is not in
// progress (answered, abandoned, or from an earlier incarnation).
func (d *Driver) Op(n int64) *Op {
	for i := range d.lanes {
		if op := d.lanes[i].cur; op != nil && op.N == n {
			return op
		}
	}
	return nil
}

// Completed returns how many operations replies completed so far.
func (d *Driver) Completed() int { return d.completed }

// Busy reports whether the client has operations left or in progress.
func (d *Driver) Busy() bool { return !d.done }

// Timer handles the driver's timers and reports whether tag was one; the
// client node passes it every timer first.
func (d *Driver) Timer(ctx *sim.Context, tag any) bool {
	switch t := tag.(type) {
	case paceTag:
		d.issue(ctx, 0)
	case lanePace:
		d.issue(ctx, t.lane)
	case resendTag:
		d.resend(ctx, t.n)
	default:
		return false
	}
	return true
}

// Complete records out as the output of the operation Current returns,
// which a reply completed, and moves on to the next. It does nothing
// between operations.
func (d *Driver) Complete(ctx *sim.Context, out checker.KVOutput) {
	if op := d.lanes[0].cur; op != nil {
		d.CompleteOp(ctx, op.N, out)
	}
}

// CompleteOp records out as the output of operation n, which a reply
// completed, and moves its lane on to the next operation. It does nothing
// if n is not in progress.
func (d *Driver) CompleteOp(ctx *sim.Context, n int64, out checker.KVOutput) {
	op := d.Op(n)
	if op == nil {
		return
	}
	ctx.Return(op.id, out)
	d.completed++
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
	d.finish(ctx, op.Lane)
}

// schedule waits for the workload's pause before lane i's next operation.
// A lane with nothing to do stays idle; once every lane is, the workload's
// operations are done: the client reads back what it wrote (Queries) or is
// done.
func (d *Driver) schedule(ctx *sim.Context, i int) {
	if d.left > 0 || len(d.back) > 0 {
		d.pace(ctx, i)
		return
	}
	if !d.idle() {
		return
	}
	if d.cfg.Workload.Queries && !d.backBuilt {
		d.backBuilt = true
		for k, w := range d.wrote {
			if w {
				d.back = append(d.back, k)
			}
		}
		if len(d.back) > 0 {
			for j := range d.lanes {
				d.pace(ctx, j)
			}
			return
		}
	}
	if !d.done {
		d.done = true
		if d.cfg.Done != nil {
			d.cfg.Done(ctx)
		}
	}
}

// pace sets the timer of lane i's next operation.
func (d *Driver) pace(ctx *sim.Context, i int) {
	if i == 0 {
		ctx.SetTimer(d.gen.Gap(), paceTag{})
		return
	}
	ctx.SetTimer(d.gen.Gap(), lanePace{i})
}

// idle reports whether no lane has an operation in progress.
func (d *Driver) idle() bool {
	for i := range d.lanes {
		if d.lanes[i].cur != nil {
			return false
		}
	}
	return true
}

// issue invokes lane i's next operation of the workload, or its next
// read-back, and sends it.
func (d *Driver) issue(ctx *sim.Context, i int) {
	if d.lanes[i].cur != nil {
		return // a lane's timer from before a restart's
	}
	in, ok := d.next(ctx)
	if !ok {
		d.schedule(ctx, i)
		return
	}
	l := &d.lanes[i]
	l.op = Op{N: d.n, Input: in, Deadline: sim.Never, Lane: i, id: ctx.Invoke(in)}
	if t := d.cfg.Workload.Timeout; t > 0 {
		l.op.Deadline = ctx.Now().Add(t)
	}
	l.cur = &l.op
	d.s.Send(ctx, l.cur)
	d.arm(ctx, l)
}

// next draws the next operation, or the next read-back, and numbers it; it
// reports false if there is none left.
func (d *Driver) next(ctx *sim.Context) (checker.KVInput, bool) {
	if d.left == 0 {
		if len(d.back) == 0 {
			return checker.KVInput{}, false
		}
		k := d.back[0]
		d.back = d.back[1:]
		d.n++
		return checker.KVInput{Op: checker.KVGet, Key: d.key(k)}, true
	}
	d.left--
	d.n++
	kind := mustParse(d.gen.Kind())
	k := d.gen.KeyIndex()
	in := checker.KVInput{Op: kind, Key: d.key(k)} // the draws of Generator.Next
	switch in.Op {
	case checker.KVPut, checker.KVAppend:
		in.Value = UniqueValue(ctx.Name(), d.n)
	case checker.KVCAS:
		in.Expected, in.Value = d.seen[in.Key], UniqueValue(ctx.Name(), d.n)
	}
	if in.Op != checker.KVGet && d.cfg.Workload.Queries && k < maxCachedKeys {
		for len(d.wrote) <= k {
			d.wrote = append(d.wrote, false)
		}
		d.wrote[k] = true
	}
	return in, true
}

// resend sends operation n again, or abandons it at its deadline.
func (d *Driver) resend(ctx *sim.Context, n int64) {
	op := d.Op(n)
	if op == nil {
		return
	}
	l := &d.lanes[op.Lane]
	// Within a microsecond of the deadline is at it: a drifting clock's
	// timer may fire a nanosecond short of the local time it was set for,
	// and a timer for the last nanosecond would fire again at once.
	if ctx.Now().Add(time.Microsecond) > op.Deadline {
		d.finish(ctx, op.Lane) // give up, with no Return: the outcome is unknown
		return
	}
	op.Attempt++
	d.s.Send(ctx, op)
	d.arm(ctx, l)
}

// arm sets the timer that resends lane l's operation after Retry, or
// abandons it at its deadline if that comes first. Without either it sets
// none.
func (d *Driver) arm(ctx *sim.Context, l *lane) {
	op := l.cur
	wait := d.cfg.Retry
	if op.Deadline != sim.Never {
		left := op.Deadline.Sub(ctx.Now())
		if wait <= 0 || left < wait {
			wait = left
		}
	} else if wait <= 0 {
		l.timer = 0
		return
	}
	l.timer = ctx.SetTimer(wait, resendTag{op.N})
}

// finish ends lane i's operation, answered or abandoned, and moves on.
func (d *Driver) finish(ctx *sim.Context, i int) {
	l := &d.lanes[i]
	l.cur = nil
	ctx.CancelTimer(l.timer)
	d.schedule(ctx, i)
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
