package sim

import (
	"hash/fnv"
	"math/rand/v2"
)

// SplitSeed derives the two 64-bit seeds of an independent random stream
// from the run's root seed and the stream's name. It hashes the name with
// FNV-1a (a fixed function, never seeded per process) and passes the root
// seed and the hash through the splitmix64 finalizer:
//
//	s1 = mix(root ^ mix(fnv1a(name)))
//	s2 = mix(s1 + 0x9e3779b97f4a7c15)
//
// Streams with different names are independent for practical purposes, so a
// component that draws more or fewer numbers (or a node that is added) never
// shifts the draws of any other stream.
func SplitSeed(root uint64, name string) (s1, s2 uint64) {
	h := fnv.New64a()
	h.Write([]byte(name))
	s1 = mix64(root ^ mix64(h.Sum64()))
	s2 = mix64(s1 + 0x9e3779b97f4a7c15)
	return s1, s2
}

// NewStream returns a PCG source seeded for the named stream of root. Use
// rand.New on it to draw; keep one source per component.
func NewStream(root uint64, name string) *rand.PCG {
	return rand.NewPCG(SplitSeed(root, name))
}

// mix64 is the splitmix64 finalizer: a bijective avalanche of x.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
