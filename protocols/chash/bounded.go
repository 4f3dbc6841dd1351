package chash

import (
	"fmt"
	"maps"
	"math"
	"slices"
)

// BoundedLoad is consistent hashing with bounded loads (Mirrokni, Thorup and
// Zadimoghaddam, SODA 2018; arXiv 2016): the ring of Ring, where a key is
// placed on the first member clockwise whose load is below its capacity
// ceil(c × (m+1) × w / W) for m keys already placed, weight w and total
// weight W (with equal weights, ceil(c × (m+1) / n)). No member ever holds
// more than about c times its fair share, while keys still mostly stay put
// when members come and go.
//
// It is stateful: Assign places a key and counts it, Release forgets it.
// Keys move only when membership changes:
//   - Remove re-places the leaver's keys, in ascending key order, and moves
//     nothing else.
//   - Add first moves to the new member the keys whose clockwise walk now
//     meets it before their current owner (while it has room), then, because
//     capacities shrink as n grows, moves keys off any member above its
//     capacity, highest keys first, until every load is within the bound.
//
// Release never moves keys, so after releases a member may hold more than
// the current capacity until keys are released from it or membership
// changes; every Assign respects the bound. The mapping depends on the
// member set (in any insertion order) and on the sequence of Assign,
// Release, Add and Remove calls.
type BoundedLoad struct {
	vnodes int
	c      float64
	set    memberSet
	ring   points
	weight float64          // weight is the total member weight W.
	loads  []int            // loads[i] is the number of keys on set.list[i].
	total  int              // total is the number of keys placed.
	owner  map[uint64]int32 // owner[key] is the index of the key's member.
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

// Lookup returns the owner of a placed key, or else the member Assign would
// choose now.
func (b *BoundedLoad) Lookup(key uint64) string {
	if o, ok := b.owner[key]; ok {
		return b.set.list[o].name
	}
	if len(b.ring.at) == 0 {
		return ""
	}
	return b.set.list[b.target(key, b.total+1)].name
}

// Assign places key on the first member clockwise with room.
func (b *BoundedLoad) Assign(key uint64) (string, error) {
	if o, ok := b.owner[key]; ok {
		return b.set.list[o].name, nil
	}
	if len(b.ring.at) == 0 {
		return "", fmt.Errorf("chash: %s: assign key %#x: %w", NameBoundedLoad, key, ErrEmpty)
	}
	o := b.target(key, b.total+1)
	b.place(key, o)
	return b.set.list[o].name, nil
}

// Release forgets a placed key.
func (b *BoundedLoad) Release(key uint64) bool {
	o, ok := b.owner[key]
	if ok {
		b.unplace(key, o)
	}
	return ok
}

// Load returns the number of keys placed on member.
func (b *BoundedLoad) Load(member string) int {
	if i, ok := b.set.find(member); ok {
		return b.loads[i]
	}
	return 0
}

// Capacity returns ceil(c × (m+1) × w / W) for member, where m is the
// number of keys placed.
func (b *BoundedLoad) Capacity(member string) int {
	if i, ok := b.set.find(member); ok {
		return b.capacity(int32(i), b.total+1)
	}
	return 0
}

// Add adds a weighted member and rebalances as described on BoundedLoad.
func (b *BoundedLoad) Add(name string, weight float64) error {
	n, err := vnodeCount(NameBoundedLoad, name, b.vnodes, weight)
	if err != nil {
		return err
	}
	i, err := b.set.insert(NameBoundedLoad, name, weight)
	if err != nil {
		return err
	}
	idx := int32(i)
	b.ring.insert(idx, memberPoints(name, n))
	b.loads = slices.Insert(b.loads, i, 0)
	for k, o := range b.owner {
		if o >= idx {
			b.owner[k] = o + 1
		}
	}
	b.sumWeights()
	if b.total == 0 {
		return nil
	}

	keys := slices.Sorted(maps.Keys(b.owner))
	// Move to the new member the keys that now meet it first.
	for _, k := range keys {
		o := b.owner[k]
		for p := b.ring.search(k); ; p = (p + 1) % len(b.ring.at) {
			q := b.ring.owner[p]
			if q == o {
				break
			}
			if q == idx {
				if b.loads[idx] < b.capacity(idx, b.total) {
					b.unplace(k, o)
					b.place(k, idx)
				}
				break
			}
		}
	}
	// Capacities shrank: move keys off members above theirs.
	for j := range b.loads {
		limit := b.capacity(int32(j), b.total)
		for p := len(keys) - 1; b.loads[j] > limit; p-- {
			if k := keys[p]; b.owner[k] == int32(j) {
				b.unplace(k, int32(j))
				b.place(k, b.target(k, b.total+1))
			}
		}
	}
	return nil
}

// Remove removes a member and re-places its keys on the others, in
// ascending key order. Removing the last member releases every key.
func (b *BoundedLoad) Remove(name string) error {
	i, err := b.set.remove(NameBoundedLoad, name)
	if err != nil {
		return err
	}
	idx := int32(i)
	var moving []uint64
	for k, o := range b.owner {
		switch {
		case o == idx:
			moving = append(moving, k)
			delete(b.owner, k)
		case o > idx:
			b.owner[k] = o - 1
		}
	}
	b.total -= b.loads[i]
	b.loads = slices.Delete(b.loads, i, i+1)
	b.ring.remove(idx)
	b.sumWeights()
	if len(b.ring.at) == 0 {
		return nil
	}
	slices.Sort(moving)
	for _, k := range moving {
		b.place(k, b.target(k, b.total+1))
	}
	return nil
}

// Members returns the member names in ascending order.
func (b *BoundedLoad) Members() []string { return b.set.names() }

// sumWeights recomputes W, adding in name order so the sum is reproducible.
func (b *BoundedLoad) sumWeights() {
	b.weight = 0
	for _, m := range b.set.list {
		b.weight += m.weight
	}
}

// capacity returns ceil(c × m × w / W) for member i.
func (b *BoundedLoad) capacity(i int32, m int) int {
	return int(math.Ceil(b.c * float64(m) * b.set.list[i].weight / b.weight))
}

// target returns the first member clockwise from key whose load is below its
// capacity for m keys. Such a member exists because capacities sum to at
// least c × m >= m.
func (b *BoundedLoad) target(key uint64, m int) int32 {
	p := b.ring.search(key)
	for range len(b.ring.at) {
		if o := b.ring.owner[p]; b.loads[o] < b.capacity(o, m) {
			return o
		}
		if p++; p == len(b.ring.at) {
			p = 0
		}
	}
	panic("chash: bounded-load: no member below capacity") // Unreachable for c >= 1.
}

func (b *BoundedLoad) place(key uint64, o int32) {
	b.owner[key] = o
	b.loads[o]++
	b.total++
}

func (b *BoundedLoad) unplace(key uint64, o int32) {
	delete(b.owner, key)
	b.loads[o]--
	b.total--
}
