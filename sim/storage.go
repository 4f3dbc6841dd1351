package sim

import (
	"maps"
	"slices"
	"strings"
)

// Storage is a node's durable key-value store, the simulated disk. Writes
// (Put, Delete) are visible to the node at once but become durable only when
// Sync is called: a crash discards every write made since the last Sync, the
// way an operating system loses its page cache. The kernel owns each node's
// Storage and keeps it across crashes and restarts. Its maps are made on
// the first write, so a node that never writes costs no map.
type Storage struct {
	durable map[string][]byte
	pending map[string]pendingWrite
	syncs   int
}

type pendingWrite struct {
	value   []byte
	deleted bool
}

func (s *Storage) write(key string, w pendingWrite) {
	if s.pending == nil {
		s.pending = map[string]pendingWrite{}
	}
	s.pending[key] = w
}

// Get returns the current value of key, including unsynced writes. The
// returned slice must not be modified.
func (s *Storage) Get(key string) ([]byte, bool) {
	if w, ok := s.pending[key]; ok {
		if w.deleted {
			return nil, false
		}
		return w.value, true
	}
	v, ok := s.durable[key]
	return v, ok
}

// Put sets key to a copy of value. It is lost in a crash until Sync.
func (s *Storage) Put(key string, value []byte) {
	s.write(key, pendingWrite{value: slices.Clone(value)})
}

// Delete removes key. The deletion is lost in a crash until Sync.
func (s *Storage) Delete(key string) {
	s.write(key, pendingWrite{deleted: true})
}

// Sync makes every write so far durable.
func (s *Storage) Sync() {
	if s.durable == nil && len(s.pending) > 0 {
		s.durable = map[string][]byte{}
	}
	for k, w := range s.pending { // order cannot matter: each key is set independently
		if w.deleted {
			delete(s.durable, k)
		} else {
			s.durable[k] = w.value
		}
	}
	clear(s.pending)
	s.syncs++
}

// Syncs returns how many times Sync has been called, across crashes.
func (s *Storage) Syncs() int { return s.syncs }

// Keys returns the current keys with the given prefix, sorted.
func (s *Storage) Keys(prefix string) []string {
	set := map[string]bool{}
	for k := range s.durable {
		if strings.HasPrefix(k, prefix) {
			set[k] = true
		}
	}
	for k, w := range s.pending {
		if strings.HasPrefix(k, prefix) {
			set[k] = !w.deleted
		}
	}
	var keys []string
	for _, k := range slices.Sorted(maps.Keys(set)) {
		if set[k] {
			keys = append(keys, k)
		}
	}
	return keys
}

// crash discards unsynced writes.
func (s *Storage) crash() { clear(s.pending) }
