package sim

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestQueueMatchesSortedReference pushes and pops random entries and checks
// every pop against a slow obvious reference: a slice kept sorted. Like a
// simulation, it never pushes a time earlier than the last one popped (the
// queue is monotone), and it makes many ties and some far-future times. It
// also peeks without popping, after which a push may be earlier than the
// entry peeked at, as when a caller schedules at the current time after
// RunUntil stopped short of the next event.
func TestQueueMatchesSortedReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	var q queue
	var ref []entry
	var seq uint64
	var now Time
	for step := 0; step < 200_000; step++ {
		// Grow the queue for the first half, then drain it.
		push := r.IntN(3) != 0
		if step >= 100_000 {
			push = !push
		}
		if r.IntN(20) == 0 && len(ref) > 0 {
			q.peek() // a run stopping before its next event, as RunUntil does
		}
		if push || len(ref) == 0 {
			seq++
			at := now + Time(r.IntN(50))
			if r.IntN(100) == 0 {
				at = now + Time(r.Int64N(1<<40)) // a far-future timer
			}
			e := entry{at: at, key: seq<<slotBits | uint64(r.IntN(maxSlots))}
			q.push(e)
			i, _ := slices.BinarySearchFunc(ref, e, func(a, b entry) int {
				if a.before(b) {
					return -1
				}
				return 1
			})
			ref = slices.Insert(ref, i, e)
			continue
		}
		want := ref[0]
		ref = ref[1:]
		if got := q.peek(); got != want {
			t.Fatalf("step %d: peek = %+v, want %+v", step, got, want)
		}
		got := q.pop()
		now = got.at
		if got != want {
			t.Fatalf("step %d: pop = %+v, want %+v", step, got, want)
		}
		if q.len() != len(ref) {
			t.Fatalf("step %d: len = %d, want %d", step, q.len(), len(ref))
		}
	}
}

func TestEntryOrder(t *testing.T) {
	tests := []struct {
		a, b entry
		want bool
	}{
		{entry{at: 1, key: 5 << slotBits}, entry{at: 2, key: 1 << slotBits}, true},
		{entry{at: 2, key: 1 << slotBits}, entry{at: 1, key: 5 << slotBits}, false},
		{entry{at: 3, key: 1<<slotBits | 9}, entry{at: 3, key: 2 << slotBits}, true},
		{entry{at: 3, key: 2 << slotBits}, entry{at: 3, key: 1<<slotBits | 9}, false},
		{entry{at: 3, key: 2 << slotBits}, entry{at: 3, key: 2 << slotBits}, false},
		{entry{at: Never, key: 0}, entry{at: Never, key: 1}, true},
	}
	for _, tt := range tests {
		if got := tt.a.before(tt.b); got != tt.want {
			t.Errorf("%+v.before(%+v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestSplitSeedStreamsDiffer(t *testing.T) {
	seen := map[uint64]string{}
	for _, root := range []uint64{0, 1, 2, 1 << 63} {
		for _, name := range []string{"network", "workload", "faults", "node/n1", "node/n2"} {
			s1, _ := SplitSeed(root, name)
			if prev, dup := seen[s1]; dup {
				t.Fatalf("stream %d/%s has the same seed as %s", root, name, prev)
			}
			seen[s1] = name
		}
	}
	a1, a2 := SplitSeed(42, "network")
	b1, b2 := SplitSeed(42, "network")
	if a1 != b1 || a2 != b2 {
		t.Fatal("SplitSeed is not a function of its inputs")
	}
}
