package snapshot

import (
	"errors"
	"fmt"
	"time"

	"github.com/dsimlab/dsim/sim"
)

// Mode selects how nodes checkpoint.
type Mode string

// The checkpointing modes.
const (
	// ChandyLamport takes coordinated snapshots with markers; recovery
	// rolls every node back to the latest complete snapshot.
	ChandyLamport Mode = "chandy-lamport"
	// Uncoordinated lets each node checkpoint on its own timer; recovery
	// searches for a consistent set of checkpoints and may cascade back to
	// the start (the domino effect).
	Uncoordinated Mode = "uncoordinated"
)

// Variant selects a deliberately wrong version of the protocol, for the bug
// zoo. Each breaks one rule the correct protocol follows; the checks must
// catch it.
type Variant string

// The variants. Each names the rule it breaks.
const (
	// Correct is the protocol as designed.
	Correct Variant = "correct"
	// NoChannelState records each node's local state but not the transfers
	// in flight on its incoming channels, so money in flight across the cut
	// vanishes from the snapshot.
	NoChannelState Variant = "no-channel-state"
	// LateMarker sends a node's markers after its next transfer on each
	// channel (or 10ms later) instead of before any further send, so a
	// transfer sent after the snapshot can be received before the
	// receiver's snapshot: recorded as received but not sent.
	LateMarker Variant = "late-marker"
	// NoReplay rolls back without replaying the messages that were in
	// flight across the restored cut (the recorded channel state, or the
	// sender's log with uncoordinated checkpoints): that money is lost.
	NoReplay Variant = "no-replay"
	// Unsynced writes checkpoints to disk without Sync before reporting
	// them, so a crash can lose a checkpoint that a complete snapshot
	// counts on; the node then restores an older one.
	Unsynced Variant = "unsynced"
	// LatestCheckpoints (uncoordinated mode) restarts the crashed node
	// from its latest checkpoint and leaves the others alone, ignoring
	// orphan messages instead of cascading: the restored cut is
	// inconsistent.
	LatestCheckpoints Variant = "latest-checkpoints"
)

// Variants lists every variant, Correct first.
var Variants = []Variant{Correct, NoChannelState, LateMarker, NoReplay, Unsynced, LatestCheckpoints}

// ErrConfig is wrapped by every error Config.Validate returns.
var ErrConfig = errors.New("snapshot: bad configuration")

// Config is what every bank node of one run shares.
type Config struct {
	// Nodes are the bank nodes, in index order (n1, n2, ...). Nodes[0] is
	// also the coordinator of snapshots and recoveries.
	Nodes []sim.NodeID
	// Mode selects coordinated snapshots or uncoordinated checkpoints.
	Mode Mode
	// Variant selects the correct protocol or a bug-zoo variant.
	Variant Variant
	// Initial is each node's starting balance; the total is Initial ×
	// len(Nodes).
	Initial int
	// MaxAmount bounds a transfer: amounts are uniform in [1, MaxAmount]
	// (capped by the balance).
	MaxAmount int
	// Transfers is how many transfers each node makes (0: no limit).
	// Transfers undone by a rollback are made again.
	Transfers int
	// Interval is the time between a node's transfers when the node has no
	// pace of its own (see NewNode).
	Interval time.Duration
	// StopAt is the local time after which nodes make no new transfers, so
	// the run can settle before it ends (sim.Never: never stop).
	StopAt sim.Time
	// SnapshotInterval is the time between the end of one snapshot and the
	// start of the next (ChandyLamport).
	SnapshotInterval time.Duration
	// CheckpointInterval is the mean time between a node's own checkpoints
	// (Uncoordinated); each gap is uniform in [0.5, 1.5] × the mean.
	CheckpointInterval time.Duration
	// Retransmit is the period of every resend: unacknowledged channel
	// messages, snapshot reports, recovery requests and rollback orders.
	Retransmit time.Duration
	// Reliable turns on the channel layer (sequence numbers, cumulative
	// acks, retransmission, in-order delivery), which makes channels
	// reliable and FIFO over a lossy, duplicating, reordering network.
	// Without it the nodes trust the network's links to be reliable and
	// FIFO, as the textbook algorithm does.
	Reliable bool
}

// DefaultConfig returns the configuration of the library scenarios for the
// given nodes.
func DefaultConfig(nodes []sim.NodeID) Config {
	return Config{
		Nodes: nodes, Mode: ChandyLamport, Variant: Correct,
		Initial: 100, MaxAmount: 10, Interval: 2 * time.Millisecond, StopAt: sim.Never,
		SnapshotInterval: 100 * time.Millisecond, CheckpointInterval: 100 * time.Millisecond,
		Retransmit: 50 * time.Millisecond, Reliable: true,
	}
}

// Validate reports whether c can run.
func (c Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...))
	}
	switch {
	case len(c.Nodes) < 2:
		return bad("needs at least 2 nodes, got %d", len(c.Nodes))
	case c.Mode != ChandyLamport && c.Mode != Uncoordinated:
		return bad("unknown mode %q (want %s or %s)", c.Mode, ChandyLamport, Uncoordinated)
	case c.Initial < 0 || c.MaxAmount < 1 || c.Transfers < 0:
		return bad("initial %d, max amount %d and transfers %d must be non-negative (max amount at least 1)", c.Initial, c.MaxAmount, c.Transfers)
	case c.Interval <= 0 || c.SnapshotInterval <= 0 || c.CheckpointInterval <= 0 || c.Retransmit <= 0:
		return bad("intervals must be positive")
	}
	known := false
	for _, v := range Variants {
		known = known || v == c.Variant
	}
	if !known {
		return bad("unknown variant %q", c.Variant)
	}
	if c.Variant == LatestCheckpoints && c.Mode != Uncoordinated {
		return bad("variant %s needs mode %s", c.Variant, Uncoordinated)
	}
	if (c.Variant == NoChannelState || c.Variant == LateMarker) && c.Mode != ChandyLamport {
		return bad("variant %s needs mode %s", c.Variant, ChandyLamport)
	}
	return nil
}

// Total is the money in the system: Initial × the number of nodes.
func (c Config) Total() int { return c.Initial * len(c.Nodes) }
