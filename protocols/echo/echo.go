// Package echo is dsim's smallest protocol: clients ping a server, the server
// echoes each ping, and clients record every ping as an operation in the
// run's history. The kernel's tests, `dsim demo` and new users' first reading
// use it: it shows the whole Node contract (Start, Receive, Timer, sending,
// timers, history) in a page.
//
//	w, _ := sim.New(sim.Config{Seed: 1})
//	srv := w.MustAddNode("server", echo.NewServer)
//	w.MustAddNode("c1", echo.NewClient(srv, echo.ClientConfig{Pings: 10, Interval: time.Millisecond}))
//	w.Run()
//	fmt.Println(echo.Check(w.History()))
package echo

import (
	"fmt"
	"time"

	"github.com/dsimlab/dsim/sim"
)

// Ping asks the server to echo Seq back.
type Ping struct{ Seq int }

// Pong is the server's answer to the Ping with the same Seq.
type Pong struct{ Seq int }

// String formats a ping for traces.
func (p Ping) String() string { return fmt.Sprintf("ping %d", p.Seq) }

// String formats a pong for traces.
func (p Pong) String() string { return fmt.Sprintf("pong %d", p.Seq) }

// Server echoes every Ping it receives, duplicates included. It keeps no
// state, so a crash costs it nothing but the pings that reach it while down.
type Server struct{}

// NewServer is the server's sim.Factory.
func NewServer() sim.Node { return Server{} }

// Start does nothing: the server only reacts.
func (Server) Start(*sim.Context) {}

// Receive answers a Ping with the matching Pong.
func (Server) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	if p, ok := msg.(*Ping); ok {
		ctx.Send(from, &Pong{Seq: p.Seq})
	}
}

// Timer is never called: the server sets no timers.
func (Server) Timer(*sim.Context, any) {}

// ClientConfig sets how a client pings.
type ClientConfig struct {
	Pings    int           // how many pings to send in all
	Interval time.Duration // time between pings, on the client's clock
}

// Client sends Pings to a server at a fixed interval, invoking one operation
// per ping and returning it when the first matching Pong arrives. Pings that
// are lost stay pending: their outcome is unknown. A restarted client starts
// counting from zero again, since it keeps nothing on disk.
type Client struct {
	server  sim.NodeID
	cfg     ClientConfig
	sent    int
	pending map[int]sim.OpID // ping seq -> operation awaiting its pong
}

// NewClient returns a sim.Factory for clients of server.
func NewClient(server sim.NodeID, cfg ClientConfig) sim.Factory {
	return func() sim.Node { return &Client{server: server, cfg: cfg, pending: map[int]sim.OpID{}} }
}

type tick struct{}

// Start schedules the first ping.
func (c *Client) Start(ctx *sim.Context) {
	if c.cfg.Pings > 0 {
		ctx.SetTimer(c.cfg.Interval, tick{})
	}
}

// Timer sends the next ping and schedules the one after it.
func (c *Client) Timer(ctx *sim.Context, _ any) {
	c.sent++
	seq := int(ctx.ID())*1_000_000 + c.sent
	c.pending[seq] = ctx.Invoke(Ping{Seq: seq})
	ctx.Send(c.server, &Ping{Seq: seq})
	if c.sent < c.cfg.Pings {
		ctx.SetTimer(c.cfg.Interval, tick{})
	}
}

// Receive returns the operation a Pong answers; duplicates find nothing
// pending and are ignored.
func (c *Client) Receive(ctx *sim.Context, _ sim.NodeID, msg any) {
	p, ok := msg.(*Pong)
	if !ok {
		return
	}
	if op, ok := c.pending[p.Seq]; ok {
		delete(c.pending, p.Seq)
		ctx.Return(op, *p)
	}
}

// Result summarises an echo run's history.
type Result struct {
	Pings    int // operations invoked
	Answered int // operations returned
	Wrong    int // operations that returned a pong for another ping
}

// Holds reports whether every answered ping got its own pong.
func (r Result) Holds() bool { return r.Wrong == 0 }

// String formats the result in one line.
func (r Result) String() string {
	verdict := "holds"
	if !r.Holds() {
		verdict = "violated"
	}
	return fmt.Sprintf("echo: %s (%d pings, %d answered, %d wrong)", verdict, r.Pings, r.Answered, r.Wrong)
}

// Check verifies that every returned ping operation returned the pong with
// its own sequence number.
func Check(history []sim.Operation) Result {
	var r Result
	for _, op := range history {
		r.Pings++
		if !op.Returned {
			continue
		}
		r.Answered++
		in, _ := op.Input.(Ping)
		out, _ := op.Output.(Pong)
		if in.Seq != out.Seq {
			r.Wrong++
		}
	}
	return r
}
