package pbkv

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/sim"
)

// errShort is the decoding error of a truncated record or snapshot.
var errShort = errors.New("truncated")

// dec reads the varint-and-string encoding of records and snapshots.
type dec struct {
	b   []byte
	err error
}

func (d *dec) uint() uint64 {
	if d.err != nil {
		return 0
	}
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errShort
		return 0
	}
	d.b = d.b[n:]
	return x
}

func (d *dec) str() string {
	n := d.uint()
	if d.err != nil || uint64(len(d.b)) < n {
		d.err = errShort
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func putUint(b []byte, x uint64) []byte { return binary.AppendUvarint(b, x) }
func putStr(b []byte, s string) []byte  { return append(putUint(b, uint64(len(s))), s...) }

// last is what the at-most-once table remembers of a client session: the
// sequence number of its latest write applied.
type last struct{ seq int64 }

// store is a server's state machine, kept in its write-ahead log: the keys,
// the at-most-once table, and the latest view the server served as
// primary. Records are writes ('w') and primary views ('p').
type store struct {
	kv          map[string]string
	last        map[string]last
	primaryView int
}

func newStore() *store { return &store{kv: map[string]string{}, last: map[string]last{}} }

const (
	recWrite   = 'w'
	recPrimary = 'p'
)

// writeRecord encodes a put or append.
func writeRecord(r *Request) []byte {
	b := []byte{recWrite}
	b = putStr(b, r.Client)
	b = putUint(b, uint64(r.Seq))
	b = putUint(b, uint64(r.Op))
	b = putStr(b, r.Key)
	return putStr(b, r.Value)
}

// primaryRecord encodes "served view n as primary".
func primaryRecord(n int) []byte { return putUint([]byte{recPrimary}, uint64(n)) }

// Apply applies a record: a write runs at most once per client sequence
// number.
func (s *store) Apply(rec []byte) error {
	if len(rec) == 0 {
		return errShort
	}
	d := dec{b: rec[1:]}
	switch rec[0] {
	case recWrite:
		client, seq, op, key, value := d.str(), int64(d.uint()), checker.KVOp(d.uint()), d.str(), d.str()
		if d.err != nil {
			return d.err
		}
		s.write(client, seq, op, key, value)
	case recPrimary:
		n := d.uint()
		if d.err != nil {
			return d.err
		}
		s.primaryView = int(n)
	default:
		return fmt.Errorf("unknown record type %q", rec[0])
	}
	return nil
}

// duplicate reports whether a write of client with seq was applied already.
func (s *store) duplicate(client string, seq int64) bool {
	l, ok := s.last[client]
	return ok && seq <= l.seq
}

func (s *store) write(client string, seq int64, op checker.KVOp, key, value string) {
	if s.duplicate(client, seq) {
		return
	}
	switch op {
	case checker.KVPut:
		s.kv[key] = value
	case checker.KVAppend:
		s.kv[key] += value
	}
	s.last[client] = last{seq: seq}
}

// Snapshot encodes the whole state, keys in order.
func (s *store) Snapshot() []byte { return s.snapshot(s.primaryView) }

// transferSnapshot is the state sent to a backup: keys and at-most-once
// table, without the sender's primary view.
func (s *store) transferSnapshot() []byte { return s.snapshot(0) }

func (s *store) snapshot(pv int) []byte {
	b := putUint(nil, uint64(pv))
	b = putUint(b, uint64(len(s.kv)))
	for _, k := range slices.Sorted(maps.Keys(s.kv)) {
		b = putStr(putStr(b, k), s.kv[k])
	}
	b = putUint(b, uint64(len(s.last)))
	for _, c := range slices.Sorted(maps.Keys(s.last)) {
		b = putUint(putStr(b, c), uint64(s.last[c].seq))
	}
	return b
}

// Restore replaces the state with a snapshot's.
func (s *store) Restore(snap []byte) error {
	d := dec{b: snap}
	pv := int(d.uint())
	kv := map[string]string{}
	for n := d.uint(); n > 0 && d.err == nil; n-- {
		k := d.str()
		kv[k] = d.str()
	}
	lt := map[string]last{}
	for n := d.uint(); n > 0 && d.err == nil; n-- {
		c := d.str()
		lt[c] = last{seq: int64(d.uint())}
	}
	if d.err != nil {
		return fmt.Errorf("snapshot: %w", d.err)
	}
	s.kv, s.last, s.primaryView = kv, lt, pv
	return nil
}

// vsState is the view service's state machine: the current view and the
// latest view its primary acknowledged. Records are new views ('v') and
// acknowledgements ('a').
type vsState struct {
	cur, acked View
}

const (
	recView = 'v'
	recAck  = 'a'
)

func putView(b []byte, v View) []byte {
	b = putUint(b, uint64(v.Num))
	b = putUint(b, uint64(v.Primary+1))
	b = putUint(b, uint64(v.PrimaryInc))
	b = putUint(b, uint64(v.Backup+1))
	return putUint(b, uint64(v.BackupInc))
}

func (d *dec) view() View {
	return View{Num: int(d.uint()), Primary: nodeID(d.uint()), PrimaryInc: uint32(d.uint()),
		Backup: nodeID(d.uint()), BackupInc: uint32(d.uint())}
}

func nodeID(x uint64) sim.NodeID { return sim.NodeID(int64(x) - 1) }

func (s *vsState) Apply(rec []byte) error {
	if len(rec) == 0 {
		return errShort
	}
	d := dec{b: rec[1:]}
	switch rec[0] {
	case recView:
		v := d.view()
		if d.err != nil {
			return d.err
		}
		s.cur = v
	case recAck:
		n := int(d.uint())
		if d.err != nil {
			return d.err
		}
		if n == s.cur.Num {
			s.acked = s.cur
		}
	default:
		return fmt.Errorf("unknown record type %q", rec[0])
	}
	return nil
}

func (s *vsState) Snapshot() []byte { return putView(putView(nil, s.cur), s.acked) }

func (s *vsState) Restore(snap []byte) error {
	d := dec{b: snap}
	cur, acked := d.view(), d.view()
	if d.err != nil {
		return fmt.Errorf("snapshot: %w", d.err)
	}
	s.cur, s.acked = cur, acked
	return nil
}
