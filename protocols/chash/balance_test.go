package chash

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBalance checks max/mean load over 100k random keys. Sampling alone
// puts about 1.08 on max/mean at 100 members (1000 keys each), so the bounds
// for rendezvous, jump and Maglev allow that; the ring's vnodes add their
// own spread. Bounded-load must stay within ceil(c × mean) exactly.
func TestBalance(t *testing.T) {
	keys := testKeys(11, 100000)
	tests := []struct {
		algo        string
		members     int
		maxOverMean float64
		loadFactor  float64 // For bounded-load; 0 means the default.
	}{
		{NameRing, 10, 1.20, 0},
		{NameRing, 100, 1.30, 0},
		{NameRendezvous, 10, 1.05, 0},
		{NameRendezvous, 100, 1.15, 0},
		{NameJump, 10, 1.05, 0},
		{NameJump, 100, 1.15, 0},
		{NameMaglev, 10, 1.05, 0},
		{NameMaglev, 100, 1.15, 0},
		{NameBoundedLoad, 10, 1.25, 0},
		{NameBoundedLoad, 100, 1.25, 0},
		{NameBoundedLoad, 10, 1.05, 1.05},
		{NameBoundedLoad, 100, 1.05, 1.05},
	}
	for _, tt := range tests {
		opts := Options{LoadFactor: tt.loadFactor}
		h := build(t, tt.algo, opts, testNames(tt.members))
		placeAll(t, h, keys)
		s := Measure(h, keys)
		t.Logf("%-12s n=%3d c=%.2f max/mean=%.3f cv=%.3f", tt.algo, tt.members, tt.loadFactor, s.MaxOverMean, s.CV)
		assert.Equal(t, len(keys), sum(s.Counts), "%s n=%d: every key has an owner", tt.algo, tt.members)
		assert.LessOrEqual(t, s.MaxOverMean, tt.maxOverMean, "%s n=%d", tt.algo, tt.members)
		if tt.algo == NameBoundedLoad {
			bound := int(math.Ceil(h.(*BoundedLoad).LoadFactor() * s.Mean))
			assert.LessOrEqual(t, s.Max, bound, "n=%d: max load within ceil(c × mean)", tt.members)
		}
	}
}

// TestMaglevTableBalance checks the paper's promise exactly: every member
// owns floor(M/n) or ceil(M/n) entries. Keys 0..M-1 hit each entry once.
func TestMaglevTableBalance(t *testing.T) {
	for _, tt := range []struct{ size, members int }{{65537, 100}, {65537, 7}, {1031, 10}} {
		m, err := NewMaglev(Options{TableSize: tt.size})
		require.NoError(t, err)
		for _, n := range testNames(tt.members) {
			require.NoError(t, m.Add(n, 1))
		}
		keys := make([]uint64, tt.size)
		for i := range keys {
			keys[i] = uint64(i)
		}
		s := Measure(m, keys)
		assert.Equal(t, m.Entries(), s.Counts)
		assert.Equal(t, tt.size/tt.members, s.Min, "M=%d n=%d", tt.size, tt.members)
		assert.LessOrEqual(t, s.Max-s.Min, 1, "M=%d n=%d", tt.size, tt.members)
	}
}

// TestJoinDisruption adds one member and checks that about 1/(n+1) of the
// keys move, and that they move only to the new member. Maglev may move a
// few others (its documented trade-off); bounded-load may too, as
// capacities shrink, more so the tighter its load factor.
func TestJoinDisruption(t *testing.T) {
	keys := testKeys(12, 100000)
	tests := []struct {
		algo       string
		members    int
		minRatio   float64 // Bounds on moved / (1/(n+1)).
		maxRatio   float64
		toOthers   float64 // Bound on the fraction of keys moved elsewhere.
		loadFactor float64 // For bounded-load; 0 means the default.
	}{
		{NameRing, 10, 0.7, 1.3, 0, 0},
		{NameRing, 50, 0.7, 1.3, 0, 0},
		{NameRendezvous, 10, 0.95, 1.05, 0, 0},
		{NameRendezvous, 50, 0.9, 1.1, 0, 0},
		{NameJump, 10, 0.95, 1.05, 0, 0},
		{NameJump, 50, 0.9, 1.1, 0, 0},
		{NameMaglev, 10, 0.95, 1.3, 0.01, 0},
		{NameMaglev, 50, 0.9, 1.5, 0.01, 0},
		{NameBoundedLoad, 10, 0.7, 1.3, 0.01, 0},
		{NameBoundedLoad, 50, 0.7, 1.3, 0.01, 0},
		{NameBoundedLoad, 10, 0.7, 3, 0.1, 1.05},
		{NameBoundedLoad, 50, 0.7, 3, 0.05, 1.05},
	}
	for _, tt := range tests {
		h := build(t, tt.algo, Options{LoadFactor: tt.loadFactor}, testNames(tt.members))
		placeAll(t, h, keys)
		before := Snapshot(h, keys)
		require.NoError(t, h.Add("newcomer", 1))
		toNew, toOthers := 0, 0
		for _, k := range keys {
			switch b, a := before(k), h.Lookup(k); {
			case a == b:
			case a == "newcomer":
				toNew++
			default:
				toOthers++
			}
		}
		moved := Moved(before, h.Lookup, keys)
		ideal := 1 / float64(tt.members+1)
		t.Logf("%-12s c=%.2f join n=%2d->%2d moved=%.4f (ideal %.4f, ratio %.2f) to others=%.4f",
			tt.algo, tt.loadFactor, tt.members, tt.members+1, moved, ideal, moved/ideal, float64(toOthers)/float64(len(keys)))
		assert.InDelta(t, float64(toNew+toOthers)/float64(len(keys)), moved, 1e-12)
		assert.GreaterOrEqual(t, moved/ideal, tt.minRatio, "%s n=%d", tt.algo, tt.members)
		assert.LessOrEqual(t, moved/ideal, tt.maxRatio, "%s n=%d", tt.algo, tt.members)
		assert.LessOrEqual(t, float64(toOthers)/float64(len(keys)), tt.toOthers, "%s n=%d: keys moved between old members", tt.algo, tt.members)
	}
}

// TestLeaveDisruption removes one member (for jump, the last bucket) and
// checks that its keys, about 1/n, move and, except for Maglev's few, no
// others.
func TestLeaveDisruption(t *testing.T) {
	keys := testKeys(13, 100000)
	tests := []struct {
		algo     string
		members  int
		minRatio float64 // Bounds on moved / (1/n).
		maxRatio float64
		others   float64 // Bound on the fraction of other keys moved.
	}{
		{NameRing, 10, 0.7, 1.3, 0},
		{NameRing, 50, 0.7, 1.3, 0},
		{NameRendezvous, 10, 0.95, 1.05, 0},
		{NameRendezvous, 50, 0.9, 1.1, 0},
		{NameJump, 10, 0.95, 1.05, 0},
		{NameJump, 50, 0.9, 1.1, 0},
		{NameMaglev, 10, 0.95, 1.3, 0.01},
		{NameMaglev, 50, 0.9, 1.6, 0.01},
		{NameBoundedLoad, 10, 0.7, 1.3, 0},
		{NameBoundedLoad, 50, 0.7, 1.3, 0},
	}
	for _, tt := range tests {
		names := testNames(tt.members)
		h := build(t, tt.algo, Options{}, names)
		placeAll(t, h, keys)
		leaver := names[tt.members/2]
		if tt.algo == NameJump {
			leaver = names[tt.members-1]
		}
		before := Snapshot(h, keys)
		require.NoError(t, h.Remove(leaver))
		others := 0
		for _, k := range keys {
			if b, a := before(k), h.Lookup(k); b != leaver && a != b {
				others++
			}
		}
		moved := Moved(before, h.Lookup, keys)
		ideal := 1 / float64(tt.members)
		t.Logf("%-12s leave n=%2d->%2d moved=%.4f (ideal %.4f, ratio %.2f) others=%.4f",
			tt.algo, tt.members, tt.members-1, moved, ideal, moved/ideal, float64(others)/float64(len(keys)))
		assert.NotContains(t, owners(h, keys), leaver)
		assert.GreaterOrEqual(t, moved/ideal, tt.minRatio, "%s n=%d", tt.algo, tt.members)
		assert.LessOrEqual(t, moved/ideal, tt.maxRatio, "%s n=%d", tt.algo, tt.members)
		assert.LessOrEqual(t, float64(others)/float64(len(keys)), tt.others, "%s n=%d: keys of staying members moved", tt.algo, tt.members)
	}
}

// TestWeights gives members weights 1 to 4 and checks that each member's
// share of 200k keys is within a tolerance of weight / total weight.
func TestWeights(t *testing.T) {
	keys := testKeys(14, 200000)
	names := testNames(12)
	weights := make([]float64, len(names))
	total := 0.0
	for i := range names {
		weights[i] = float64(1 + i%4)
		total += weights[i]
	}
	tests := []struct {
		algo string
		tol  float64 // Bound on |share / expected share - 1|.
	}{
		{NameRing, 0.25},
		{NameRendezvous, 0.05},
		{NameMaglev, 0.05},
		{NameBoundedLoad, 0.25},
	}
	for _, tt := range tests {
		h, err := New(tt.algo, Options{})
		require.NoError(t, err)
		for i, n := range names {
			require.NoError(t, h.Add(n, weights[i]))
		}
		placeAll(t, h, keys)
		s := Measure(h, keys)
		worst := 0.0
		for i, n := range names {
			want := float64(len(keys)) * weights[i] / total
			dev := float64(s.Count(n))/want - 1
			worst = max(worst, math.Abs(dev))
			assert.InDelta(t, 0, dev, tt.tol, "%s: %s weight %v got %d keys, want about %.0f", tt.algo, n, weights[i], s.Count(n), want)
		}
		t.Logf("%-12s weights 1..4: worst share deviation %.3f", tt.algo, worst)
	}
}

func sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}
