package kv_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/dsimtest"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/kv"
	"github.com/dsimlab/dsim/sim"
)

// A leaderCmd, leaderReq, leaderReply and notLeader are a fake protocol's
// command and messages, for a LeaderClient under a probe.
type (
	leaderCmd struct {
		session uint64
		seq     int64
		id      string
	}
	leaderReq   struct{ cmd *leaderCmd }
	leaderReply struct {
		seq    int64
		leader int
	}
	notLeader struct {
		seq    int64
		leader int
	}
)

// leaderNode is the fake protocol's client: servers n1..n3 are node ids 1
// to 3, as the probe names them.
type leaderNode struct{ kv.LeaderClient[*leaderCmd] }

func (c *leaderNode) Start(ctx *sim.Context) { c.Open(ctx, c) }
func (c *leaderNode) Command(_ *sim.Context, op *kv.Op, session uint64, id string) *leaderCmd {
	return &leaderCmd{session: session, seq: op.N, id: id}
}
func (c *leaderNode) Request(ctx *sim.Context, i int, cmd *leaderCmd) {
	ctx.Send(sim.NodeID(i+1), leaderReq{cmd})
}
func (c *leaderNode) Receive(ctx *sim.Context, _ sim.NodeID, msg any) {
	switch m := msg.(type) {
	case leaderReply:
		c.Reply(ctx, m.seq, m.leader, "", false)
	case notLeader:
		c.NotLeader(ctx, m.seq, m.leader)
	}
}

// sentTo returns the server index and command of the one message the
// probe's client sent since the last call.
func sentTo(t *testing.T, p *dsimtest.Probe) (int, *leaderCmd) {
	t.Helper()
	msgs := p.Take()
	require.Len(t, msgs, 1)
	return int(p.ID(msgs[0].To)) - 1, msgs[0].Msg.(leaderReq).cmd
}

// TestLeaderClient drives a LeaderClient of puts through its routing: a
// random server while no leader is known, a NotLeader redirection, the
// leader a reply names, a resend elsewhere, and a new session after a
// restart.
func TestLeaderClient(t *testing.T) {
	wl := protocols.Workload{Ops: 4, Mix: []protocols.MixEntry{{Op: "put", Weight: 1}}, Keys: 1, Think: time.Millisecond}
	d := kv.NewDriver(rand.New(rand.NewPCG(1, 2)), kv.Config{Workload: wl, Ops: wl.Ops, Retry: time.Second})
	p := dsimtest.NewProbe("c1", func() sim.Node {
		return &leaderNode{kv.LeaderClient[*leaderCmd]{Driver: d, Servers: 3}}
	}, dsimtest.Nodes("c1", "n1", "n2", "n3"))

	p.FireNext() // the first put, to a random server: no leader is known
	first, cmd := sentTo(t, p)
	assert.Equal(t, &leaderCmd{session: 1, seq: 1, id: "c1#1"}, cmd, "session: node id 0, incarnation 1")

	leader := (first + 1) % 3
	p.Deliver(p.World().Name(sim.NodeID(first+1)), notLeader{seq: 1, leader: first})
	assert.Empty(t, p.Take(), "a redirection to the server it came from is ignored")
	p.Deliver(p.World().Name(sim.NodeID(first+1)), notLeader{seq: 1, leader: leader})
	to, cmd := sentTo(t, p)
	assert.Equal(t, leader, to, "the redirection is followed")
	assert.Equal(t, int64(1), cmd.seq)

	p.Deliver("n1", leaderReply{seq: 1, leader: leader})
	require.Equal(t, 1, d.Completed())
	p.FireNext() // the second put goes to the believed leader
	to, cmd = sentTo(t, p)
	assert.Equal(t, leader, to)
	assert.Equal(t, int64(2), cmd.seq)

	p.Advance(time.Second) // the resend forgets the leader: another server
	to, cmd = sentTo(t, p)
	assert.NotEqual(t, leader, to)
	assert.Equal(t, "c1#2", cmd.id)

	p.Restart()
	p.FireNext()
	_, cmd = sentTo(t, p)
	assert.Equal(t, uint64(2), cmd.session, "a new incarnation, a new session")
	assert.Equal(t, int64(3), cmd.seq)
}

// Compile-time check: the fake client is a node and a Wire.
var (
	_ sim.Node            = (*leaderNode)(nil)
	_ kv.Wire[*leaderCmd] = (*leaderNode)(nil)
)
