// Package register is a replicated read/write register in the style of
// Attiya, Bar-Noy and Dolev (ABD), written against dsim the way a user
// writes a protocol of their own. Replicas keep a timestamped value on
// disk. A client writes by asking a majority for their timestamps and then
// storing its value, with a higher timestamp, at a majority; it reads by
// asking a majority and writing the newest value back to a majority before
// it returns it.
//
// The variant parameter plants a bug: stale-read returns a read's first
// answer, with neither a majority nor a write-back, so a read can miss a
// write that finished before it began; no-sync acknowledges a value before
// it is on disk, so a crash forgets it.
package register

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// The variants: the protocol and its planted bugs.
const (
	Correct   = "correct"
	StaleRead = "stale-read" // a read returns the first answer it gets
	NoSync    = "no-sync"    // a replica acknowledges before syncing
)

// Timestamp orders writes: by N, then by the client that wrote.
type Timestamp struct {
	N      int
	Writer sim.NodeID
}

// Less reports whether t orders before u.
func (t Timestamp) Less(u Timestamp) bool {
	return t.N < u.N || t.N == u.N && t.Writer < u.Writer
}

// String formats t as "N.writer", e.g. "3.4".
func (t Timestamp) String() string { return fmt.Sprintf("%d.%d", t.N, t.Writer) }

// Query asks a replica for its timestamp and value.
type Query struct{ Phase int }

// Value is a replica's answer to a Query.
type Value struct {
	Phase int
	TS    Timestamp
	Value string
}

// Store asks a replica to keep Value unless it holds a newer timestamp.
type Store struct {
	Phase int
	TS    Timestamp
	Value string
}

// Stored acknowledges a Store: the replica holds TS or newer.
type Stored struct{ Phase int }

// String describes the message in traces, e.g. "query 1".
func (m Query) String() string { return fmt.Sprintf("query %d", m.Phase) }

// String describes the message in traces, e.g. `value 1: 3.4 "c1#2"`.
func (m Value) String() string { return fmt.Sprintf("value %d: %v %q", m.Phase, m.TS, m.Value) }

// String describes the message in traces, e.g. `store 2: 3.4 "c1#2"`.
func (m Store) String() string { return fmt.Sprintf("store %d: %v %q", m.Phase, m.TS, m.Value) }

// String describes the message in traces, e.g. "stored 2".
func (m Stored) String() string { return fmt.Sprintf("stored %d", m.Phase) }

// Adopted is the fact a replica records when it keeps a newer value.
type Adopted struct {
	TS    Timestamp
	Value string
}

// Recovered is the fact a replica records when it starts: the timestamp
// it read back from its disk.
type Recovered struct{ TS Timestamp }

// Replica holds the register's newest timestamp and value.
type Replica struct {
	variant string
	state   Adopted
}

// NewReplica returns the factory of replicas of a variant.
func NewReplica(variant string) sim.Factory {
	return func() sim.Node { return &Replica{variant: variant} }
}

// Start reads back what the replica synced before it crashed, if anything.
func (r *Replica) Start(ctx *sim.Context) {
	if b, ok := ctx.Storage().Get("state"); ok {
		if err := json.Unmarshal(b, &r.state); err != nil {
			panic(fmt.Sprintf("register: corrupt state on disk: %v", err))
		}
	}
	ctx.Record(Recovered{TS: r.state.TS})
}

// Receive answers a Query with the replica's value and keeps a Store's
// value if it is newer, on disk, before acknowledging it.
func (r *Replica) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	switch m := msg.(type) {
	case *Query:
		ctx.Send(from, &Value{Phase: m.Phase, TS: r.state.TS, Value: r.state.Value})
	case *Store:
		if r.state.TS.Less(m.TS) {
			r.state = Adopted{TS: m.TS, Value: m.Value}
			b, _ := json.Marshal(r.state)
			ctx.Storage().Put("state", b)
			if r.variant != NoSync {
				ctx.Storage().Sync()
			}
			ctx.Record(r.state)
		}
		ctx.Send(from, &Stored{Phase: m.Phase})
	}
}

// Timer is never called: replicas only answer.
func (r *Replica) Timer(*sim.Context, any) {}

// ClientConfig sets up a client.
type ClientConfig struct {
	Replicas []sim.NodeID
	Ops      int                // how many operations to issue
	Workload protocols.Workload // the mix of reads and writes, pacing, timeout
	Retry    time.Duration      // resend to silent replicas after this
	Variant  string
}

// Client issues reads and writes, one at a time. An operation it gives up
// on (after the workload's timeout) stays pending in the history: its
// outcome is unknown.
type Client struct {
	cfg     ClientConfig
	gen     *protocols.Generator
	issued  int
	op      sim.OpID // the operation in progress, or 0
	input   checker.RegisterInput
	giveUp  sim.Time            // when the client stops waiting for op
	phase   int                 // numbers requests; answers to others are late
	request any                 // the phase's request, to resend
	replied map[sim.NodeID]bool // replicas that answered the phase
	newest  Value               // the newest value the query phase heard
}

// retry and next are the client's timer tags.
type (
	retry struct{ Phase int }
	next  struct{}
)

// NewClient returns the factory of clients with the given configuration.
func NewClient(cfg ClientConfig) sim.Factory {
	return func() sim.Node { return &Client{cfg: cfg} }
}

// Start draws the client's operations from its own random stream.
func (c *Client) Start(ctx *sim.Context) {
	c.gen = protocols.NewGenerator(c.cfg.Workload, ctx.Rand())
	ctx.SetTimer(c.gen.Gap(), next{})
}

// begin invokes the next operation and starts its query phase.
func (c *Client) begin(ctx *sim.Context) {
	if c.issued == c.cfg.Ops {
		return
	}
	c.issued++
	c.input = checker.RegisterInput{Op: checker.RegisterRead}
	if c.gen.Kind() == "write" {
		c.input = checker.RegisterInput{Op: checker.RegisterWrite, Value: fmt.Sprintf("%s#%d", ctx.Name(), c.issued)}
	}
	c.op = ctx.Invoke(c.input)
	c.giveUp = ctx.Now().Add(c.cfg.Workload.Timeout)
	c.newest = Value{}
	c.phase++
	c.send(ctx, &Query{Phase: c.phase})
}

// store starts a store phase.
func (c *Client) store(ctx *sim.Context, ts Timestamp, value string) {
	c.phase++
	c.send(ctx, &Store{Phase: c.phase, TS: ts, Value: value})
}

// send sends a phase's request to every replica.
func (c *Client) send(ctx *sim.Context, req any) {
	c.request, c.replied = req, map[sim.NodeID]bool{}
	for _, r := range c.cfg.Replicas {
		ctx.Send(r, req)
	}
	ctx.SetTimer(c.cfg.Retry, retry{c.phase})
}

// Receive counts the answers to the current phase; a majority ends it.
func (c *Client) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	switch m := msg.(type) {
	case *Value:
		if c.answers(m.Phase, from) {
			if c.newest.TS.Less(m.TS) {
				c.newest = *m
			}
			if c.majority() || c.cfg.Variant == StaleRead && c.input.Op == checker.RegisterRead {
				c.queried(ctx) // the planted bug reads one answer
			}
		}
	case *Stored:
		if c.answers(m.Phase, from) && c.majority() {
			c.finish(ctx)
		}
	}
}

// answers reports whether an answer is from a replica new to this phase.
func (c *Client) answers(phase int, from sim.NodeID) bool {
	if phase != c.phase || c.op == 0 || c.replied[from] {
		return false
	}
	c.replied[from] = true
	return true
}

func (c *Client) majority() bool { return len(c.replied) == len(c.cfg.Replicas)/2+1 }

// queried ends a query phase: a write stores its value with a higher
// timestamp; a read writes back the newest value it heard.
func (c *Client) queried(ctx *sim.Context) {
	switch {
	case c.input.Op == checker.RegisterWrite:
		c.store(ctx, Timestamp{N: c.newest.TS.N + 1, Writer: ctx.ID()}, c.input.Value)
	case c.cfg.Variant == StaleRead:
		c.finish(ctx) // the planted bug: no write-back
	default:
		c.store(ctx, c.newest.TS, c.newest.Value)
	}
}

// finish returns the operation and paces the next one.
func (c *Client) finish(ctx *sim.Context) {
	out := checker.RegisterOutput{}
	if c.input.Op == checker.RegisterRead {
		out.Value = c.newest.Value
	}
	ctx.Return(c.op, out)
	c.op = 0
	ctx.SetTimer(c.gen.Gap(), next{})
}

// Timer starts the next operation, or resends the phase's request to the
// replicas that have not answered, or gives up once the timeout is past.
func (c *Client) Timer(ctx *sim.Context, tag any) {
	switch t := tag.(type) {
	case next:
		c.begin(ctx)
	case retry:
		if t.Phase != c.phase || c.op == 0 {
			return
		}
		if ctx.Now() >= c.giveUp {
			c.op = 0
			ctx.SetTimer(c.gen.Gap(), next{})
			return
		}
		for _, r := range c.cfg.Replicas {
			if !c.replied[r] {
				ctx.Send(r, c.request)
			}
		}
		ctx.SetTimer(c.cfg.Retry, retry{c.phase})
	}
}
