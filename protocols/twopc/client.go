package twopc

import (
	"strconv"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// ClientConfig sets what a client does.
type ClientConfig struct {
	// Coordinator is where transactions go.
	Coordinator sim.NodeID
	// Txns is how many transactions the client runs, one at a time.
	Txns int
	// OpsPerTxn is the number of steps of each transaction.
	OpsPerTxn int
	// Gen draws each step's kind ("get" reads, "put" writes; any other
	// kind alternates write and read) and key, and the pause between a
	// transaction's end and the next one's start.
	Gen *protocols.Generator
	// Retry is how often the client resends its request until it hears
	// the outcome; zero or less: it sends it once.
	Retry time.Duration
	// Timeout is when the client gives up on a transaction: its outcome
	// stays unknown in the history. Zero or less: it never gives up.
	Timeout time.Duration
	// Queries has the client record the outcome the coordinator tells it
	// of a transaction it is not running (see Told).
	Queries bool
}

// Client runs transactions through the coordinator, one at a time,
// recording each as a checker.TxnInput operation that returns a
// checker.TxnOutput. Transaction ids are the client's name and a sequence
// number (c1-1, c1-2, ...), kept on disk so that a restarted client never
// reuses one; each write writes the transaction's id, so every value
// written in a run is unique.
type Client struct {
	cfg     ClientConfig
	seq     int
	started time.Duration // local time the pending transaction started
	pending sim.OpID
	begin   *Begin
	timer   sim.TimerID
}

// NewClient returns a client's sim.Factory.
func NewClient(cfg ClientConfig) sim.Factory {
	return func() sim.Node { return &Client{cfg: cfg} }
}

const keySeq = "seq"

// Start schedules the first transaction.
func (c *Client) Start(ctx *sim.Context) {
	if b, ok := ctx.Storage().Get(keySeq); ok {
		c.seq, _ = strconv.Atoi(string(b))
	}
	if c.seq < c.cfg.Txns {
		ctx.SetTimer(c.cfg.Gen.Gap(), nextTxnTimer{})
	}
}

// Receive returns the pending transaction when its Result arrives.
func (c *Client) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	m, ok := msg.(*Result)
	if ok && (c.begin == nil || m.Txn != c.begin.Txn) {
		c.told(ctx, from, m)
	}
	if !ok || c.begin == nil || m.Txn != c.begin.Txn {
		return
	}
	out := checker.TxnOutput{Committed: m.Committed}
	if m.Committed {
		out.Reads = m.Reads
	}
	ctx.Return(c.pending, out)
	c.finish(ctx)
}

// Timer starts the next transaction, resends the pending one, or gives up
// on it.
func (c *Client) Timer(ctx *sim.Context, tag any) {
	switch tg := tag.(type) {
	case nextTxnTimer:
		c.next(ctx)
	case clientTimer:
		if c.begin == nil || tg.seq != c.seq {
			return
		}
		c.timer = 0
		if c.cfg.Timeout > 0 && time.Duration(ctx.Now())-c.started >= c.cfg.Timeout {
			c.finish(ctx) // unknown outcome
			return
		}
		ctx.Send(c.cfg.Coordinator, c.begin)
		c.arm(ctx)
	}
}

// arm sets the timer for the next resend or for giving up, whichever
// comes first.
func (c *Client) arm(ctx *sim.Context) {
	d := c.cfg.Retry
	if c.cfg.Timeout > 0 {
		left := c.cfg.Timeout - (time.Duration(ctx.Now()) - c.started)
		if d <= 0 || left < d {
			d = max(left, 0)
		}
	}
	if d > 0 || c.cfg.Timeout > 0 {
		c.timer = ctx.SetTimer(d, clientTimer{c.seq})
	}
}

func (c *Client) next(ctx *sim.Context) {
	c.seq++
	st := ctx.Storage()
	st.Put(keySeq, []byte(strconv.Itoa(c.seq)))
	st.Sync()
	id := ctx.Name() + "-" + strconv.Itoa(c.seq)
	in := checker.TxnInput{ID: id, Ops: make([]checker.TxnOp, c.cfg.OpsPerTxn)}
	b := &Begin{Txn: id, Ops: make([]Op, c.cfg.OpsPerTxn)}
	for i := range in.Ops {
		op := c.cfg.Gen.Next()
		s := checker.TxnOp{Kind: checker.TxnRead, Key: op.Key}
		if op.Kind == "put" || op.Kind != "get" && i%2 == 0 {
			s = checker.TxnOp{Kind: checker.TxnWrite, Key: op.Key, Value: id}
		}
		in.Ops[i] = s
		b.Ops[i] = Op{Index: i, TxnOp: s}
	}
	c.begin = b
	c.started = time.Duration(ctx.Now())
	c.pending = ctx.Invoke(in)
	ctx.Send(c.cfg.Coordinator, b)
	c.arm(ctx)
}

// finish ends the pending transaction and schedules the next one.
func (c *Client) finish(ctx *sim.Context) {
	ctx.CancelTimer(c.timer)
	c.begin, c.pending, c.timer = nil, 0, 0
	if c.seq < c.cfg.Txns {
		ctx.SetTimer(c.cfg.Gen.Gap(), nextTxnTimer{})
	}
}
