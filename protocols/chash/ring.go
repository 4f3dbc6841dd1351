package chash

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Ring is consistent hashing on a ring of 64-bit points (Karger et al. 1997)
// with virtual nodes: a member of weight w owns round(VNodes × w) points, and
// a key belongs to the owner of the first point at or after it, wrapping
// past the top. Lookup is a binary search over the sorted points, O(log P)
// for P points in total.
//
// A member's points depend only on its name, so the ring is the same
// whatever order members were added in; when two points collide, the member
// whose name sorts first owns the key.
type Ring struct {
	vnodes int
	set    memberSet
	ring   points
}

var _ BulkAdder = (*Ring)(nil)

// NewRing returns an empty ring using opts.VNodes points per unit of weight.
func NewRing(opts Options) (*Ring, error) {
	v, err := opts.vnodes()
	if err != nil {
		return nil, err
	}
	return &Ring{vnodes: v}, nil
}

// Name returns NameRing.
func (r *Ring) Name() string { return NameRing }

// Lookup returns the owner of the first point at or after key.
func (r *Ring) Lookup(key uint64) string {
	if len(r.ring.at) == 0 {
		return ""
	}
	return r.set.list[r.ring.owner[r.ring.search(key)]].name
}

// Add adds a member with round(VNodes × weight) points, at least one.
func (r *Ring) Add(name string, weight float64) error {
	n, err := vnodeCount(NameRing, name, r.vnodes, weight)
	if err != nil {
		return err
	}
	i, err := r.set.insert(NameRing, name, weight)
	if err != nil {
		return err
	}
	r.ring.insert(int32(i), memberPoints(name, n))
	return nil
}

// AddAll adds weighted members, sorting the ring's points once: the same
// ring as one Add each, in O(P log P) rather than O(n·P). On an error
// nothing is added.
func (r *Ring) AddAll(members []Member) error {
	set := memberSet{list: slices.Clone(r.set.list)}
	counts := map[string]int{}
	for _, mb := range members {
		n, err := vnodeCount(NameRing, mb.Name, r.vnodes, mb.Weight)
		if err != nil {
			return err
		}
		if _, err := set.insert(NameRing, mb.Name, mb.Weight); err != nil {
			return err
		}
		counts[mb.Name] = n
	}
	type point struct {
		at    uint64
		owner int32
	}
	var all []point
	for i, mb := range set.list {
		n, added := counts[mb.name]
		if !added {
			continue
		}
		for _, p := range memberPoints(mb.name, n) {
			all = append(all, point{p, int32(i)})
		}
	}
	for i, at := range r.ring.at { // the members already there, renumbered
		o, _ := set.find(r.set.list[r.ring.owner[i]].name)
		all = append(all, point{at, int32(o)})
	}
	slices.SortFunc(all, func(a, b point) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.owner, b.owner)) })
	r.set = set
	r.ring.at, r.ring.owner = make([]uint64, len(all)), make([]int32, len(all))
	for i, p := range all {
		r.ring.at[i], r.ring.owner[i] = p.at, p.owner
	}
	return nil
}

// Remove removes a member and its points; only its keys move.
func (r *Ring) Remove(name string) error {
	i, err := r.set.remove(NameRing, name)
	if err != nil {
		return err
	}
	r.ring.remove(int32(i))
	return nil
}

// Members returns the member names in ascending order.
func (r *Ring) Members() []string { return r.set.names() }

// vnodeCount returns the number of ring points for a member of weight w.
func vnodeCount(algo, name string, vnodes int, w float64) (int, error) {
	if err := checkWeight(algo, name, w); err != nil {
		return 0, err
	}
	n := math.Round(float64(vnodes) * w)
	if n > maxVNodes {
		return 0, fmt.Errorf("chash: %s: add %q: weight %v gives %v ring points, more than %d: %w",
			algo, name, w, n, maxVNodes, ErrInvalidWeight)
	}
	return max(1, int(n)), nil
}

// memberPoints returns n ring points for a member, sorted: the splitmix64
// sequence seeded by HashKey(name).
func memberPoints(name string, n int) []uint64 {
	const golden = 0x9e3779b97f4a7c15
	seed := HashKey(name)
	ps := make([]uint64, n)
	for i := range ps {
		seed += golden
		ps[i] = Mix64(seed)
	}
	slices.Sort(ps)
	return ps
}

// points is a sorted ring: at holds the points in ascending order and
// owner[i] the index, in the sorted member list, of the member owning at[i].
// Equal points are ordered by owner index.
type points struct {
	at    []uint64
	owner []int32
}

// search returns the index of the first point at or after key, wrapping to
// 0 past the last point. The ring must not be empty.
func (p *points) search(key uint64) int {
	i, _ := slices.BinarySearch(p.at, key)
	if i == len(p.at) {
		return 0
	}
	return i
}

// insert merges the sorted points ps of a member that was inserted at index
// idx of the member list, shifting the owner index of later members up.
func (p *points) insert(idx int32, ps []uint64) {
	at := make([]uint64, 0, len(p.at)+len(ps))
	owner := make([]int32, 0, len(p.at)+len(ps))
	i, j := 0, 0
	for i < len(p.at) || j < len(ps) {
		var o int32
		if i < len(p.at) {
			o = p.owner[i]
			if o >= idx {
				o++
			}
		}
		takeOld := j == len(ps) || (i < len(p.at) && cmp.Or(cmp.Compare(p.at[i], ps[j]), cmp.Compare(o, idx)) < 0)
		if takeOld {
			at, owner = append(at, p.at[i]), append(owner, o)
			i++
		} else {
			at, owner = append(at, ps[j]), append(owner, idx)
			j++
		}
	}
	p.at, p.owner = at, owner
}

// remove drops the points of the member that had index idx in the member
// list, shifting the owner index of later members down.
func (p *points) remove(idx int32) {
	k := 0
	for i, o := range p.owner {
		if o == idx {
			continue
		}
		if o > idx {
			o--
		}
		p.at[k], p.owner[k] = p.at[i], o
		k++
	}
	p.at, p.owner = p.at[:k], p.owner[:k]
}
