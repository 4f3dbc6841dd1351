package paxos

import (
	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols/kv"
	"github.com/dsimlab/dsim/sim"
)

// client sends its driver's operations to the servers as commands
// (kv.LeaderClient: sessions, lanes, routing to the believed leader,
// resends). With several lanes the replicas' session table sees a
// session's commands out of order: one older than the last applied is
// dropped, and its operation times out. Gets go to a random server, which
// passes them through the leader's log.
type client struct {
	cl *Cluster
	kv.LeaderClient[*Cmd]
}

// Start opens a new session and hands the client to its driver.
func (c *client) Start(ctx *sim.Context) { c.Open(ctx, c) }

// Command builds op's command and records the request (kv.Wire).
func (c *client) Command(ctx *sim.Context, op *kv.Op, session uint64, id string) *Cmd {
	in := op.Input
	cmd := &Cmd{Session: session, Seq: op.N, Client: ctx.ID(), Op: in.Op, Key: in.Key,
		Value: in.Value, Expected: in.Expected, ID: id}
	ctx.Record(c.cl.facts.fact(checker.PaxosRequest, 0, Ballot{}, id))
	return cmd
}

// Request sends cmd to server i (kv.Wire).
func (c *client) Request(ctx *sim.Context, i int, cmd *Cmd) {
	ctx.Send(c.cl.servers[i], &Request{Cmd: cmd})
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
