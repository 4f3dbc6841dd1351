package chash_test

import (
	"fmt"

	"github.com/dsimlab/dsim/protocols/chash"
)

// Example picks an algorithm by name, adds members and looks keys up.
func Example() {
	h, err := chash.New(chash.NameRing, chash.Options{VNodes: 100})
	if err != nil {
		panic(err)
	}
	for _, m := range []string{"cache-a", "cache-b", "cache-c"} {
		if err := h.Add(m, 1); err != nil {
			panic(err)
		}
	}
	for _, k := range []string{"user:1", "user:2", "user:3"} {
		fmt.Println(k, "->", h.Lookup(chash.HashKey(k)))
	}
	// Output:
	// user:1 -> cache-c
	// user:2 -> cache-c
	// user:3 -> cache-b
}

// ExampleMeasure compares two algorithms on the same keys: how evenly they
// spread, and how many keys move when a fourth member joins.
func ExampleMeasure() {
	keys := make([]uint64, 30000)
	for i := range keys {
		keys[i] = chash.Mix64(uint64(i))
	}
	for _, name := range []string{chash.NameJump, chash.NameMaglev} {
		h, _ := chash.New(name, chash.Options{})
		for _, m := range []string{"a", "b", "c"} {
			_ = h.Add(m, 1)
		}
		s := chash.Measure(h, keys)
		before := chash.Snapshot(h, keys)
		_ = h.Add("d", 1)
		fmt.Printf("%s: max/mean %.3f, moved on join %.3f\n", name, s.MaxOverMean, chash.Moved(before, h.Lookup, keys))
	}
	// Output:
	// jump: max/mean 1.006, moved on join 0.248
	// maglev: max/mean 1.005, moved on join 0.246
}

// ExampleBoundedLoad assigns keys under a load bound.
func ExampleBoundedLoad() {
	b, _ := chash.NewBoundedLoad(chash.Options{LoadFactor: 1.1})
	for _, m := range []string{"a", "b", "c", "d"} {
		_ = b.Add(m, 1)
	}
	for i := range uint64(1000) {
		_, _ = b.Assign(chash.Mix64(i))
	}
	for _, m := range b.Members() {
		fmt.Printf("%s holds %d keys (capacity %d)\n", m, b.Load(m), b.Capacity(m))
	}
	// Output:
	// a holds 249 keys (capacity 276)
	// b holds 238 keys (capacity 276)
	// c holds 275 keys (capacity 276)
	// d holds 238 keys (capacity 276)
}
