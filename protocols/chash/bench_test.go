package chash

import "testing"

// sink keeps benchmark results alive.
var sink string

// BenchmarkLookup measures one Lookup at 100 members. Bounded-load looks up
// keys already assigned, as a service would.
func BenchmarkLookup(b *testing.B) {
	keys := testKeys(40, 1<<16)
	for _, algo := range Names() {
		b.Run(algo, func(b *testing.B) {
			h := build(b, algo, Options{}, testNames(100))
			placeAll(b, h, keys)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				sink = h.Lookup(keys[i&(len(keys)-1)])
				i++
			}
		})
	}
}

// BenchmarkChurn measures removing and re-adding one member at 100 members
// (for jump, the last one), with no keys placed.
func BenchmarkChurn(b *testing.B) {
	for _, algo := range Names() {
		b.Run(algo, func(b *testing.B) {
			names := testNames(100)
			h := build(b, algo, Options{}, names)
			last := names[len(names)-1]
			b.ReportAllocs()
			for b.Loop() {
				if err := h.Remove(last); err != nil {
					b.Fatal(err)
				}
				if err := h.Add(last, 1); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkHashKey measures hashing a 16-byte string key.
func BenchmarkHashKey(b *testing.B) {
	b.ReportAllocs()
	var x uint64
	for b.Loop() {
		x += HashKey("session:12345678")
	}
	sink = string(rune(x & 0x7f))
}

// BenchmarkBuild measures building a 1,000-member hasher: in bulk (Build)
// and one Add at a time, for Maglev and the ring.
func BenchmarkBuild(b *testing.B) {
	names := testNames(1000)
	members := make([]Member, len(names))
	for i, n := range names {
		members[i] = Member{Name: n, Weight: 1}
	}
	for _, algo := range []string{NameMaglev, NameRing} {
		b.Run(algo+"/bulk", func(b *testing.B) {
			for b.Loop() {
				if _, err := Build(algo, Options{}, members); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(algo+"/one-by-one", func(b *testing.B) {
			for b.Loop() {
				build(b, algo, Options{}, names)
			}
		})
	}
}
