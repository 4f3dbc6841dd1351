package chash

import (
	"fmt"
	"iter"
	"math"
	"slices"
)

// BoundedLoad is consistent hashing with bounded loads (Mirrokni, Thorup and
// Zadimoghaddam, SODA 2018; arXiv 2016): the ring of Ring, where every member
// has the capacity ceil(c × m × w / W) for the m keys placed, its weight w and
// the total weight W (with equal weights, ceil(c × m / n)), and a key goes to
// the first member clockwise from it that is below its capacity. No member
// holds more than about c times its fair share, while keys still mostly stay
// put when members come and go.
//
// The assignment is a function of the members and of the keys in the order
// they were first placed: each key, in that order, takes the first member
// clockwise with room under the capacities for all m keys. So it is the
// same whatever order members were added in and whatever happened before;
// a membership change moves only the keys whose place that function
// changes (about 1/(n+1) of them and a few more when one of n joins, against
// about a third for capacities that grew with the keys placed so far). A
// key placed when no capacity changes goes to its place without moving
// others; when placing it raises a capacity (about every n/c keys), or a key
// is released, every key is placed again, in O(m) time. AssignAll places
// many keys with one such pass.
type BoundedLoad struct {
	vnodes int
	c      float64
	set    memberSet
	ring   points
	weight float64          // the total member weight W
	keys   []uint64         // placed keys, in the order they were first placed
	owner  map[uint64]int32 // owner[key] is the index of the key's member
	loads  []int            // loads[i] is the number of keys on set.list[i]
	caps   []int            // caps[i] is set.list[i]'s capacity for len(keys) keys
}

var _ LoadAware = (*BoundedLoad)(nil)

// NewBoundedLoad returns an empty bounded-load hasher using opts.VNodes
// points per unit of weight and load factor opts.LoadFactor.
func NewBoundedLoad(opts Options) (*BoundedLoad, error) {
	v, err := opts.vnodes()
	if err != nil {
		return nil, err
	}
	c, err := opts.loadFactor()
	if err != nil {
		return nil, err
	}
	return &BoundedLoad{vnodes: v, c: c, owner: map[uint64]int32{}}, nil
}

// Name returns NameBoundedLoad.
func (b *BoundedLoad) Name() string { return NameBoundedLoad }

// LoadFactor returns c.
func (b *BoundedLoad) LoadFactor() float64 { return b.c }

// Lookup returns the owner of a placed key, or else the first member
// clockwise below its capacity for one more key, which is where Assign
// places it unless placing it raises a capacity and moves other keys.
func (b *BoundedLoad) Lookup(key uint64) string {
	if o, ok := b.owner[key]; ok {
		return b.set.list[o].name
	}
	if len(b.ring.at) == 0 {
		return ""
	}
	m := len(b.keys) + 1
	return b.set.list[b.target(key, func(i int32) int { return b.capacity(i, m) })].name
}

// Successors returns the distinct members in clockwise order from key: the
// order in which a bounded-load placement tries them. A balancer that
// bounds the load of requests in flight, rather than of keys, walks it.
func (b *BoundedLoad) Successors(key uint64) iter.Seq[string] {
	return func(yield func(string) bool) {
		if len(b.ring.at) == 0 {
			return
		}
		seen := make([]bool, len(b.set.list))
		left := len(seen)
		for p, k := b.ring.search(key), 0; k < len(b.ring.at) && left > 0; k++ {
			if o := b.ring.owner[p]; !seen[o] {
				seen[o], left = true, left-1
				if !yield(b.set.list[o].name) {
					return
				}
			}
			if p++; p == len(b.ring.at) {
				p = 0
			}
		}
	}
}

// Assign places key on the first member clockwise with room.
func (b *BoundedLoad) Assign(key uint64) (string, error) {
	if o, ok := b.owner[key]; ok {
		return b.set.list[o].name, nil
	}
	if len(b.ring.at) == 0 {
		return "", fmt.Errorf("chash: %s: assign key %#x: %w", NameBoundedLoad, key, ErrEmpty)
	}
	b.keys = append(b.keys, key)
	if b.capacitiesChanged() {
		b.placeAll()
	} else {
		b.place(key)
	}
	return b.set.list[b.owner[key]].name, nil
}

// AssignAll places the keys not placed yet, in the order given, with one
// pass over all keys. It fails with ErrEmpty when there are no members.
func (b *BoundedLoad) AssignAll(keys []uint64) error {
	if len(b.ring.at) == 0 {
		return fmt.Errorf("chash: %s: assign %d keys: %w", NameBoundedLoad, len(keys), ErrEmpty)
	}
	seen := map[uint64]bool{}
	for _, k := range keys {
		if _, ok := b.owner[k]; !ok && !seen[k] {
			seen[k] = true
			b.keys = append(b.keys, k)
		}
	}
	b.placeAll()
	return nil
}

// Release forgets a placed key; the others are placed again.
func (b *BoundedLoad) Release(key uint64) bool {
	if _, ok := b.owner[key]; !ok {
		return false
	}
	b.keys = slices.DeleteFunc(b.keys, func(k uint64) bool { return k == key })
	delete(b.owner, key)
	b.placeAll()
	return true
}

// Load returns the number of keys placed on member.
func (b *BoundedLoad) Load(member string) int {
	if i, ok := b.set.find(member); ok {
		return b.loads[i]
	}
	return 0
}

// Capacity returns ceil(c × (m+1) × w / W) for member, where m is the
// number of keys placed: the most it may hold once the next key is.
func (b *BoundedLoad) Capacity(member string) int {
	if i, ok := b.set.find(member); ok {
		return b.capacity(int32(i), len(b.keys)+1)
	}
	return 0
}

// Add adds a weighted member and places every key again.
func (b *BoundedLoad) Add(name string, weight float64) error {
	n, err := vnodeCount(NameBoundedLoad, name, b.vnodes, weight)
	if err != nil {
		return err
	}
	i, err := b.set.insert(NameBoundedLoad, name, weight)
	if err != nil {
		return err
	}
	b.ring.insert(int32(i), memberPoints(name, n))
	b.placeAll()
	return nil
}

// Remove removes a member and places every key again; removing the last
// member releases every key.
func (b *BoundedLoad) Remove(name string) error {
	i, err := b.set.remove(NameBoundedLoad, name)
	if err != nil {
		return err
	}
	b.ring.remove(int32(i))
	if len(b.ring.at) == 0 {
		b.keys = b.keys[:0]
		clear(b.owner)
	}
	b.placeAll()
	return nil
}

// Members returns the member names in ascending order.
func (b *BoundedLoad) Members() []string { return b.set.names() }

// capacity returns ceil(c × m × w / W) for member i.
func (b *BoundedLoad) capacity(i int32, m int) int {
	return int(math.Ceil(b.c * float64(m) * b.set.list[i].weight / b.weight))
}

// capacitiesChanged reports whether the capacities for the keys placed
// now differ from those the assignment was made with.
func (b *BoundedLoad) capacitiesChanged() bool {
	for i := range b.caps {
		if b.caps[i] != b.capacity(int32(i), len(b.keys)) {
			return true
		}
	}
	return false
}

// placeAll places every key again, in order, under the capacities for
// all of them.
func (b *BoundedLoad) placeAll() {
	b.weight = 0
	for _, m := range b.set.list { // in name order, so the sum is reproducible
		b.weight += m.weight
	}
	n := len(b.set.list)
	b.loads = slices.Grow(b.loads[:0], n)[:n]
	b.caps = slices.Grow(b.caps[:0], n)[:n]
	clear(b.loads)
	for i := range b.caps {
		b.caps[i] = b.capacity(int32(i), len(b.keys))
	}
	clear(b.owner)
	for _, k := range b.keys {
		b.place(k)
	}
}

// place puts key on the first member clockwise below its capacity.
func (b *BoundedLoad) place(key uint64) {
	o := b.target(key, func(i int32) int { return b.caps[i] })
	b.owner[key] = o
	b.loads[o]++
}

// target returns the first member clockwise from key whose load is below
// its capacity. Such a member exists: capacities sum to at least c × m ≥ m.
func (b *BoundedLoad) target(key uint64, capacity func(int32) int) int32 {
	p := b.ring.search(key)
	for range len(b.ring.at) {
		if o := b.ring.owner[p]; b.loads[o] < capacity(o) {
			return o
		}
		if p++; p == len(b.ring.at) {
			p = 0
		}
	}
	panic("chash: bounded-load: no member below capacity") // Unreachable for c >= 1.
}
