package chash

import (
	"fmt"
	"slices"
)

// Jump is jump consistent hashing (Lamping and Veach 2014, "A Fast, Minimal
// Memory, Consistent Hash Algorithm"): members are buckets 0..n-1 numbered in
// the order they were added, and JumpHash picks a bucket for a key in
// O(log n) steps with no memory beyond the bucket list.
//
// Jump hash has no weights: Add accepts weight 1 only. Adding a member moves
// about 1/(n+1) of the keys, all to the new member. As the paper says, only
// the last bucket can be removed: Remove accepts only the member added last
// (of those still present) and fails with ErrUnsupported for any other.
//
// Because buckets are numbered by insertion, jump is the one algorithm here
// whose mapping depends on the order of Add calls; the same sequence of Add
// and Remove calls always gives the same mapping.
type Jump struct {
	buckets []string       // buckets[b] is the member in bucket b.
	index   map[string]int // index[name] is its bucket.
}

var _ Hasher = (*Jump)(nil)

// NewJump returns an empty jump hasher. It takes no options.
func NewJump() *Jump { return &Jump{index: map[string]int{}} }

// Name returns NameJump.
func (j *Jump) Name() string { return NameJump }

// Lookup returns the member in bucket JumpHash(key, n).
func (j *Jump) Lookup(key uint64) string {
	if len(j.buckets) == 0 {
		return ""
	}
	return j.buckets[JumpHash(key, len(j.buckets))]
}

// Add appends a member as the next bucket. The weight must be 1.
func (j *Jump) Add(name string, weight float64) error {
	if name == "" {
		return fmt.Errorf("chash: %s: add %q: %w", NameJump, name, ErrInvalidMember)
	}
	if err := checkWeight(NameJump, name, weight); err != nil {
		return err
	}
	if weight != 1 {
		return fmt.Errorf("chash: %s: add %q with weight %v: weights: %w", NameJump, name, weight, ErrUnsupported)
	}
	if _, ok := j.index[name]; ok {
		return fmt.Errorf("chash: %s: add %q: %w", NameJump, name, ErrDuplicateMember)
	}
	j.index[name] = len(j.buckets)
	j.buckets = append(j.buckets, name)
	return nil
}

// Remove removes the member in the last bucket; removing any other member
// fails with ErrUnsupported and changes nothing.
func (j *Jump) Remove(name string) error {
	b, ok := j.index[name]
	if !ok {
		return fmt.Errorf("chash: %s: remove %q: %w", NameJump, name, ErrUnknownMember)
	}
	if last := len(j.buckets) - 1; b != last {
		return fmt.Errorf("chash: %s: remove %q in bucket %d: only the last bucket (%q) can be removed: %w",
			NameJump, name, b, j.buckets[last], ErrUnsupported)
	}
	delete(j.index, name)
	j.buckets = j.buckets[:b]
	return nil
}

// Members returns the member names in ascending order.
func (j *Jump) Members() []string {
	names := slices.Clone(j.buckets)
	slices.Sort(names)
	return names
}

// Buckets returns the member names in bucket order, which is the order they
// were added in, in a new slice.
func (j *Jump) Buckets() []string { return slices.Clone(j.buckets) }

// JumpHash returns the bucket in [0, buckets) for key, as in the paper's
// reference code; it returns -1 when buckets is less than 1. Growing buckets
// from n to n+1 moves a key either nowhere or to bucket n.
func JumpHash(key uint64, buckets int) int {
	b, j := int64(-1), int64(0)
	for j < int64(buckets) {
		b = j
		key = key*2862933555777941757 + 1
		j = int64(float64(b+1) * (float64(int64(1)<<31) / float64((key>>33)+1)))
	}
	return int(b)
}
