package raft

import (
	"github.com/dsimlab/dsim/protocols/kv"
	"github.com/dsimlab/dsim/sim"
)

// client sends its driver's operations to the servers as commands
// (kv.LeaderClient: sessions, lanes, routing to the believed leader,
// resends). Gets go to a random server, which passes them to the leader,
// unless the variant serves them itself.
type client struct {
	g *group
	kv.LeaderClient[*Cmd]
}

// Start opens a new session and hands the client to its driver.
func (c *client) Start(ctx *sim.Context) {
	c.g.resolve(ctx)
	c.Open(ctx, c)
}

// Command builds op's command (kv.Wire).
func (c *client) Command(ctx *sim.Context, op *kv.Op, session uint64, id string) *Cmd {
	in := op.Input
	return &Cmd{Session: session, Seq: op.N, Client: ctx.ID(), Op: in.Op, Key: in.Key,
		Value: in.Value, Expected: in.Expected, ID: id}
}

// Request sends cmd to server i (kv.Wire).
func (c *client) Request(ctx *sim.Context, i int, cmd *Cmd) {
	ctx.Send(c.g.ids[i], &Request{Cmd: cmd})
}

// Receive completes an operation in progress on its reply, or follows a
// redirection to the leader.
func (c *client) Receive(ctx *sim.Context, _ sim.NodeID, msg any) {
	switch m := msg.(type) {
	case *Reply:
		c.Reply(ctx, m.Seq, m.Leader, m.Value, m.OK)
	case *NotLeader:
		c.NotLeader(ctx, m.Seq, m.Leader)
	}
}
