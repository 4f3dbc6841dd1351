package chash

import (
	"math"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixedHasher maps keys through a fixed table; it is a Hasher only for the
// tests of Measure, Moved and Snapshot.
type fixedHasher struct {
	members []string
	owner   map[uint64]string
}

func (f *fixedHasher) Name() string             { return "fixed" }
func (f *fixedHasher) Lookup(key uint64) string { return f.owner[key] }
func (f *fixedHasher) Add(member string, _ float64) error {
	f.members = append(f.members, member)
	return nil
}
func (f *fixedHasher) Remove(string) error { return nil }
func (f *fixedHasher) Members() []string   { return slices.Sorted(slices.Values(f.members)) }

func TestMeasure(t *testing.T) {
	f := &fixedHasher{members: []string{"d", "a", "c", "b"}, owner: map[uint64]string{}}
	// Counts a=1, b=2, c=3, d=6: mean 3, population variance 3.5.
	k := uint64(0)
	for name, n := range map[string]int{"a": 1, "b": 2, "c": 3, "d": 6} {
		for range n {
			f.owner[k] = name
			k++
		}
	}
	keys := make([]uint64, k)
	for i := range keys {
		keys[i] = uint64(i)
	}
	s := Measure(f, keys)
	assert.Equal(t, 12, s.Keys)
	assert.Equal(t, []string{"a", "b", "c", "d"}, s.Members)
	assert.Equal(t, []int{1, 2, 3, 6}, s.Counts)
	assert.Equal(t, 1, s.Min)
	assert.Equal(t, 6, s.Max)
	assert.InDelta(t, 3, s.Mean, 1e-12)
	assert.InDelta(t, math.Sqrt(3.5), s.StdDev, 1e-12)
	assert.InDelta(t, 2, s.MaxOverMean, 1e-12)
	assert.InDelta(t, math.Sqrt(3.5)/3, s.CV, 1e-12)
	assert.Equal(t, 3, s.Count("c"))
	assert.Zero(t, s.Count("zz"))

	empty := Measure(&fixedHasher{}, keys)
	assert.Equal(t, 12, empty.Keys)
	assert.Empty(t, empty.Counts)
	assert.Zero(t, empty.Max)
	assert.Zero(t, empty.MaxOverMean)
	assert.Zero(t, empty.CV)
}

func TestMovedAndSnapshot(t *testing.T) {
	h, err := NewRendezvous(), error(nil)
	require.NoError(t, err)
	for _, n := range []string{"a", "b", "c"} {
		require.NoError(t, h.Add(n, 1))
	}
	keys := testKeys(30, 10000)
	before := Snapshot(h, keys)
	assert.Zero(t, Moved(before, h.Lookup, keys))
	require.NoError(t, h.Remove("b"))
	moved := Moved(before, h.Lookup, keys)
	assert.InDelta(t, float64(Measure(build(t, NameRendezvous, Options{}, []string{"a", "b", "c"}), keys).Count("b"))/float64(len(keys)), moved, 1e-12,
		"exactly b's keys move")
	assert.Equal(t, "", before(12345), "a key not recorded")

	first := func(uint64) string { return "x" }
	second := func(k uint64) string { return map[bool]string{true: "x", false: "y"}[k%4 != 0] }
	assert.InDelta(t, 0.25, Moved(first, second, []uint64{0, 1, 2, 3}), 1e-12)
	assert.Zero(t, Moved(first, second, nil))
}
