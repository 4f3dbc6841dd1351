package sim

import "math/bits"

// Limits of the event queue's packed ordering key.
const (
	slotBits = 24            // bits of an entry's key holding its slab slot
	maxSlots = 1 << slotBits // events that may be pending at once (16,777,216)
	seqLimit = 1 << (64 - slotBits)
)

// entry is one scheduled event in the queue: its time, and a key packing its
// tie-breaking sequence number (high 40 bits) with the index of its payload
// in the World's slab (low 24 bits). Entries are 16 bytes and hold no
// pointers, so four siblings share a cache line and the garbage collector
// never scans the queue. Because sequence numbers are unique, comparing
// (at, key) orders by (time, sequence number).
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

// queue is a 4-ary min-heap of entries ordered by (at, key). It moves a hole
// instead of swapping, which halves the writes of a heap with swaps, and a
// 4-ary heap is half as deep as a binary one.
type queue struct {
	h []entry
}

func (q *queue) len() int { return len(q.h) }

func (q *queue) push(e entry) {
	q.h = append(q.h, e)
	h := q.h
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) >> 2
		if !e.before(h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = e
}

// peek returns the earliest entry; the queue must not be empty.
func (q *queue) peek() entry { return q.h[0] }

// pop removes and returns the earliest entry; the queue must not be empty.
func (q *queue) pop() entry {
	h := q.h
	top := h[0]
	n := len(h) - 1
	last := h[n]
	h = h[:n]
	q.h = h
	i := 0
	for {
		c := 4*i + 1
		if c+3 < n {
			// All four children exist: pick the least in a two-round
			// tournament, whose two first comparisons are independent.
			s := h[c : c+4 : c+4]
			a, b := 0, 2
			if s[1].before(s[0]) {
				a = 1
			}
			if s[3].before(s[2]) {
				b = 3
			}
			m := a
			if s[b].before(s[a]) {
				m = b
			}
			if !s[m].before(last) {
				break
			}
			h[i] = s[m]
			i = c + m
			continue
		}
		if c >= n {
			break
		}
		m := c
		for j := c + 1; j < n; j++ {
			if h[j].before(h[m]) {
				m = j
			}
		}
		if !h[m].before(last) {
			break
		}
		h[i] = h[m]
		i = m
	}
	if n > 0 {
		h[i] = last
	}
	return top
}
