package snapshot

import (
	"time"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// This file is what a bank run adds for bug hunts: the online checks (the
// auditor checks every snapshot and recovery as its facts arrive; with
// online checks the run stops at the first that is inconsistent or does
// not conserve the money), a fault point of the channel layer, and what
// liveness mode needs.

// fpDuplicateSend is the fault point of a node's channel layer: a message
// goes out twice at once, as an eager retransmission, so the receiver's
// in-order, exactly-once delivery is exercised (only with Reliable
// channels: without them the nodes trust the network not to duplicate).
const fpDuplicateSend = "snapshot/duplicate-send"

// duplicateSend sends d to p a second time where the fault point fires
// (one message in twenty where it is enabled).
func (n *Node) duplicateSend(ctx *sim.Context, to sim.NodeID, d *Data) {
	if n.cfg().Reliable && ctx.MaybeP(fpDuplicateSend, 0.05) {
		ctx.Send(to, d)
	}
}

// watch is the online check: after each event, the auditor's first
// finding, if any, stops the run.
func (in *instance) watch(e *sim.Event) {
	switch a := in.audit; {
	case a.consistency.n > 0:
		in.mon.Violate(ConsistencyCheck, e.Seq, a.consistency.first[0])
	case a.recovery.n > 0:
		in.mon.Violate(RecoveryCheck, e.Seq, a.recovery.first[0])
	}
}

// FirstViolation returns the first violation the online checks saw (see
// protocols.Online).
func (in *instance) FirstViolation() *protocols.Violation { return in.mon.FirstViolation() }

// Core returns the nodes liveness mode heals: every bank node.
func (in *instance) Core() []sim.NodeID { return in.cfg.Nodes }

// Progress returns the checkpoints taken (snapshot parts included), and
// whether transfers are still being made.
func (in *instance) Progress(w *sim.World) (int, bool) {
	return in.audit.checkpoints, w.Now() < in.cfg.StopAt
}

// LivenessBound is how soon after the heal a checkpoint must be taken: a
// few snapshot or checkpoint intervals.
func (in *instance) LivenessBound() time.Duration {
	return 4*max(in.cfg.SnapshotInterval, in.cfg.CheckpointInterval) + 10*in.cfg.Retransmit
}

// Compile-time checks: a bank run takes part in online checks and
// liveness mode.
var (
	_ protocols.Online   = (*instance)(nil)
	_ protocols.Recovery = (*instance)(nil)
)
