package wal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"

	"github.com/dsimlab/dsim/sim"
)

// Store is the durable key-value storage a Log writes to: the kernel's
// *sim.Storage, or any store with its semantics. Put and Delete are visible
// at once and durable after the next Sync; a crash discards every write
// since the last Sync; Keys lists the current keys with a prefix, sorted.
type Store interface {
	Get(key string) ([]byte, bool)
	Put(key string, value []byte)
	Delete(key string)
	Sync()
	Keys(prefix string) []string
}

var _ Store = (*sim.Storage)(nil)

// StateMachine is the state a Log protects: it applies records in log
// order, and can be saved as a snapshot and restored from one. All three
// must be deterministic; Snapshot must reflect exactly the records applied
// so far.
type StateMachine interface {
	// Apply applies one record. An error rejects the record: Append does
	// not log it, and Open reports it as corruption.
	Apply(record []byte) error
	// Snapshot returns the whole state as bytes. The Log keeps the slice
	// while it writes a checkpoint, so it must not be modified afterwards.
	Snapshot() []byte
	// Restore replaces the whole state with a snapshot's.
	Restore(snapshot []byte) error
}

// ErrCorrupt is wrapped by the errors of Open and Load when the stored log
// cannot be what a Log wrote: a checkpoint whose chunks do not match its
// manifest, a gap in the records, or a record or snapshot the state machine
// rejects.
var ErrCorrupt = errors.New("wal: corrupt log")

// ErrBusy is returned by BeginCheckpoint while another checkpoint is being
// written.
var ErrBusy = errors.New("wal: a checkpoint is already in progress")

// DefaultChunkSize is the chunk size of checkpoints when Options.ChunkSize
// is zero, in bytes.
const DefaultChunkSize = 4096

// Options configures a Log.
type Options struct {
	// Prefix is prepended to every key the Log uses, so several logs (or
	// other data) can share one Store. Default "wal/".
	Prefix string
	// Every is the checkpoint period, in records: Due reports true once
	// Every records have been appended since the latest checkpoint began.
	// Zero: never due.
	Every int
	// ChunkSize is how many bytes of a snapshot one checkpoint chunk holds
	// (default DefaultChunkSize). An incremental checkpoint writes one chunk
	// per Step.
	ChunkSize int
}

func (o Options) withDefaults() Options {
	if o.Prefix == "" {
		o.Prefix = "wal/"
	}
	if o.ChunkSize <= 0 {
		o.ChunkSize = DefaultChunkSize
	}
	return o
}

// Recovery describes what Open or Load found on the store.
type Recovery struct {
	// Checkpoint is the index of the checkpoint restored, 0 if none.
	Checkpoint uint64
	// Replayed is how many log records after it were applied.
	Replayed int
	// LastIndex is the index of the last record recovered (Checkpoint if
	// none was replayed).
	LastIndex uint64
	// Removed counts leftover keys Open deleted: records covered by the
	// checkpoint, older checkpoints, and incomplete checkpoints a crash
	// interrupted. Load removes nothing and leaves it 0.
	Removed int
}

// Log is a write-ahead log with checkpoints over a Store, protecting a
// StateMachine. It is a plain value used by one node from its event
// handlers; it keeps no goroutines and never reads the clock. See the
// package documentation for the layout on the store and the recovery rule.
type Log struct {
	store Store
	sm    StateMachine
	opts  Options

	first   uint64 // index of the oldest record kept (ckpt+1)
	last    uint64 // index of the newest record
	durable uint64 // last index as of the latest Sync
	ckpt    uint64 // index of the latest complete checkpoint
	chunks  int    // its chunk count, to delete it when the next completes
	begun   uint64 // index of the latest checkpoint begun, for Due
	cp      *pendingCheckpoint

	// truncateEarly is a deliberate bug for tests: records are deleted
	// when a checkpoint begins instead of once it is complete.
	truncateEarly bool
}

// pendingCheckpoint is a checkpoint being written.
type pendingCheckpoint struct {
	index  uint64
	data   []byte
	chunks int
	next   int // next chunk to write
}

// manifestSize is the length of an encoded manifest: index, chunk count,
// snapshot length, CRC-32 of the snapshot.
const manifestSize = 8 + 4 + 8 + 4

// Open recovers sm from store (the latest complete checkpoint, then every
// record after it, in order), deletes what the recovery makes useless
// (records the checkpoint covers, older and incomplete checkpoints), syncs
// if it deleted anything, and returns a Log ready to append after the last
// recovered record. sm must be in its initial state: Open restores it only
// if a checkpoint exists.
func Open(store Store, sm StateMachine, opts Options) (*Log, Recovery, error) {
	l := &Log{store: store, sm: sm, opts: opts.withDefaults()}
	rec, garbage, err := l.recover()
	if err != nil {
		return nil, rec, err
	}
	for _, k := range garbage {
		store.Delete(k)
	}
	rec.Removed = len(garbage)
	if len(garbage) > 0 {
		store.Sync()
	}
	l.durable = l.last
	return l, rec, nil
}

// Load recovers sm from store like Open but writes nothing, so it can read
// the log of a node that is crashed or still running (a checker reading
// what survived a run, for example).
func Load(store Store, sm StateMachine, opts Options) (Recovery, error) {
	l := &Log{store: store, sm: sm, opts: opts.withDefaults()}
	rec, _, err := l.recover()
	return rec, err
}

func (l *Log) recKey(i uint64) string {
	b := make([]byte, 0, len(l.opts.Prefix)+2+16)
	b = append(append(b, l.opts.Prefix...), "r/"...)
	return string(appendHex(b, i, 16))
}
func (l *Log) ckptDir(i uint64) string {
	return l.opts.Prefix + "c/" + hex(i, 16) + "/"
}
func (l *Log) chunkKey(i uint64, c int) string { return l.ckptDir(i) + hex(uint64(c), 8) }
func (l *Log) manifestKey(i uint64) string     { return l.ckptDir(i) + "m" }

// hex formats x as width lower-case hex digits (width at most 16), so
// keys sort in numeric order.
func hex(x uint64, width int) string { return string(appendHex(nil, x, width)) }

func appendHex(b []byte, x uint64, width int) []byte {
	const digits = "0123456789abcdef"
	n := len(b)
	b = append(b, "0000000000000000"[:width]...)
	for i := n + width - 1; i >= n && x > 0; i-- {
		b[i] = digits[x&15]
		x >>= 4
	}
	return b
}

// recover restores the state machine and sets the Log's indexes; it
// returns the keys made useless by the recovered state.
func (l *Log) recover() (Recovery, []string, error) {
	var garbage []string
	// Checkpoints: the manifest is written last, so a directory with a
	// manifest is complete.
	cpPrefix := l.opts.Prefix + "c/"
	dirs := map[uint64][]string{}
	var complete []uint64
	var order []uint64
	for _, k := range l.store.Keys(cpPrefix) {
		rest := k[len(cpPrefix):]
		slash := strings.IndexByte(rest, '/')
		idx, err := strconv.ParseUint(rest[:max(slash, 0)], 16, 64)
		if slash < 0 || err != nil {
			return Recovery{}, nil, fmt.Errorf("%w: unexpected key %q", ErrCorrupt, k)
		}
		if _, seen := dirs[idx]; !seen {
			order = append(order, idx)
		}
		dirs[idx] = append(dirs[idx], k)
		if rest[slash+1:] == "m" {
			complete = append(complete, idx) // keys are sorted: ascending
		}
	}
	if len(complete) > 0 {
		idx := complete[len(complete)-1]
		data, chunks, err := l.readCheckpoint(idx)
		if err != nil {
			return Recovery{}, nil, err
		}
		if err := l.sm.Restore(data); err != nil {
			return Recovery{}, nil, fmt.Errorf("%w: checkpoint %d: restore: %w", ErrCorrupt, idx, err)
		}
		l.ckpt, l.chunks = idx, chunks
	}
	for _, idx := range order { // sorted ascending, so deterministic
		if idx != l.ckpt {
			garbage = append(garbage, dirs[idx]...)
		}
	}
	l.first, l.last, l.begun = l.ckpt+1, l.ckpt, l.ckpt
	rec := Recovery{Checkpoint: l.ckpt}
	for {
		r, ok := l.store.Get(l.recKey(l.last + 1))
		if !ok {
			break
		}
		if err := l.sm.Apply(r); err != nil {
			return Recovery{}, nil, fmt.Errorf("%w: record %d: %w", ErrCorrupt, l.last+1, err)
		}
		l.last++
		rec.Replayed++
	}
	rec.LastIndex = l.last
	recPrefix := l.opts.Prefix + "r/"
	for _, k := range l.store.Keys(recPrefix) {
		idx, err := strconv.ParseUint(k[len(recPrefix):], 16, 64)
		if err != nil {
			return Recovery{}, nil, fmt.Errorf("%w: unexpected key %q", ErrCorrupt, k)
		}
		if idx > l.last {
			return Recovery{}, nil, fmt.Errorf("%w: record %d follows a gap after record %d", ErrCorrupt, idx, l.last)
		}
		if idx <= l.ckpt {
			garbage = append(garbage, k)
		}
	}
	return rec, garbage, nil
}

// readCheckpoint reads and verifies the checkpoint at idx.
func (l *Log) readCheckpoint(idx uint64) ([]byte, int, error) {
	m, _ := l.store.Get(l.manifestKey(idx))
	if len(m) != manifestSize || binary.BigEndian.Uint64(m) != idx {
		return nil, 0, fmt.Errorf("%w: checkpoint %d: bad manifest", ErrCorrupt, idx)
	}
	chunks := int(binary.BigEndian.Uint32(m[8:]))
	size := binary.BigEndian.Uint64(m[12:])
	sum := binary.BigEndian.Uint32(m[20:])
	data := make([]byte, 0, size)
	for c := range chunks {
		b, ok := l.store.Get(l.chunkKey(idx, c))
		if !ok {
			return nil, 0, fmt.Errorf("%w: checkpoint %d: chunk %d of %d is missing", ErrCorrupt, idx, c, chunks)
		}
		data = append(data, b...)
	}
	if uint64(len(data)) != size || crc32.ChecksumIEEE(data) != sum {
		return nil, 0, fmt.Errorf("%w: checkpoint %d: %d bytes do not match the manifest", ErrCorrupt, idx, len(data))
	}
	return data, chunks, nil
}

// Append applies record to the state machine and appends it to the log,
// returning its index (from 1). It is durable after the next Sync (or any
// Sync of the store). If the state machine rejects the record, nothing is
// logged and the error is returned.
func (l *Log) Append(record []byte) (uint64, error) {
	if err := l.sm.Apply(record); err != nil {
		return 0, fmt.Errorf("wal: append %d: %w", l.last+1, err)
	}
	l.last++
	l.store.Put(l.recKey(l.last), record)
	return l.last, nil
}

// Sync makes every record appended so far durable.
func (l *Log) Sync() {
	l.store.Sync()
	l.durable = l.last
}

// LastIndex returns the index of the newest record (or of the latest
// checkpoint, if it covers every record).
func (l *Log) LastIndex() uint64 { return l.last }

// Durable returns the index up to which records are known durable: the
// last index at the latest Sync by this Log.
func (l *Log) Durable() uint64 { return l.durable }

// CheckpointIndex returns the index of the latest complete checkpoint (0:
// none). Records up to it have been truncated.
func (l *Log) CheckpointIndex() uint64 { return l.ckpt }

// Len returns how many records the log holds after the latest complete
// checkpoint.
func (l *Log) Len() int { return int(l.last - l.ckpt) }

// Due reports whether Options.Every records have been appended since the
// latest checkpoint began, and none is in progress.
func (l *Log) Due() bool {
	return l.opts.Every > 0 && l.cp == nil && l.last-l.begun >= uint64(l.opts.Every)
}

// InProgress reports whether an incremental checkpoint is being written.
func (l *Log) InProgress() bool { return l.cp != nil }

// BeginCheckpoint starts an incremental checkpoint of the state machine as
// of the last record: it takes the snapshot now, and each Step writes one
// chunk of it. Appends may go on meanwhile. It does nothing if the latest
// checkpoint already covers every record, and returns ErrBusy if a
// checkpoint is in progress.
func (l *Log) BeginCheckpoint() error {
	if l.cp != nil {
		return ErrBusy
	}
	if l.last == l.ckpt {
		return nil
	}
	l.begin(l.last, l.sm.Snapshot())
	return nil
}

func (l *Log) begin(index uint64, data []byte) {
	cs := l.opts.ChunkSize
	l.cp = &pendingCheckpoint{index: index, data: data, chunks: (len(data) + cs - 1) / cs}
	l.begun = index
	if l.truncateEarly {
		for i := l.first; i <= index; i++ {
			l.store.Delete(l.recKey(i))
		}
		l.first = index + 1
	}
}

// Step writes the next chunk of the checkpoint in progress and syncs it.
// After the last chunk it writes the manifest that makes the checkpoint
// complete, syncs, then truncates the log and deletes the previous
// checkpoint, and syncs again; it returns true then, and when no
// checkpoint is in progress.
func (l *Log) Step() bool {
	cp := l.cp
	if cp == nil {
		return true
	}
	if cp.next < cp.chunks {
		cs := l.opts.ChunkSize
		lo := cp.next * cs
		l.store.Put(l.chunkKey(cp.index, cp.next), cp.data[lo:min(lo+cs, len(cp.data))])
		cp.next++
		l.Sync()
		if cp.next < cp.chunks {
			return false
		}
	}
	m := make([]byte, manifestSize)
	binary.BigEndian.PutUint64(m, cp.index)
	binary.BigEndian.PutUint32(m[8:], uint32(cp.chunks))
	binary.BigEndian.PutUint64(m[12:], uint64(len(cp.data)))
	binary.BigEndian.PutUint32(m[20:], crc32.ChecksumIEEE(cp.data))
	l.store.Put(l.manifestKey(cp.index), m)
	l.Sync()
	// The new checkpoint is durable: what it covers can go.
	for i := l.first; i <= cp.index; i++ {
		l.store.Delete(l.recKey(i))
	}
	if l.ckpt > 0 {
		l.deleteCheckpoint(l.ckpt, l.chunks)
	}
	l.first, l.ckpt, l.chunks, l.cp = cp.index+1, cp.index, cp.chunks, nil
	l.Sync()
	return true
}

func (l *Log) deleteCheckpoint(idx uint64, chunks int) {
	for c := range chunks {
		l.store.Delete(l.chunkKey(idx, c))
	}
	l.store.Delete(l.manifestKey(idx))
}

// Checkpoint writes a complete checkpoint now: it finishes the one in
// progress, if any, then checkpoints the state as of the last record
// unless that is already covered. Every chunk, the manifest and the
// truncation are synced in turn, so a crash between any two Syncs loses
// nothing that was synced.
func (l *Log) Checkpoint() {
	for !l.Step() {
	}
	if l.last == l.ckpt {
		return
	}
	l.begin(l.last, l.sm.Snapshot())
	for !l.Step() {
	}
}

// Install replaces the state machine's whole state with snapshot (a state
// transfer from another node, say) and makes it durable as a new
// checkpoint, discarding every record and any checkpoint in progress. The
// install takes one index: the next record appended follows it.
func (l *Log) Install(snapshot []byte) error {
	if err := l.sm.Restore(snapshot); err != nil {
		return fmt.Errorf("wal: install: %w", err)
	}
	if cp := l.cp; cp != nil {
		l.deleteCheckpoint(cp.index, cp.next)
		l.cp = nil
	}
	l.last++
	l.begin(l.last, snapshot)
	for !l.Step() {
	}
	return nil
}
