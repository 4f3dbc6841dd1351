package snapshot_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols/snapshot"
	"github.com/dsimlab/dsim/sim"
)

// history builds hand-made traces of two bank nodes, n1 (id 0) and n2
// (id 1), each starting with 100, and feeds them to an Auditor.
type history struct {
	a   *snapshot.Auditor
	now sim.Time
}

func newHistory() *history {
	h := &history{a: snapshot.NewAuditor([]sim.NodeID{0, 1}, []string{"n1", "n2"}, 100)}
	h.record(0, ckpt(0, 0, 100, v(0, 0), v(0, 0)))
	h.record(1, ckpt(0, 0, 100, v(0, 0), v(0, 0)))
	return h
}

func (h *history) tick() sim.Time { h.now += sim.Time(time.Millisecond); return h.now }

// send records node from sending transfer seq of amount in epoch; it
// returns the message for deliver or drop.
func (h *history) send(from, to sim.NodeID, epoch, seq, amount int) *snapshot.Data {
	d := &snapshot.Data{Epoch: epoch, Kind: snapshot.KindTransfer, Num: seq, Amount: amount}
	h.a.Observe(&sim.Event{Time: h.tick(), Kind: sim.KindSend, Node: from, Peer: to, Msg: d})
	return d
}

func (h *history) deliver(from, to sim.NodeID, d *snapshot.Data) {
	h.a.Observe(&sim.Event{Time: h.tick(), Kind: sim.KindDeliver, Node: to, Peer: from, Msg: d})
}

func (h *history) drop(from, to sim.NodeID, d *snapshot.Data) {
	h.a.Observe(&sim.Event{Time: h.tick(), Kind: sim.KindDrop, Node: from, Peer: to, Msg: d, Reason: sim.DropLoss})
}

// record records fact f as node's.
func (h *history) record(node sim.NodeID, f fmt.Stringer) {
	h.a.Observe(&sim.Event{Time: h.tick(), Kind: sim.KindRecord, Node: node, Peer: sim.None, Msg: f, Text: f.String()})
}

// v is a vector of the two nodes' counts.
func v(n1, n2 int) []int { return []int{n1, n2} }

func ckpt(id, epoch, bal int, sent, recv []int) snapshot.Checkpointed {
	return snapshot.Checkpointed{ID: id, Epoch: epoch, Balance: bal, Sent: sent, Recv: recv}
}

func rollback(epoch, to, bal int, sent, recv []int) snapshot.RolledBack {
	return snapshot.RolledBack{Epoch: epoch, To: to, Balance: bal, Sent: sent, Recv: recv}
}

// chans is snapshot id's channel states, per sender.
func chans(id, epoch int, perSender ...[]snapshot.InFlight) snapshot.ChannelsRecorded {
	return snapshot.ChannelsRecorded{ID: id, Epoch: epoch, Channels: perSender}
}

// inflight lists transfers as sequence number, amount, sequence number, ...
func inflight(seqAmount ...int) []snapshot.InFlight {
	var out []snapshot.InFlight
	for i := 0; i+1 < len(seqAmount); i += 2 {
		out = append(out, snapshot.InFlight{Seq: seqAmount[i], Amount: seqAmount[i+1]})
	}
	return out
}

// final is a settled end state with the given balances and receive
// vectors, in epoch 0.
func final(bal1, bal2 int, recv1, recv2 []int) []snapshot.Final {
	return []snapshot.Final{
		{Up: true, NodeStatus: snapshot.NodeStatus{Active: true, Balance: bal1, Recv: recv1, Sent: []int{0, 0}}},
		{Up: true, NodeStatus: snapshot.NodeStatus{Active: true, Balance: bal2, Recv: recv2, Sent: []int{0, 0}}},
	}
}

func TestAuditorSnapshots(t *testing.T) {
	tests := []struct {
		name    string
		build   func(h *history)
		verdict checker.Verdict
		detail  string
	}{
		{"transfer in flight recorded in the channel state", func(h *history) {
			d := h.send(0, 1, 0, 1, 10)
			h.record(0, ckpt(1, 0, 90, v(0, 1), v(0, 0)))
			h.record(1, ckpt(1, 0, 100, v(0, 0), v(0, 0)))
			h.deliver(0, 1, d)
			h.record(0, chans(1, 0, nil, nil))
			h.record(1, chans(1, 0, inflight(1, 10), nil))
		}, checker.Holds, "1 complete snapshots are consistent cuts"},
		{"transfer received before the snapshot", func(h *history) {
			d := h.send(0, 1, 0, 1, 10)
			h.deliver(0, 1, d)
			h.record(0, ckpt(1, 0, 90, v(0, 1), v(0, 0)))
			h.record(1, ckpt(1, 0, 110, v(0, 0), v(1, 0)))
			h.record(0, chans(1, 0, nil, nil))
			h.record(1, chans(1, 0, nil, nil))
		}, checker.Holds, "1 complete snapshots"},
		{"in-flight transfer not recorded", func(h *history) {
			d := h.send(0, 1, 0, 1, 10)
			h.record(0, ckpt(1, 0, 90, v(0, 1), v(0, 0)))
			h.record(1, ckpt(1, 0, 100, v(0, 0), v(0, 0)))
			h.deliver(0, 1, d)
			h.record(0, chans(1, 0, nil, nil))
			h.record(1, chans(1, 0, nil, nil))
		}, checker.Violated, "add up to 190, not 200"},
		{"received but not sent at the sender's snapshot", func(h *history) {
			h.record(0, ckpt(1, 0, 100, v(0, 0), v(0, 0)))
			d := h.send(0, 1, 0, 1, 10) // after n1's snapshot, before its marker
			h.deliver(0, 1, d)
			h.record(1, ckpt(1, 0, 110, v(0, 0), v(1, 0)))
			h.record(0, chans(1, 0, nil, nil))
			h.record(1, chans(1, 0, nil, nil))
		}, checker.Violated, "n2 recorded receiving transfer #1 from n1, which n1 had not sent at its snapshot"},
		{"recorded in flight but sent after the snapshot", func(h *history) {
			h.record(0, ckpt(1, 0, 100, v(0, 0), v(0, 0)))
			h.record(1, ckpt(1, 0, 100, v(0, 0), v(0, 0)))
			d := h.send(0, 1, 0, 1, 10)
			h.deliver(0, 1, d)
			h.record(0, chans(1, 0, nil, nil))
			h.record(1, chans(1, 0, inflight(1, 10), nil))
		}, checker.Violated, "recorded transfer n1→n2 #1 (10) in flight"},
		{"checkpoint receives what was never sent", func(h *history) {
			h.record(1, ckpt(1, 0, 110, v(0, 0), v(1, 0)))
		}, checker.Violated, "n2 receiving transfer #1 from n1, which n1 never sent"},
		{"checkpoint balance does not follow", func(h *history) {
			d := h.send(0, 1, 0, 1, 10)
			h.deliver(0, 1, d)
			h.record(1, ckpt(1, 0, 120, v(0, 0), v(1, 0)))
		}, checker.Violated, "says n2 has 120, but what it sent and received leaves 110"},
		{"checkpoint hides a send", func(h *history) {
			h.send(0, 1, 0, 1, 10)
			h.record(0, ckpt(1, 0, 100, v(0, 0), v(0, 0)))
		}, checker.Violated, "says n1 sent 0 transfers to n2, but it had sent 1"},
		{"sequence number reused for another amount", func(h *history) {
			h.send(0, 1, 0, 1, 10)
			h.send(0, 1, 0, 1, 7)
		}, checker.Violated, "twice, for 10 and for 7"},
		{"a checkpoint short of entries cannot be checked", func(h *history) {
			h.record(0, ckpt(1, 0, 100, []int{0}, v(0, 0)))
		}, checker.Inconclusive, "cannot check: n1 recorded a checkpoint with 1 entries where 2 nodes need 2"},
		{"a violation found is a violation, whatever could not be read", func(h *history) {
			h.record(0, chans(1, 0, nil))
			h.record(1, ckpt(1, 0, 110, v(0, 0), v(1, 0)))
		}, checker.Violated, "n2 receiving transfer #1 from n1, which n1 never sent"},
		{"other facts and notes are ignored", func(h *history) {
			h.a.Observe(&sim.Event{Time: h.tick(), Kind: sim.KindRecord, Node: 0, Msg: "checkpoint id=1 epoch=0 bal=0 sent=0,0 recv=0,0"})
			h.a.Observe(&sim.Event{Time: h.tick(), Kind: sim.KindRecord, Node: 0, Msg: struct{ ID int }{1}})
		}, checker.Holds, "2 checkpoints"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHistory()
			tt.build(h)
			r := h.a.Consistency()
			assert.Equal(t, tt.verdict, r.Verdict, r.Detail)
			assert.Contains(t, r.Detail, tt.detail)
			assert.Equal(t, snapshot.ConsistencyCheck, r.Check)
		})
	}
}

// snapshotWithTransferInFlight is the first case above: snapshot 1 holds
// n1→n2 #1 (10) in n2's channel state, delivered after n2's snapshot.
func snapshotWithTransferInFlight(h *history) {
	d := h.send(0, 1, 0, 1, 10)
	h.record(0, ckpt(1, 0, 90, v(0, 1), v(0, 0)))
	h.record(1, ckpt(1, 0, 100, v(0, 0), v(0, 0)))
	h.deliver(0, 1, d)
	h.record(0, chans(1, 0, nil, nil))
	h.record(1, chans(1, 0, inflight(1, 10), nil))
}

func TestAuditorRecovery(t *testing.T) {
	tests := []struct {
		name    string
		build   func(h *history)
		verdict checker.Verdict
		detail  string
	}{
		{"rollback to the snapshot with its channel replayed", func(h *history) {
			snapshotWithTransferInFlight(h)
			h.send(1, 0, 0, 1, 5) // undone by the rollback
			h.record(0, rollback(1, 1, 90, v(0, 1), v(0, 0)))
			h.record(1, rollback(1, 1, 110, v(0, 0), v(1, 0)))
		}, checker.Holds, "1 recoveries restored consistent cuts adding up to 200"},
		{"rollback without replaying the channel", func(h *history) {
			snapshotWithTransferInFlight(h)
			h.record(0, rollback(1, 1, 90, v(0, 1), v(0, 0)))
			h.record(1, rollback(1, 1, 100, v(0, 0), v(0, 0)))
		}, checker.Violated, "transfers n1→n2 #1 were in flight across the restored cut, but were never delivered again"},
		{"in-flight transfer sent again in the new epoch", func(h *history) {
			snapshotWithTransferInFlight(h)
			h.record(0, rollback(1, 1, 90, v(0, 1), v(0, 0)))
			h.send(0, 1, 1, 1, 10)
			h.record(1, rollback(1, 1, 100, v(0, 0), v(0, 0)))
		}, checker.Holds, "epoch 1 at"},
		{"orphan: the sender rolls back past a send the receiver keeps", func(h *history) {
			snapshotWithTransferInFlight(h)
			h.record(0, rollback(1, 0, 100, v(0, 0), v(0, 0)))
			h.record(1, rollback(1, -1, 110, v(0, 0), v(1, 0)))
		}, checker.Violated, "n2 restored a state that received transfer #1 from n1, but n1 restored one that sent only 0"},
		{"a rollback short of entries cannot be checked", func(h *history) {
			snapshotWithTransferInFlight(h)
			h.record(0, rollback(1, 1, 90, v(0, 1), v(0, 0)))
			h.record(1, rollback(1, 1, 110, v(0, 0), []int{1}))
		}, checker.Inconclusive, "cannot check: n2 recorded a rollback with 1 entries"},
		{"rollback to a checkpoint never taken", func(h *history) {
			h.record(0, rollback(1, 4, 100, v(0, 0), v(0, 0)))
		}, checker.Violated, "checkpoint 4, which it never took"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHistory()
			tt.build(h)
			r := h.a.Recovery()
			assert.Equal(t, tt.verdict, r.Verdict, r.Detail)
			assert.Contains(t, r.Detail, tt.detail)
		})
	}
}

func TestAuditorCountsRollbacks(t *testing.T) {
	h := newHistory()
	for id := 1; id <= 3; id++ {
		h.record(0, ckpt(id, 0, 100, v(0, 0), v(0, 0)))
	}
	h.record(1, ckpt(1, 0, 100, v(0, 0), v(0, 0)))
	// Times: n1's checkpoint 0 at 1ms, n2's checkpoint 1 at 6ms; the
	// rollbacks at 7ms and 8ms.
	h.record(0, rollback(1, 0, 100, v(0, 0), v(0, 0)))
	h.record(1, rollback(1, 1, 100, v(0, 0), v(0, 0)))
	undone, lost := h.a.Rollbacks()
	assert.Equal(t, []int{3, 0}, undone)
	assert.Equal(t, []time.Duration{6 * time.Millisecond, 2 * time.Millisecond}, lost)
	r := h.a.Recovery()
	require.Equal(t, checker.Holds, r.Verdict, r.Detail)
	assert.Contains(t, r.Detail, "n1 back 3 to #0 (6ms of work), n2 back 0 to #1 (2ms of work)")
}

func TestAuditorConservation(t *testing.T) {
	tests := []struct {
		name    string
		build   func(h *history) []snapshot.Final
		verdict checker.Verdict
		detail  string
	}{
		{"every transfer received once", func(h *history) []snapshot.Final {
			h.deliver(0, 1, h.send(0, 1, 0, 1, 10))
			return final(90, 110, []int{0, 0}, []int{1, 0})
		}, checker.Holds, "add up to 200 after 1 transfers"},
		{"a duplicate still in flight carries no money", func(h *history) []snapshot.Final {
			d := h.send(0, 1, 0, 1, 10)
			h.a.Observe(&sim.Event{Time: h.tick(), Kind: sim.KindDuplicate, Node: 0, Peer: 1, Msg: d})
			h.deliver(0, 1, d)
			return final(90, 110, []int{0, 0}, []int{1, 0})
		}, checker.Holds, "each received once"},
		{"a transfer lost", func(h *history) []snapshot.Final {
			h.drop(0, 1, h.send(0, 1, 0, 1, 10))
			return final(90, 100, []int{0, 0}, []int{0, 0})
		}, checker.Violated, "transfers n1→n2 #1 (10 in all) were sent but never received"},
		{"a transfer credited twice", func(h *history) []snapshot.Final {
			h.deliver(0, 1, h.send(0, 1, 0, 1, 10))
			return final(90, 120, []int{0, 0}, []int{1, 0})
		}, checker.Violated, "the balances add up to 210, not 200"},
		{"a transfer still in flight", func(h *history) []snapshot.Final {
			h.send(0, 1, 0, 1, 10)
			return final(90, 100, []int{0, 0}, []int{0, 0})
		}, checker.Inconclusive, "1 transfers are in flight"},
		{"a node down", func(h *history) []snapshot.Final {
			f := final(100, 100, []int{0, 0}, []int{0, 0})
			f[1] = snapshot.Final{}
			return f
		}, checker.Inconclusive, "n2 is down"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHistory()
			f := tt.build(h)
			r := h.a.Conservation(f)
			assert.Equal(t, tt.verdict, r.Verdict, r.Detail)
			assert.Contains(t, r.Detail, tt.detail)
		})
	}
}

func TestAuditorProgress(t *testing.T) {
	h := newHistory()
	r := h.a.Progress(snapshot.ChandyLamport, final(100, 100, []int{0, 0}, []int{0, 0}))
	assert.Equal(t, checker.Violated, r.Verdict)
	assert.Contains(t, r.Detail, "no snapshot completed")
	assert.Equal(t, checker.Liveness, r.Kind)

	snapshotWithTransferInFlight(h)
	r = h.a.Progress(snapshot.ChandyLamport, final(90, 110, []int{0, 0}, []int{1, 0}))
	assert.Equal(t, checker.Holds, r.Verdict, r.Detail)

	h.record(0, rollback(1, 1, 90, v(0, 1), v(0, 0)))
	r = h.a.Progress(snapshot.ChandyLamport, final(90, 110, []int{0, 0}, []int{1, 0}))
	assert.Equal(t, checker.Violated, r.Verdict, "the nodes are still in epoch 0")
	assert.Contains(t, r.Detail, "did not finish recovery epoch 1")
}
