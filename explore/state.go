package explore

import (
	"encoding/binary"
	"fmt"
	"hash"
	"hash/fnv"
	"strconv"

	"github.com/dsimlab/dsim/sim"
)

// key identifies a state: 128 bits of FNV-1a over its description.
type key [2]uint64

// add adds k to a multiset's hash: the sum of its members' keys, so the
// order members come in does not matter.
func (k *key) add(m key) { k[0], k[1] = k[0]+m[0], k[1]+m[1] }

// describable reports whether every running node of r can describe its
// state, and if not, names the first that cannot and its type.
func describable(r *run) (bool, string) {
	for _, id := range r.w.Nodes() {
		if n := r.w.Node(id); n != nil {
			if _, ok := n.(sim.Describer); !ok {
				return false, fmt.Sprintf("node %s (%T) has no DescribeState method", r.w.Name(id), n)
			}
		}
	}
	return true, ""
}

// hasher hashes descriptions without allocating for each.
type hasher struct {
	h   hash.Hash
	buf []byte
	sum []byte
}

func newHasher() *hasher { return &hasher{h: fnv.New128a()} }

// of returns the key of b.
func (hs *hasher) of(b []byte) key {
	hs.h.Reset()
	hs.h.Write(b)
	hs.sum = hs.h.Sum(hs.sum[:0])
	return key{binary.BigEndian.Uint64(hs.sum[:8]), binary.BigEndian.Uint64(hs.sum[8:])}
}

// ofString returns the key of s.
func (hs *hasher) ofString(s string) key {
	hs.buf = append(hs.buf[:0], s...)
	return hs.of(hs.buf)
}

// stateKey hashes r's state. A state is, for each node, whether it is up
// and paused, its own description and its disk's; the events pending, as
// a multiset of what they are (a message's sender, receiver and text, a
// timer's node and tag; not their IDs or due times); the links that are
// cut; the facts recorded so far, as a set; and the clients' operations,
// as a multiset.
// Clocks and random streams are not part of it.
func (x *explorer) stateKey(r *run) key {
	hs, w := x.hash, r.w
	var b []byte
	for _, id := range w.Nodes() {
		b = strconv.AppendBool(append(b, w.Name(id)...), w.Up(id))
		b = strconv.AppendBool(b, w.Paused(id))
		if d, ok := w.Node(id).(sim.Describer); ok {
			b = append(b, d.DescribeState()...)
		}
		b = append(append(b, '|'), w.Storage(id).DescribeState()...)
		b = append(b, '\n')
	}
	pending := x.pendingKey(w)
	b = binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(b, pending[0]), pending[1])
	b = binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(b, r.factSum[0]), r.factSum[1])
	b = appendCuts(b, w)
	ops := x.historyKey(w)
	b = binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(b, ops[0]), ops[1])
	return hs.of(b)
}

// pendingKey hashes the pending events as a multiset.
func (x *explorer) pendingKey(w *sim.World) key {
	var sum key
	for _, p := range w.Pending() {
		sum.add(x.eventKey(p))
	}
	return sum
}

// eventKey hashes what a pending event is: its kind, nodes and message or
// tag (and a scheduled fault's due time, which tells it apart), not its ID.
func (x *explorer) eventKey(p sim.PendingEvent) key {
	b := append(x.hash.buf[:0], byte(p.Kind))
	if p.Held {
		b = append(b, 'h')
	}
	b = binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(b, uint32(p.From)), uint32(p.To))
	if p.Kind == sim.KindStop {
		b = binary.BigEndian.AppendUint64(b, uint64(p.At))
	}
	b = append(b, sim.Describe(p.Msg)...)
	x.hash.buf = b
	return x.hash.of(b)
}

// historyKey hashes the clients' operations as a multiset: which client
// invoked what, and what it returned if it did (each client's own are in
// order already: one at a time).
func (x *explorer) historyKey(w *sim.World) key {
	var sum key
	for _, op := range w.History() {
		x.hash.buf = fmt.Appendf(x.hash.buf[:0], "%d %s %t %s", op.Client, sim.Describe(op.Input), op.Returned, sim.Describe(op.Output))
		sum.add(x.hash.of(x.hash.buf))
	}
	return sum
}

// appendCuts appends the directed links that are cut.
func appendCuts(b []byte, w *sim.World) []byte {
	for _, from := range w.Nodes() {
		for _, to := range w.Nodes() {
			if from != to && w.Blocked(from, to) {
				b = binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(append(b, 'c'), uint32(from)), uint32(to))
			}
		}
	}
	return b
}
