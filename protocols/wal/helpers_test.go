package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strings"
)

// kvSM is the state machine of the tests: records "key=value" set keys,
// and a hash chain over every record applied proves the order too.
type kvSM struct {
	n     uint64            // records applied
	chain uint64            // FNV-1a chain over the records, in order
	kv    map[string]string // current values
}

func newKV() *kvSM { return &kvSM{kv: map[string]string{}} }

func (s *kvSM) Apply(r []byte) error {
	k, v, ok := strings.Cut(string(r), "=")
	if !ok {
		return errors.New("record without '='")
	}
	s.kv[k] = v
	s.n++
	h := fnv.New64a()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], s.chain)
	h.Write(b[:])
	h.Write(r)
	s.chain = h.Sum64()
	return nil
}

func (s *kvSM) Snapshot() []byte {
	out := binary.BigEndian.AppendUint64(nil, s.n)
	out = binary.BigEndian.AppendUint64(out, s.chain)
	for _, k := range slices.Sorted(maps.Keys(s.kv)) {
		out = append(out, k+"="+s.kv[k]+"\n"...)
	}
	return out
}

func (s *kvSM) Restore(b []byte) error {
	if len(b) < 16 {
		return errors.New("short snapshot")
	}
	s.n, s.chain = binary.BigEndian.Uint64(b), binary.BigEndian.Uint64(b[8:])
	s.kv = map[string]string{}
	for line := range strings.SplitSeq(string(b[16:]), "\n") {
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return errors.New("bad snapshot line")
		}
		s.kv[k] = v
	}
	return nil
}

func (s *kvSM) String() string { return fmt.Sprintf("n=%d chain=%x kv=%v", s.n, s.chain, s.kv) }

func (s *kvSM) equal(o *kvSM) bool {
	return s.n == o.n && s.chain == o.chain && maps.Equal(s.kv, o.kv)
}

// record returns the test's record number i: a function of i alone, so the
// state after any prefix can be recomputed.
func record(i uint64) []byte {
	return fmt.Appendf(nil, "k%d=%d", i%5, i*7919%1000)
}

// prefixState returns the state after records 1..n.
func prefixState(n uint64) *kvSM {
	s := newKV()
	for i := uint64(1); i <= n; i++ {
		_ = s.Apply(record(i))
	}
	return s
}

// memStore is a MemStore that can crash: after limit Syncs have taken
// effect, later Syncs persist nothing, as if the machine had died there. A
// negative limit never crashes.
type memStore struct {
	*MemStore
	limit  int
	onSync func() // called after each Sync that takes effect
}

// newMemStore returns a memStore holding durable (a copy of another
// store's durable contents, or nil).
func newMemStore(durable *MemStore, limit int) *memStore {
	m := NewMemStore()
	if durable != nil {
		m = durable.Clone()
	}
	return &memStore{MemStore: m, limit: limit}
}

func (m *memStore) Sync() {
	if m.limit >= 0 && m.Syncs() >= m.limit {
		return
	}
	m.MemStore.Sync()
	if m.onSync != nil {
		m.onSync()
	}
}

var _ Store = (*memStore)(nil)
