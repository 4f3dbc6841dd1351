package chash

import (
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"

	"github.com/stretchr/testify/require"
)

// refPoint is one ring point in the slow references.
type refPoint struct {
	at   uint64
	name string
}

// refRing returns every member's points, unsorted.
func refRing(vnodes int, weights map[string]float64) []refPoint {
	var ps []refPoint
	for name, w := range weights {
		for _, p := range memberPoints(name, max(1, int(math.Round(float64(vnodes)*w)))) {
			ps = append(ps, refPoint{p, name})
		}
	}
	return ps
}

// refRingWalk returns the points in clockwise order from key: a linear scan
// for those at or after key, then the rest, ties by name.
func refRingWalk(ps []refPoint, key uint64) []refPoint {
	walk := slices.Clone(ps)
	sort.Slice(walk, func(i, j int) bool {
		a, b := walk[i], walk[j]
		if (a.at >= key) != (b.at >= key) {
			return a.at >= key
		}
		if a.at != b.at {
			return a.at < b.at
		}
		return a.name < b.name
	})
	return walk
}

// refRingLookup scans every point for the smallest at or after key.
func refRingLookup(ps []refPoint, key uint64) string {
	var best *refPoint
	var lowest *refPoint
	for i := range ps {
		p := &ps[i]
		if lowest == nil || p.at < lowest.at || (p.at == lowest.at && p.name < lowest.name) {
			lowest = p
		}
		if p.at >= key && (best == nil || p.at < best.at || (p.at == best.at && p.name < best.name)) {
			best = p
		}
	}
	if best == nil {
		return lowest.name
	}
	return best.name
}

func refWeights(n int, seed uint64) map[string]float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	w := map[string]float64{}
	for _, name := range testNames(n) {
		w[name] = []float64{0.5, 1, 1, 2, 3.25}[rng.IntN(5)]
	}
	return w
}

func TestRingMatchesLinearScan(t *testing.T) {
	weights := refWeights(20, 1)
	r, err := NewRing(Options{VNodes: 30})
	require.NoError(t, err)
	for _, name := range slices.Sorted(maps.Keys(weights)) {
		require.NoError(t, r.Add(name, weights[name]))
	}
	check := func(what string) {
		ps := refRing(30, weights)
		for _, k := range append(testKeys(15, 3000), 0, math.MaxUint64) {
			require.Equal(t, refRingLookup(ps, k), r.Lookup(k), "%s: key %#x", what, k)
		}
	}
	check("built")
	for _, n := range []string{"node-000", "node-007", "node-019"} {
		require.NoError(t, r.Remove(n))
		delete(weights, n)
		check("after removing " + n)
	}
	require.NoError(t, r.Add("node-007", 4))
	weights["node-007"] = 4
	check("after re-adding node-007")
}

// refRendezvous scores every member with math.Log and sorts.
func refRendezvous(weights map[string]float64, key uint64) string {
	type scored struct {
		name  string
		score float64
	}
	var all []scored
	for name, w := range weights {
		u := (float64(Mix64(key^HashKey(name))>>11) + 0.5) / (1 << 53)
		all = append(all, scored{name, -w / math.Log(u)})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].score != all[j].score {
			return all[i].score > all[j].score
		}
		return all[i].name < all[j].name
	})
	return all[0].name
}

func TestRendezvousMatchesBruteForce(t *testing.T) {
	for _, tt := range []struct {
		what    string
		weights map[string]float64
	}{
		{"equal weights", map[string]float64{"a": 2, "b": 2, "c": 2, "d": 2, "e": 2}},
		{"mixed weights", refWeights(25, 2)},
	} {
		r := NewRendezvous()
		for n, w := range tt.weights {
			require.NoError(t, r.Add(n, w))
		}
		for _, k := range testKeys(16, 5000) {
			require.Equal(t, refRendezvous(tt.weights, k), r.Lookup(k), "%s: key %#x", tt.what, k)
		}
	}
}

// refMaglev is the paper's Pseudocode 1, with the whole permutation table.
func refMaglev(names []string, size int) []string {
	n := len(names)
	perm := make([][]int, n)
	for i, name := range names {
		offset, skip := maglevPermutation(name, uint64(size))
		perm[i] = make([]int, size)
		for j := range size {
			perm[i][j] = int((offset + uint64(j)*skip) % uint64(size))
		}
	}
	next := make([]int, n)
	entry := make([]int, size)
	for j := range entry {
		entry[j] = -1
	}
	filled := 0
	for {
		for i := range n {
			c := perm[i][next[i]]
			for entry[c] >= 0 {
				next[i]++
				c = perm[i][next[i]]
			}
			entry[c] = i
			next[i]++
			filled++
			if filled == size {
				table := make([]string, size)
				for j, e := range entry {
					table[j] = names[e]
				}
				return table
			}
		}
	}
}

func TestMaglevMatchesPseudocode(t *testing.T) {
	for _, tt := range []struct{ size, members int }{{1031, 20}, {251, 7}, {65537, 3}} {
		names := testNames(tt.members)
		m, err := NewMaglev(Options{TableSize: tt.size})
		require.NoError(t, err)
		for _, n := range slices.Backward(names) {
			require.NoError(t, m.Add(n, 1))
		}
		table := refMaglev(names, tt.size)
		for e := range tt.size {
			require.Equal(t, table[e], m.Lookup(uint64(e)), "M=%d entry %d", tt.size, e)
			require.Equal(t, table[e], m.Lookup(uint64(e+tt.size)), "M=%d key %d wraps", tt.size, e+tt.size)
		}
	}
}

// TestSuccessorsIsTheRingWalk: a bounded-load hasher's Successors are the
// distinct members met walking the points clockwise from the key, as the
// slow walk finds them, and stop when the caller stops.
func TestSuccessorsIsTheRingWalk(t *testing.T) {
	weights := map[string]float64{"a": 1, "b": 2, "c": 0.5, "d": 1}
	b, err := NewBoundedLoad(Options{VNodes: 8})
	require.NoError(t, err)
	for _, name := range slices.Sorted(maps.Keys(weights)) {
		require.NoError(t, b.Add(name, weights[name]))
	}
	ps := refRing(8, weights)
	for _, key := range testKeys(12, 300) {
		var want []string
		for _, p := range refRingWalk(ps, key) {
			if !slices.Contains(want, p.name) {
				want = append(want, p.name)
			}
		}
		require.Equal(t, want, slices.Collect(b.Successors(key)), "key %x", key)
		for first := range b.Successors(key) {
			require.Equal(t, want[0], first)
			break
		}
	}
	empty, _ := NewBoundedLoad(Options{})
	require.Empty(t, slices.Collect(empty.Successors(1)))
}
