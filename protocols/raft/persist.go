package raft

import (
	"encoding/binary"
	"fmt"

	"github.com/dsimlab/dsim/sim"
)

// A server's durable state, in its sim.Storage: the term and vote, the
// entries of its log after the snapshot (one key each, so appending writes
// only the new ones), and the snapshot. Every change is synced before the
// server acts on it: before it answers a vote or an AppendEntries, before
// it asks for votes, and before a leader counts its own copy of an entry.
const (
	keyHard   = "hard" // term, vote
	keySnap   = "snap" // index, term, state machine
	prefixLog = "log/" // + the index as 8 big-endian bytes, so keys sort by index
	noVote    = -1     // the vote of a server that has not voted in its term
	keyLen    = 4 + 8  // len(prefixLog) + 8
)

// logKey returns the storage key of the entry at index i.
func logKey(i int64) string {
	var b [keyLen]byte
	copy(b[:], prefixLog)
	binary.BigEndian.PutUint64(b[len(prefixLog):], uint64(i))
	return string(b[:])
}

// keyCache interns the storage keys of log entries, so the servers of a
// cluster, which all write the same indexes, build each key once. The zero
// keyCache is ready to use.
type keyCache struct {
	keys []string
}

// get returns logKey(i).
func (c *keyCache) get(i int64) string {
	if i < 0 || i >= maxInterned {
		return logKey(i)
	}
	for int64(len(c.keys)) <= i {
		c.keys = append(c.keys, "")
	}
	if c.keys[i] == "" {
		c.keys[i] = logKey(i)
	}
	return c.keys[i]
}

// disk writes a server's durable state to its storage and reads it back.
type disk struct {
	store   *sim.Storage
	variant Variant
	keys    *keyCache
	buf     []byte
}

// saveHard writes the term and vote and syncs. The VolatileVote variant
// writes the term alone: its vote is lost in a crash.
func (d *disk) saveHard(term int64, vote int) {
	if d.variant == VolatileVote {
		vote = noVote
	}
	d.buf = binary.AppendVarint(binary.AppendVarint(d.buf[:0], term), int64(vote))
	d.store.Put(keyHard, d.buf)
	d.store.Sync()
}

// saveEntries writes the entries from index from on, deletes those of the
// old log past the new end (old ends at index oldLast), and syncs.
func (d *disk) saveEntries(from int64, es []*Entry, oldLast int64) {
	for k, e := range es {
		d.buf = appendEntry(d.buf[:0], e)
		d.store.Put(d.keys.get(from+int64(k)), d.buf)
	}
	for i := from + int64(len(es)); i <= oldLast; i++ {
		d.store.Delete(d.keys.get(i))
	}
	d.store.Sync()
}

// saveSnapshot writes a snapshot of the state machine (state, as
// encodeMachine made it) covering the entries up to index, whose last
// entry has term; deletes the stored entries from index first to index
// last that it covers, and syncs.
func (d *disk) saveSnapshot(index, term int64, state []byte, first, last int64) {
	d.buf = binary.AppendVarint(binary.AppendVarint(d.buf[:0], index), term)
	d.buf = append(d.buf, state...)
	d.store.Put(keySnap, d.buf)
	for i := first; i <= last; i++ {
		d.store.Delete(d.keys.get(i))
	}
	d.store.Sync()
}

// durable is what a server reads back from its disk when it starts.
type durable struct {
	term  int64
	vote  int
	log   raftLog
	state []byte // the snapshot's state machine, or nil
}

// load reads the durable state back: the term and vote, the snapshot, and
// the entries after it, which must follow each other without a gap.
func (d *disk) load() (durable, error) {
	st := durable{vote: noVote}
	if v, ok := d.store.Get(keyHard); ok {
		dec := decoder{buf: v}
		st.term, st.vote = dec.varint("term"), int(dec.varint("vote"))
		if dec.err != nil {
			return st, fmt.Errorf("load term and vote: %w", dec.err)
		}
	}
	if v, ok := d.store.Get(keySnap); ok {
		dec := decoder{buf: v}
		st.log.snapIndex, st.log.snapTerm = dec.varint("snapshot index"), dec.varint("snapshot term")
		if dec.err != nil {
			return st, fmt.Errorf("load snapshot: %w", dec.err)
		}
		st.state = dec.buf
	}
	for _, k := range d.store.Keys(prefixLog) {
		if len(k) != keyLen || int64(binary.BigEndian.Uint64([]byte(k[len(prefixLog):]))) != st.log.last()+1 {
			return st, fmt.Errorf("load %q after index %d: %w: not the next entry", k, st.log.last(), errCorrupt)
		}
		v, _ := d.store.Get(k)
		e, _, err := decodeEntry(v)
		if err != nil {
			return st, fmt.Errorf("load entry %d: %w", st.log.last()+1, err)
		}
		st.log.append(e)
	}
	return st, nil
}
