// Package chash maps keys to members with five consistent-hashing
// algorithms behind one small interface, so that they can be compared like
// for like: how evenly they spread keys, how many keys move when a member
// joins or leaves, and how fast a lookup is.
//
// # Algorithms
//
// Pick one by name with New (Names lists them) or build one directly:
//
//	name          type         lookup            weights  notes
//	ring          Ring         O(log P) search   yes      VNodes points per unit of weight
//	rendezvous    Rendezvous   O(n) scores       yes      highest random weight
//	jump          Jump         O(log n) loop     no       only the last member can leave
//	bounded-load  BoundedLoad  ring walk         yes      stateful: Assign and Release
//	maglev        Maglev       O(1) table        yes      prime TableSize, default 65537
//
// Here n is the number of members and P the number of ring points.
// Options holds the few parameters (VNodes, LoadFactor, TableSize); its zero
// value selects the defaults, and each algorithm ignores the fields it does
// not use.
//
// # Keys and members
//
// A key is a uint64 that is already a hash: use HashKey for strings and
// Mix64 for integer ids. Both are fixed functions (FNV-1a 64 and the
// splitmix64 finalizer), never seeded per process, so a mapping is the same
// in every run and on every machine. Members are non-empty names with a
// positive weight; a member of weight 2 is meant to receive twice the keys
// of a member of weight 1.
//
// Every algorithm is deterministic, and all but jump depend only on the set
// of members and their weights, not on the order they were added in. Jump
// numbers its buckets in Add order, which is the algorithm itself; the same
// sequence of Add and Remove calls always gives the same mapping.
//
// Lookup never allocates. Bounded-load is the one stateful algorithm: it
// implements LoadAware, whose Assign places a key and counts it against a
// member's capacity, and whose Release forgets it; its mapping is the
// paper's placement of the keys under the capacities for all of them, so a
// join moves about the newcomer's share (9.1% of 10,000 keys when an 11th
// member joins). Place drives any Hasher the same way, assigning on a
// LoadAware one and looking up on the others. Build adds many members at
// once, in one step for Maglev and the ring.
//
// # Measuring
//
// Measure looks up a set of keys and returns LoadStats: keys per member,
// max/mean and the coefficient of variation. Snapshot records the owners of
// a set of keys before a change, and Moved returns the fraction of keys whose
// owner changed:
//
//	h, err := chash.New(chash.NameMaglev, chash.Options{})
//	if err != nil {
//		return err
//	}
//	for _, m := range []string{"a", "b", "c"} {
//		if err := h.Add(m, 1); err != nil {
//			return err
//		}
//	}
//	keys := make([]uint64, 100000)
//	for i := range keys {
//		keys[i] = chash.Mix64(uint64(i))
//	}
//	fmt.Printf("max/mean %.3f\n", chash.Measure(h, keys).MaxOverMean)
//	before := chash.Snapshot(h, keys)
//	if err := h.Add("d", 1); err != nil {
//		return err
//	}
//	fmt.Printf("moved %.3f\n", chash.Moved(before, h.Lookup, keys)) // about 1/4
//
// # Errors
//
// Errors wrap one of the package's sentinels (ErrUnknownAlgorithm,
// ErrInvalidOption, ErrInvalidMember, ErrInvalidWeight, ErrDuplicateMember,
// ErrUnknownMember, ErrUnsupported, ErrEmpty) with the algorithm and member
// involved; test for them with errors.Is. A failed call changes nothing.
//
// # Concurrency
//
// A hasher belongs to one goroutine, like everything a dsim node owns.
// Concurrent Lookup calls are safe as long as nothing modifies the hasher.
package chash
