package sim

import (
	"math/bits"
	"slices"
)

// Limits of the event queue's packed ordering key.
const (
	slotBits = 24            // bits of an entry's key holding its slab slot
	maxSlots = 1 << slotBits // events that may be pending at once (16,777,216)
	seqLimit = 1 << (64 - slotBits)
)

// entry is one scheduled event in the queue: its time, and a key packing its
// tie-breaking sequence number (high 40 bits) with the index of its payload
// in the World's slab (low 24 bits). Entries are 16 bytes and hold no
// pointers, so the garbage collector never scans the queue. Because
// sequence numbers are unique and increase, comparing (at, key) orders by
// (time, sequence number).
type entry struct {
	at  Time
	key uint64
}

func (e entry) slot() int32 { return int32(e.key & (maxSlots - 1)) }

// before reports whether a sorts before b, without branches: a 128-bit
// subtraction whose borrow is the answer. Times are never negative, so the
// unsigned comparison of at is the signed one.
func (a entry) before(b entry) bool {
	_, borrow := bits.Sub64(a.key, b.key, 0)
	_, borrow = bits.Sub64(uint64(a.at), uint64(b.at), borrow)
	return borrow != 0
}

// queue is a radix heap of entries ordered by (at, key). A radix heap is a
// monotone priority queue: it needs every pushed time to be no earlier than
// the last popped one, which a simulation guarantees (nothing is scheduled in
// the past). Bucket i holds the entries whose time differs from last, the
// time of the latest minimum, first in bit i-1 (bucket 0: equal to last).
// Pushing is a bit-length and an append; popping empties bucket 0 in order
// and, when it is empty, moves the lowest non-empty bucket down around its
// minimum. Each entry moves at most 64 times and, with times spread over a
// few orders of magnitude, only two or three: far fewer memory moves than
// sifting a binary or 4-ary heap.
//
// Bucket 0 is kept in key (sequence) order: entries reaching it by a push
// have the largest sequence number yet, and entries moved into it together
// are sorted, so events at the same time pop in the order they were
// scheduled.
type queue struct {
	buckets [65][]entry
	head    int    // entries of bucket 0 already popped
	nonzero uint64 // bit i set when bucket i+1 is non-empty
	last    Time
	n       int
}

func (q *queue) len() int { return q.n }

func bucketOf(at, last Time) int { return bits.Len64(uint64(at ^ last)) }

// push adds e; e.at must not be earlier than the last popped time. It may be
// earlier than the time a peek moved the queue to (a run that stopped before
// its next event, then an event scheduled at the current time): the queue is
// then rebuilt around e.at, which is rare and costs time in proportion to the
// entries.
func (q *queue) push(e entry) {
	if e.at < q.last {
		q.rebase(e.at)
	}
	q.add(e)
}

// add adds e, which must not be earlier than last: push without the check,
// small enough to be inlined where the check is made.
func (q *queue) add(e entry) {
	i := bucketOf(e.at, q.last)
	q.buckets[i] = append(q.buckets[i], e)
	if i > 0 {
		q.nonzero |= 1 << (i - 1)
	}
	q.n++
}

// rebase moves every entry to the bucket it belongs in relative to at, an
// earlier time than last, and makes at the new last.
func (q *queue) rebase(at Time) {
	all := slices.Clone(q.buckets[0][q.head:])
	for i := 1; i < len(q.buckets); i++ {
		all = append(all, q.buckets[i]...)
		q.buckets[i] = q.buckets[i][:0]
	}
	q.buckets[0], q.head, q.nonzero, q.n, q.last = q.buckets[0][:0], 0, 0, 0, at
	for _, e := range all {
		q.add(e)
	}
	slices.SortFunc(q.buckets[0], func(x, y entry) int {
		if x.key < y.key {
			return -1
		}
		return 1
	})
}

// fill makes bucket 0 non-empty by moving down the lowest non-empty bucket;
// the queue must not be empty.
func (q *queue) fill() {
	if q.head < len(q.buckets[0]) {
		return
	}
	q.head = 0
	b0 := q.buckets[0][:0]
	i := bits.TrailingZeros64(q.nonzero) + 1
	b := q.buckets[i]
	q.buckets[i] = b[:0] // its entries all move to lower buckets
	q.nonzero &^= 1 << (i - 1)
	if len(b) == 1 { // the common case of a sparse queue
		q.last = b[0].at
		q.buckets[0] = append(b0, b[0])
		return
	}
	min := b[0].at
	for _, e := range b[1:] {
		if e.at < min {
			min = e.at
		}
	}
	q.last = min
	q.buckets[0] = b0
	for _, e := range b {
		j := bucketOf(e.at, min)
		q.buckets[j] = append(q.buckets[j], e)
		if j > 0 {
			q.nonzero |= 1 << (j - 1)
		}
	}
	if b0 := q.buckets[0]; len(b0) > 1 {
		slices.SortFunc(b0, func(x, y entry) int {
			if x.key < y.key {
				return -1
			}
			return 1
		})
	}
}

// each calls fn with every entry, in no particular order.
func (q *queue) each(fn func(entry)) {
	for _, e := range q.buckets[0][q.head:] {
		fn(e)
	}
	for _, b := range q.buckets[1:] {
		for _, e := range b {
			fn(e)
		}
	}
}

// peek returns the earliest entry; the queue must not be empty.
func (q *queue) peek() entry {
	q.fill()
	return q.buckets[0][q.head]
}

// pop removes and returns the earliest entry; the queue must not be empty.
func (q *queue) pop() entry {
	if q.n == 1 && q.head == len(q.buckets[0]) {
		// A lone entry (a single message bouncing, a lone timer) is
		// returned from its bucket without the move to bucket 0.
		i := bits.TrailingZeros64(q.nonzero) + 1
		e := q.buckets[i][0]
		q.buckets[i] = q.buckets[i][:0]
		q.nonzero, q.last, q.n = 0, e.at, 0
		return e
	}
	q.fill()
	e := q.buckets[0][q.head]
	q.head++
	q.n--
	return e
}
