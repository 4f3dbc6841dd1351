// Package wal is a write-ahead log with checkpoints on a node's durable
// storage (the kernel's *sim.Storage, or any Store with its semantics:
// writes are durable only after Sync, and a crash loses the rest).
//
// A Log protects a StateMachine. Append applies a record and logs it; Sync
// makes the records so far durable (batch several appends per Sync for a
// group commit). Every so often the owner checkpoints the state, which lets
// the log be truncated:
//
//   - Checkpoint writes a whole checkpoint at once;
//   - BeginCheckpoint takes a snapshot and each Step writes one chunk of
//     it, so a node can spread a large checkpoint over many events while
//     it keeps appending (Options.Every and Due say when one is due);
//   - Install replaces the state with a snapshot received from elsewhere
//     (a state transfer) and makes it durable as a checkpoint.
//
// # Layout and recovery
//
// Under Options.Prefix (default "wal/"), record i is the key r/<i in hex>,
// and a checkpoint covering records 1..i is a directory c/<i>/ of chunks
// 0, 1, ... followed by a manifest c/<i>/m holding i, the chunk count, the
// snapshot's length and its CRC-32. The order of writes is what makes a
// crash harmless at any moment:
//
//  1. the chunks are written and synced (one per Step, or all at once);
//  2. the manifest is written and synced: the checkpoint is complete;
//  3. records up to i and the previous checkpoint are deleted, and synced.
//
// Recovery (Open) is: the latest checkpoint with a manifest whose chunks
// match it, then every record after it, in order, up to the first missing
// one. A crash before step 2 leaves an incomplete checkpoint, which
// recovery ignores and deletes, and the previous checkpoint with all its
// records intact; a crash during step 3 leaves records and an old
// checkpoint that recovery deletes. Nothing synced is ever lost, and what
// is recovered is always exactly a prefix of the records appended. The
// package's tests prove it by crashing a small run at every event index in
// turn, and a store at every Sync.
//
// # Example
//
//	type counter struct{ n int }
//	func (c *counter) Apply(r []byte) error         { c.n += int(r[0]); return nil }
//	func (c *counter) Snapshot() []byte             { return []byte{byte(c.n)} }
//	func (c *counter) Restore(s []byte) error       { c.n = int(s[0]); return nil }
//
//	// In a node's Start:
//	sm := &counter{}
//	log, rec, err := wal.Open(ctx.Storage(), sm, wal.Options{Every: 100})
//	if err != nil { ... }              // errors.Is(err, wal.ErrCorrupt)
//	// sm now holds what survived; rec says how it was rebuilt.
//
//	// When handling a request:
//	log.Append([]byte{1})
//	log.Sync()                         // durable: now reply
//	if log.Due() {
//		log.Checkpoint()
//	}
//
// A Log is used by one node from its event handlers: it starts no
// goroutines and reads no clock, so runs stay deterministic. Outside a
// simulation, MemStore is a Store in memory with the same semantics (and a
// Crash method).
//
// Load recovers a state machine without writing anything, to read the log
// of a node that is crashed or still running (a checker reading what
// survived a run, for example).
package wal
