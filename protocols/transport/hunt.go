package transport

import (
	"time"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// This file is what the transport adds for bug hunts: the fault points of
// a connection, and what liveness mode needs of the RPC key-value store.

// The fault points of a connection (sim.Context.Maybe): rare but legal
// paths that a run with fault points takes now and then.
const (
	// fpRPCReset: before a call is sent, the RPC client resets its
	// connection to the server (as a connection broken by the network
	// would be), so the calls waiting on it are resent on a new one, and an
	// at-most-once server answers those it ran from its table.
	fpRPCReset = "transport/rpc-reset"
	// fpSpuriousRetransmit: a connection's timer resends its oldest
	// unacknowledged segment although no timeout is due, so the receiver
	// sees a duplicate.
	fpSpuriousRetransmit = "transport/spurious-retransmit"
)

// maybeReset resets the client's open connection to target where the fault
// point fires (one call in ten where it is enabled).
func (r *RPC) maybeReset(ctx *sim.Context, target sim.NodeID) {
	if conn := r.conns[target]; conn != nil && conn.Open() && ctx.MaybeP(fpRPCReset, 0.1) {
		conn.fail(ctx, ErrReset, true)
	}
}

// spuriousRetransmit resends the oldest unacknowledged segment where the
// fault point fires (one timer in ten where it is enabled).
func (c *Conn) spuriousRetransmit(ctx *sim.Context) {
	if c.state == stateOpen && c.sndUna < c.sndNxt && ctx.MaybeP(fpSpuriousRetransmit, 0.1) {
		c.transmit(ctx, c.sndUna, true)
	}
}

// Core returns the nodes liveness mode heals: every key-value server.
func (in *rpcInstance) Core() []sim.NodeID { return in.servers }

// Progress returns the operations the clients completed, and whether any
// client has operations left.
func (in *rpcInstance) Progress(*sim.World) (int, bool) {
	done, pending := 0, false
	for _, d := range in.drivers {
		done += d.Completed()
		pending = pending || d.Busy()
	}
	return done, pending
}

// LivenessBound is how soon after the heal a call must complete: a call's
// timeout and a broken connection's retries.
func (in *rpcInstance) LivenessBound() time.Duration { return in.bound }

// Compile-time check: the RPC store takes part in liveness mode.
var _ protocols.Recovery = (*rpcInstance)(nil)
