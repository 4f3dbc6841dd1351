package snapshot

import (
	"slices"
	"strconv"
)

// The facts below are what bank nodes record (sim.Context.Record) for the
// Auditor to read. Vectors are indexed by node, n1 first. Each String
// reproduces the stable line that describes the fact in traces and that
// the run's fingerprint hashes:
//
//	checkpoint id=3 epoch=1 bal=97 sent=0,5,4 recv=0,3,6
//	channels id=3 epoch=1 chan=/12:5,13:7/
//	rollback epoch=2 to=3 bal=97 sent=0,5,4 recv=0,3,6

// InFlight is a transfer recorded as in flight on a channel: its sequence
// number on the channel and its amount.
type InFlight struct {
	Seq    int `json:"seq"`
	Amount int `json:"amt"`
}

// Checkpointed is a node recording its local state as checkpoint ID (for
// Chandy–Lamport, its part of snapshot ID) in recovery epoch Epoch: its
// balance and how many transfers it had sent to and received from each node.
type Checkpointed struct {
	ID, Epoch  int
	Balance    int
	Sent, Recv []int
}

// String describes the fact.
func (f Checkpointed) String() string {
	b := appendField(append(make([]byte, 0, 64), "checkpoint"...), " id=", f.ID)
	b = appendField(b, " epoch=", f.Epoch)
	return string(appendState(b, f.Balance, f.Sent, f.Recv))
}

// ChannelsRecorded is a node's part of snapshot ID completing: Channels
// lists, per sender, the transfers it recorded as in flight on its
// incoming channel from that sender.
type ChannelsRecorded struct {
	ID, Epoch int
	Channels  [][]InFlight
}

// String describes the fact.
func (f ChannelsRecorded) String() string {
	b := appendField(append(make([]byte, 0, 64), "channels"...), " id=", f.ID)
	b = append(appendField(b, " epoch=", f.Epoch), " chan="...)
	for j, msgs := range f.Channels {
		if j > 0 {
			b = append(b, '/')
		}
		for k, m := range msgs {
			if k > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, int64(m.Seq), 10)
			b = strconv.AppendInt(append(b, ':'), int64(m.Amount), 10)
		}
	}
	return string(b)
}

// RolledBack is a node entering recovery epoch Epoch with the state it
// restored, from checkpoint To (Current: it kept its state), after
// replaying the channel messages recorded with it.
type RolledBack struct {
	Epoch, To  int
	Balance    int
	Sent, Recv []int
}

// String describes the fact.
func (f RolledBack) String() string {
	b := appendField(append(make([]byte, 0, 64), "rollback"...), " epoch=", f.Epoch)
	b = appendField(b, " to=", f.To)
	return string(appendState(b, f.Balance, f.Sent, f.Recv))
}

// checkpointed and rolledBack build the facts from a node's state, with
// copies of its vectors: a fact never shares memory with the node.
func checkpointed(id, epoch int, s state) Checkpointed {
	return Checkpointed{ID: id, Epoch: epoch, Balance: s.Balance, Sent: slices.Clone(s.Sent), Recv: slices.Clone(s.Recv)}
}

func rolledBack(epoch, to int, s state) RolledBack {
	return RolledBack{Epoch: epoch, To: to, Balance: s.Balance, Sent: slices.Clone(s.Sent), Recv: slices.Clone(s.Recv)}
}

func channelsRecorded(id, epoch int, chans [][]InFlight) ChannelsRecorded {
	f := ChannelsRecorded{ID: id, Epoch: epoch, Channels: make([][]InFlight, len(chans))}
	for j, c := range chans {
		f.Channels[j] = slices.Clone(c)
	}
	return f
}

func appendField(b []byte, name string, v int) []byte {
	return strconv.AppendInt(append(b, name...), int64(v), 10)
}

// appendState appends " bal=B sent=S recv=R".
func appendState(b []byte, bal int, sent, recv []int) []byte {
	b = appendField(b, " bal=", bal)
	b = appendVec(append(b, " sent="...), sent)
	return appendVec(append(b, " recv="...), recv)
}

// appendVec appends v's entries separated by commas.
func appendVec(b []byte, v []int) []byte {
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(x), 10)
	}
	return b
}
