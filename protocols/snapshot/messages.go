package snapshot

import (
	"fmt"
	"strings"
)

// DataKind says what a Data message carries.
type DataKind uint8

// The kinds of Data messages: the two that travel on the FIFO channels.
const (
	// KindTransfer moves Amount from the sender to the receiver; Num is its
	// sequence number on the channel (1, 2, ...).
	KindTransfer DataKind = iota + 1
	// KindMarker is Chandy–Lamport's marker for snapshot Num.
	KindMarker
)

// Data is a message on the channel from one bank node to another: a
// transfer or a marker. Epoch is the sender's recovery epoch (messages of
// another epoch are discarded or held, see the package manual); Seq numbers
// the channel's messages within the epoch for the reliable channel layer
// (0 when the layer is off).
type Data struct {
	Epoch  int
	Seq    int
	Kind   DataKind
	Num    int // transfer sequence number, or snapshot id for a marker
	Amount int // transfers only
}

// String formats the message for traces, e.g. "e1#7 transfer 12 (5)".
func (d *Data) String() string {
	if d.Kind == KindMarker {
		return fmt.Sprintf("e%d#%d marker %d", d.Epoch, d.Seq, d.Num)
	}
	return fmt.Sprintf("e%d#%d transfer %d (%d)", d.Epoch, d.Seq, d.Num, d.Amount)
}

// Ack acknowledges every Data of Epoch up to Seq on one channel (reliable
// channel layer only).
type Ack struct{ Epoch, Seq int }

// String formats the message for traces.
func (a *Ack) String() string { return fmt.Sprintf("ack e%d#%d", a.Epoch, a.Seq) }

// Done tells the coordinator that the sender has recorded, and synced to
// disk, its part of snapshot Snap: its local state and the state of every
// incoming channel.
type Done struct{ Epoch, Snap int }

// String formats the message for traces.
func (d *Done) String() string { return fmt.Sprintf("done e%d snapshot %d", d.Epoch, d.Snap) }

// Complete tells every node that snapshot Snap is complete (every part is
// on disk), so older checkpoints may be deleted.
type Complete struct{ Epoch, Snap int }

// String formats the message for traces.
func (c *Complete) String() string { return fmt.Sprintf("complete e%d snapshot %d", c.Epoch, c.Snap) }

// Recover asks the coordinator for a rollback: the sender restarted (for
// the Boot-th time) and has lost its volatile state.
type Recover struct{ Boot int }

// String formats the message for traces.
func (r *Recover) String() string { return fmt.Sprintf("recover boot %d", r.Boot) }

// Freeze opens recovery epoch Epoch with uncoordinated checkpoints: the
// receiver stops sending and applying transfers and replies with Frozen.
type Freeze struct{ Epoch int }

// String formats the message for traces.
func (f *Freeze) String() string { return fmt.Sprintf("freeze e%d", f.Epoch) }

// Candidate is a state a node could roll back to: a checkpoint on its disk
// (ID from 0) or its current state (ID Current). Sent[j] and Recv[j] count
// the transfers it had sent to and received from node j.
type Candidate struct {
	ID         int
	Sent, Recv []int
}

// Current is the Candidate and Rollback line ID of a node's current,
// volatile state: "do not roll back".
const Current = -1

// Frozen answers Freeze: the sender's candidates, oldest first, its current
// state last if it has one (a restarted node has none).
type Frozen struct {
	Epoch      int
	Candidates []Candidate
}

// String formats the message for traces.
func (f *Frozen) String() string {
	ids := make([]string, len(f.Candidates))
	for i, c := range f.Candidates {
		ids[i] = fmt.Sprint(c.ID)
	}
	return fmt.Sprintf("frozen e%d candidates %s", f.Epoch, strings.Join(ids, ","))
}

// Rollback orders every node into recovery epoch Epoch: node i restores
// checkpoint Line[i] (or keeps its current state if Line[i] is Current).
// With uncoordinated checkpoints Recv[i] is the receive vector of node i's
// restored state, from which senders know which transfers to send again.
type Rollback struct {
	Epoch int
	Line  []int
	Recv  [][]int
}

// String formats the message for traces.
func (r *Rollback) String() string { return fmt.Sprintf("rollback e%d line %v", r.Epoch, r.Line) }

// RollbackAck tells the coordinator that the sender has entered Epoch.
type RollbackAck struct{ Epoch int }

// String formats the message for traces.
func (r *RollbackAck) String() string { return fmt.Sprintf("rollback-ack e%d", r.Epoch) }
