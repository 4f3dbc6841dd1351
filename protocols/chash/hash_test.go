package chash

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestHashKeyGolden pins HashKey: changing it would change every mapping, so
// it may change only on purpose, together with these values.
func TestHashKeyGolden(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
	}{
		{"", 0xf52a15e9a9b5e89b},
		{"a", 0x02c0bdbf481420f8},
		{"user:42", 0xd68cb863fc5e0c34},
		{"node-000", 0xa4115845fe5ac2fb},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, HashKey(tt.in))
			f := fnv.New64a()
			_, _ = f.Write([]byte(tt.in))
			assert.Equal(t, Mix64(f.Sum64()), HashKey(tt.in), "HashKey is FNV-1a 64 then Mix64")
		})
	}
}

func TestMix64(t *testing.T) {
	tests := []struct{ in, want uint64 }{
		// splitmix64's first output for seed 0 is Mix64(0x9e3779b97f4a7c15).
		{0x9e3779b97f4a7c15, 0xe220a8397b1dcdaf},
		{0, 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Mix64(tt.in), "Mix64(%#x)", tt.in)
	}
}

// TestJumpHashGolden checks JumpHash against outputs of the paper's C++
// reference code (as published in dgryski/go-jump's tests).
func TestJumpHashGolden(t *testing.T) {
	tests := []struct {
		key     uint64
		buckets []int
	}{
		{0, []int{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{1, []int{0, 0, 0, 0, 0, 0, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 17, 17}},
		{0xdeadbeef, []int{0, 1, 2, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 16, 16, 16}},
		{0x0ddc0ffeebadf00d, []int{0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 15, 15, 15, 15}},
	}
	for _, tt := range tests {
		for i, want := range tt.buckets {
			assert.Equal(t, want, JumpHash(tt.key, i+1), "JumpHash(%#x, %d)", tt.key, i+1)
		}
	}
	assert.Equal(t, -1, JumpHash(1, 0), "no buckets")
}

// TestJumpHashMonotone checks the paper's defining property: growing the
// bucket count by one moves a key nowhere or into the new bucket.
func TestJumpHashMonotone(t *testing.T) {
	for _, k := range testKeys(1, 2000) {
		prev := JumpHash(k, 1)
		require.Equal(t, 0, prev)
		for n := 2; n <= 200; n++ {
			b := JumpHash(k, n)
			require.True(t, b == prev || b == n-1, "key %#x: %d buckets gave %d, %d gave %d", k, n-1, prev, n, b)
			prev = b
		}
	}
}

// TestPortableLog checks portableLog against math.Log on the inputs
// rendezvous uses, and at a few exact points.
func TestPortableLog(t *testing.T) {
	assert.Equal(t, 0.0, portableLog(1))
	assert.InDelta(t, -math.Ln2, portableLog(0.5), 1e-16)
	assert.InDelta(t, -53*math.Ln2, portableLog(0x1p-53), 1e-13)
	rng := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		u := (float64(rng.Uint64()>>11) + 0.5) * 0x1p-53
		want := math.Log(u)
		got := portableLog(u)
		require.LessOrEqual(t, math.Abs(got-want), 2*math.Abs(want)*0x1p-52, "portableLog(%v)", u)
	}
}
