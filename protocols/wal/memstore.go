package wal

import (
	"maps"
	"slices"
	"strings"
)

// MemStore is an in-memory Store with the kernel's semantics, for tests and
// tools that use a Log outside a simulation: Put and Delete are visible at
// once and durable at the next Sync, and Crash discards every write since.
// The zero MemStore is not usable; call NewMemStore.
type MemStore struct {
	durable map[string][]byte
	pending map[string][]byte // nil value: deleted
	syncs   int
}

var _ Store = (*MemStore)(nil)

// NewMemStore returns an empty MemStore.
func NewMemStore() *MemStore {
	return &MemStore{durable: map[string][]byte{}, pending: map[string][]byte{}}
}

// Get returns the current value of key, unsynced writes included.
func (m *MemStore) Get(key string) ([]byte, bool) {
	if v, ok := m.pending[key]; ok {
		return v, v != nil
	}
	v, ok := m.durable[key]
	return v, ok
}

// Put sets key to a copy of value, durable at the next Sync.
func (m *MemStore) Put(key string, value []byte) { m.pending[key] = append([]byte{}, value...) }

// Delete removes key, durably at the next Sync.
func (m *MemStore) Delete(key string) { m.pending[key] = nil }

// Sync makes every write so far durable.
func (m *MemStore) Sync() {
	for k, v := range m.pending { // order cannot matter: each key is set independently
		if v == nil {
			delete(m.durable, k)
		} else {
			m.durable[k] = v
		}
	}
	clear(m.pending)
	m.syncs++
}

// Syncs returns how many times Sync was called.
func (m *MemStore) Syncs() int { return m.syncs }

// Crash discards every write since the last Sync, as a crash of the machine
// would.
func (m *MemStore) Crash() { clear(m.pending) }

// Keys returns the current keys with the given prefix, sorted.
func (m *MemStore) Keys(prefix string) []string {
	set := map[string]bool{}
	for k := range m.durable {
		if strings.HasPrefix(k, prefix) {
			set[k] = true
		}
	}
	for k, v := range m.pending {
		if strings.HasPrefix(k, prefix) {
			set[k] = v != nil
		}
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(set)) {
		if set[k] {
			out = append(out, k)
		}
	}
	return out
}

// Clone returns a MemStore holding a copy of m's durable contents only:
// what a machine rebooting after a crash now would find.
func (m *MemStore) Clone() *MemStore {
	c := NewMemStore()
	maps.Copy(c.durable, m.durable)
	return c
}
