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
//
// Unsynced writes are kept as a short list, one entry per key, rather than a
// map: nodes write a few keys and sync, and a map cost a hash per write and
// a randomised iteration per Sync (an eighth of a Paxos run). A long list
// gets an index.
type Storage struct {
	durable map[string][]byte
	pending []pendingWrite // unsynced writes, one per key, in first-write order
	index   map[string]int // pending's positions by key, once it is long
	syncs   int
}

type pendingWrite struct {
	key     string
	value   []byte
	deleted bool
}

// indexAfter is how long pending grows before it gets an index.
const indexAfter = 32

// find returns the position of key's unsynced write, or -1.
func (s *Storage) find(key string) int {
	if s.index != nil {
		if i, ok := s.index[key]; ok {
			return i
		}
		return -1
	}
	for i := range s.pending {
		if s.pending[i].key == key {
			return i
		}
	}
	return -1
}

func (s *Storage) write(w pendingWrite) {
	if i := s.find(w.key); i >= 0 {
		s.pending[i] = w
		return
	}
	s.pending = append(s.pending, w)
	switch {
	case s.index != nil:
		s.index[w.key] = len(s.pending) - 1
	case len(s.pending) > indexAfter:
		s.index = make(map[string]int, 2*indexAfter)
		for i, p := range s.pending {
			s.index[p.key] = i
		}
	}
}

// Get returns the current value of key, including unsynced writes. The
// returned slice must not be modified.
func (s *Storage) Get(key string) ([]byte, bool) {
	if i := s.find(key); i >= 0 {
		w := s.pending[i]
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
	s.write(pendingWrite{key: key, value: slices.Clone(value)})
}

// Delete removes key. The deletion is lost in a crash until Sync.
func (s *Storage) Delete(key string) {
	s.write(pendingWrite{key: key, deleted: true})
}

// Sync makes every write so far durable.
func (s *Storage) Sync() {
	if s.durable == nil && len(s.pending) > 0 {
		s.durable = map[string][]byte{}
	}
	for _, w := range s.pending {
		if w.deleted {
			delete(s.durable, w.key)
		} else {
			s.durable[w.key] = w.value
		}
	}
	s.crash()
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
	for _, w := range s.pending {
		if strings.HasPrefix(w.key, prefix) {
			set[w.key] = !w.deleted
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
func (s *Storage) crash() {
	clear(s.pending) // let the values go
	s.pending, s.index = s.pending[:0], nil
}
