package chash

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// maxLoadBound returns the largest load and ceil(c × m / n), the bound for m
// placed keys on n equal members.
func maxLoadBound(b *BoundedLoad) (maxLoad, bound int) {
	names := b.Members()
	total := 0
	for _, n := range names {
		total += b.Load(n)
		maxLoad = max(maxLoad, b.Load(n))
	}
	return maxLoad, int(math.Ceil(b.LoadFactor() * float64(total) / float64(len(names))))
}

func TestBoundedLoadBoundHolds(t *testing.T) {
	keys := testKeys(20, 30000)
	for _, c := range []float64{1, 1.05, 1.25, 2} {
		b, err := NewBoundedLoad(Options{LoadFactor: c})
		require.NoError(t, err)
		names := testNames(20)
		for _, n := range names {
			require.NoError(t, b.Add(n, 1))
		}
		for i, k := range keys {
			want := b.Lookup(k)
			capBefore := b.Capacity(want)
			got, err := b.Assign(k)
			require.NoError(t, err)
			require.Equal(t, want, got, "c=%v: Lookup predicts Assign", c)
			require.Less(t, b.Load(got)-1, capBefore, "c=%v: placed below capacity", c)
			if i%1000 == 999 {
				m, bound := maxLoadBound(b)
				require.LessOrEqual(t, m, bound, "c=%v after %d keys", c, i+1)
			}
		}
		m, bound := maxLoadBound(b)
		assert.LessOrEqual(t, m, bound, "c=%v", c)

		// Joining shrinks capacities; the bound must still hold.
		require.NoError(t, b.Add("newcomer", 1))
		m, bound = maxLoadBound(b)
		assert.LessOrEqual(t, m, bound, "c=%v after a join", c)
		assert.Positive(t, b.Load("newcomer"), "c=%v: the newcomer takes keys", c)

		require.NoError(t, b.Remove(names[3]))
		m, bound = maxLoadBound(b)
		assert.LessOrEqual(t, m, bound, "c=%v after a leave", c)
		assert.Equal(t, len(keys), sum(Measure(b, keys).Counts), "c=%v: no key lost", c)
	}
}

func TestBoundedLoadAssignRelease(t *testing.T) {
	b, err := NewBoundedLoad(Options{})
	require.NoError(t, err)
	_, err = b.Assign(1)
	assert.ErrorIs(t, err, ErrEmpty)
	require.NoError(t, b.Add("a", 1))
	require.NoError(t, b.Add("b", 1))
	assert.Equal(t, 1, b.Capacity("a"), "ceil(1.25 × 1 / 2)")
	assert.Zero(t, b.Capacity("zz"))

	first, err := b.Assign(1)
	require.NoError(t, err)
	again, err := b.Assign(1)
	require.NoError(t, err)
	assert.Equal(t, first, again, "assign is idempotent")
	assert.Equal(t, 1, b.Load(first), "assigning twice counts once")
	assert.Zero(t, b.Load("zz"))

	assert.True(t, b.Release(1))
	assert.False(t, b.Release(1), "second release")
	assert.Zero(t, b.Load(first))

	for k := range uint64(10) {
		_, err := b.Assign(k)
		require.NoError(t, err)
	}
	assert.Equal(t, 10, b.Load("a")+b.Load("b"))
	require.NoError(t, b.Remove("a"))
	assert.Equal(t, 10, b.Load("b"), "the leaver's keys move to the survivor")
	require.NoError(t, b.Remove("b"))
	assert.Equal(t, "", b.Lookup(3), "removing the last member releases every key")
	require.NoError(t, b.Add("c", 1))
	assert.Zero(t, b.Load("c"))
}

// TestBoundedLoadWeightedCapacity checks capacities follow weights.
func TestBoundedLoadWeightedCapacity(t *testing.T) {
	b, err := NewBoundedLoad(Options{LoadFactor: 1})
	require.NoError(t, err)
	require.NoError(t, b.Add("small", 1))
	require.NoError(t, b.Add("big", 3))
	for k := range uint64(399) {
		_, err := b.Assign(Mix64(k))
		require.NoError(t, err)
	}
	// With c = 1 the capacities for 399 keys are ceil(399/4) = 100 and
	// ceil(3 × 399/4) = 300, which leaves one way to split 399 but one.
	assert.Equal(t, 399, b.Load("small")+b.Load("big"))
	assert.LessOrEqual(t, b.Load("small"), 100)
	assert.LessOrEqual(t, b.Load("big"), 300)
	assert.Equal(t, 100, b.Capacity("small"), "ceil(400 × 1/4)")
	assert.Equal(t, 300, b.Capacity("big"), "ceil(400 × 3/4)")
}
