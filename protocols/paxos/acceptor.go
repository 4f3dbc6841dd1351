package paxos

import (
	"encoding/binary"
	"fmt"

	"github.com/dsimlab/dsim/sim"
)

// Storage keys of an acceptor's durable state.
const (
	keyPromised = "promised"
	prefixSlot  = "acc/" // + the slot as 8 big-endian bytes, so keys sort by slot
)

// slotKey returns the storage key of a slot's accepted proposal.
func slotKey(slot int64) string {
	var b [len(prefixSlot) + 8]byte
	copy(b[:], prefixSlot)
	binary.BigEndian.PutUint64(b[len(prefixSlot):], uint64(slot))
	return string(b[:])
}

// keyCache interns slot keys, so the replicas of a cluster, which all write
// the same slots, build each key once. The zero keyCache is ready to use.
type keyCache struct {
	keys []string
}

// maxCachedSlot bounds the cache: keys of higher slots are built each time.
const maxCachedSlot = 1 << 20

// get returns slotKey(slot).
func (c *keyCache) get(slot int64) string {
	if c == nil || slot < 0 || slot >= maxCachedSlot {
		return slotKey(slot)
	}
	for int64(len(c.keys)) <= slot {
		c.keys = append(c.keys, "")
	}
	if c.keys[slot] == "" {
		c.keys[slot] = slotKey(slot)
	}
	return c.keys[slot]
}

// proposal is a ballot and the command proposed with it.
type proposal struct {
	ballot Ballot
	cmd    *Cmd // nil: nothing accepted
}

// acceptor is the acceptor role shared by single-decree and Multi-Paxos: the
// highest ballot promised (one promise covers every slot, as Multi-Paxos
// needs) and the proposal accepted at each slot. It writes every change to
// its node's storage and syncs before the caller replies, unless the
// variant says otherwise.
type acceptor struct {
	store    *sim.Storage
	variant  Variant
	promised Ballot
	slots    []proposal // by slot; index 0 unused
	onAccept func(slot int64, b Ballot, cmd *Cmd)
	keys     *keyCache // shared by the cluster's acceptors; may be nil
	buf      []byte
}

// load reads the acceptor's state from store.
func (a *acceptor) load(store *sim.Storage, variant Variant, keys *keyCache, onAccept func(int64, Ballot, *Cmd)) error {
	*a = acceptor{store: store, variant: variant, onAccept: onAccept, keys: keys, slots: make([]proposal, 1, 64)}
	if v, ok := store.Get(keyPromised); ok {
		b, _, err := decodeBallot(v)
		if err != nil {
			return fmt.Errorf("load promise: %w", err)
		}
		a.promised = b
	}
	for _, k := range store.Keys(prefixSlot) {
		if len(k) != len(prefixSlot)+8 {
			return fmt.Errorf("load %q: %w: key", k, errCorrupt)
		}
		slot := int64(binary.BigEndian.Uint64([]byte(k[len(prefixSlot):])))
		v, _ := store.Get(k)
		b, rest, err := decodeBallot(v)
		if err != nil {
			return fmt.Errorf("load slot %d: %w", slot, err)
		}
		cmd, _, err := decodeCmd(rest)
		if err != nil {
			return fmt.Errorf("load slot %d: %w", slot, err)
		}
		a.grow(slot)
		a.slots[slot] = proposal{b, cmd}
	}
	return nil
}

func (a *acceptor) grow(slot int64) {
	for int64(len(a.slots)) <= slot {
		a.slots = append(a.slots, proposal{})
	}
}

// get returns the proposal accepted at slot, if any.
func (a *acceptor) get(slot int64) proposal {
	if slot < int64(len(a.slots)) {
		return a.slots[slot]
	}
	return proposal{}
}

// maxSlot returns the highest slot with an accepted proposal, or 0.
func (a *acceptor) maxSlot() int64 { return int64(len(a.slots)) - 1 }

// sync makes the writes so far durable, unless the variant forgets to.
func (a *acceptor) sync() {
	if a.variant != NoSync {
		a.store.Sync()
	}
}

// promise handles phase 1: it promises b, on disk, unless it promised a
// higher ballot already, and reports whether it did.
func (a *acceptor) promise(b Ballot) bool {
	if b.Less(a.promised) {
		return false
	}
	if a.promised != b {
		a.promised = b
		a.putPromise()
		a.sync()
	}
	return true
}

func (a *acceptor) putPromise() {
	a.buf = appendBallot(a.buf[:0], a.promised)
	a.store.Put(keyPromised, a.buf)
}

// accept handles phase 2: it accepts cmd at slot with ballot b, on disk,
// unless it promised a higher ballot, and reports whether it did. Accepting
// b also promises it.
func (a *acceptor) accept(slot int64, b Ballot, cmd *Cmd) bool {
	if b.Less(a.promised) && a.variant != AcceptLower {
		return false
	}
	dirty := false
	if a.promised.Less(b) {
		a.promised = b
		a.putPromise()
		dirty = true
	}
	a.grow(slot)
	if p := a.slots[slot]; p.ballot != b || p.cmd == nil || p.cmd.ID != cmd.ID {
		a.slots[slot] = proposal{b, cmd}
		a.buf = appendCmd(appendBallot(a.buf[:0], b), cmd)
		a.store.Put(a.keys.get(slot), a.buf)
		dirty = true
		a.onAccept(slot, b, cmd)
	}
	if dirty {
		a.sync()
	}
	return true
}
