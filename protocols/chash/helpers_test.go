package chash

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
)

// testKeys returns n uniformly random keys drawn from a PCG seeded by seed.
func testKeys(seed uint64, n int) []uint64 {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	keys := make([]uint64, n)
	for i := range keys {
		keys[i] = rng.Uint64()
	}
	return keys
}

// testNames returns n member names, node-000, node-001, ….
func testNames(n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("node-%03d", i)
	}
	return names
}

// build returns a hasher of the named algorithm holding names, each with
// weight 1, added in the order given.
func build(t testing.TB, algo string, opts Options, names []string) Hasher {
	t.Helper()
	h, err := New(algo, opts)
	require.NoError(t, err)
	for _, n := range names {
		require.NoError(t, h.Add(n, 1))
	}
	return h
}

// placeAll places every key on h: with one AssignAll on a bounded-load
// hasher, with Place otherwise.
func placeAll(t testing.TB, h Hasher, keys []uint64) {
	t.Helper()
	if b, ok := h.(*BoundedLoad); ok {
		require.NoError(t, b.AssignAll(keys))
		return
	}
	for _, k := range keys {
		_, err := Place(h, k)
		require.NoError(t, err)
	}
}

// owners returns the owner of each key.
func owners(h Hasher, keys []uint64) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = h.Lookup(k)
	}
	return out
}
