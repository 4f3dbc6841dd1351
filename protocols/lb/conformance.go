package lb

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/dsimlab/dsim/sim"
)

// Conformance checks that the balancers newB builds keep the Balancer
// contract, the way testing/fstest.TestFS checks a file system. It drives
// two fresh balancers through the same scripted views (1 to 12 servers,
// changing eligible sets, weights and loads, clocks moving forward) with
// identically seeded random streams, and returns the first breach, or nil:
//
//   - Pick returns a member of View.Eligible;
//   - Pick and Update leave the View as they found it;
//   - the two balancers pick alike (nothing but the View and its stream
//     may influence a pick);
//   - an Observer accepts observations of eligible servers;
//   - a KeyOwner's Owner agrees with the Pick it just made.
func Conformance(newB func() Balancer) error {
	a, b := newB(), newB()
	if a.Name() == "" {
		return fmt.Errorf("conformance: Name is empty")
	}
	va, vb := scriptView(1), scriptView(1)
	script := rand.New(rand.NewPCG(7, 11))
	now := sim.Time(0)
	for round := 0; round < 60; round++ {
		n := 1 + script.IntN(12)
		servers := make([]ServerView, n)
		for i := range servers {
			servers[i] = ServerView{Name: fmt.Sprintf("s%d", i), Weight: float64(1 + script.IntN(4)),
				Outstanding: script.IntN(5), Reported: script.IntN(8), Sent: uint64(script.IntN(3)) + 3, Acked: 3}
		}
		var eligible []int
		for i := range servers {
			if script.IntN(4) > 0 {
				eligible = append(eligible, i)
			}
		}
		if len(eligible) == 0 {
			eligible = []int{script.IntN(n)}
		}
		now += sim.Time(script.IntN(1_000_000))
		for _, v := range []*View{va, vb} {
			v.Now, v.Servers, v.Eligible = now, slices.Clone(servers), slices.Clone(eligible)
		}
		for _, pair := range []struct {
			bal  Balancer
			view *View
		}{{a, va}, {b, vb}} {
			before := snapshotView(pair.view)
			pair.bal.Update(pair.view)
			if err := sameView(before, pair.view); err != nil {
				return fmt.Errorf("conformance: %s: Update %w", pair.bal.Name(), err)
			}
		}
		for k := 0; k < 50; k++ {
			key := script.Uint64()
			before := snapshotView(va)
			pa := a.Pick(va, key)
			if err := sameView(before, va); err != nil {
				return fmt.Errorf("conformance: %s: Pick %w", a.Name(), err)
			}
			pb := b.Pick(vb, key)
			if !slices.Contains(va.Eligible, pa) {
				return fmt.Errorf("conformance: %s picked server %d, not one of the eligible %v", a.Name(), pa, va.Eligible)
			}
			if pa != pb {
				return fmt.Errorf("conformance: %s: two balancers given the same views and streams picked %d and %d (round %d, pick %d)",
					a.Name(), pa, pb, round, k)
			}
			if o, ok := a.(KeyOwner); ok {
				if got := o.Owner(key); got != pa {
					return fmt.Errorf("conformance: %s: Owner(%x) = %d right after Pick chose %d", a.Name(), key, got, pa)
				}
			}
			if o, ok := a.(Observer); ok {
				rtt := time.Duration(script.IntN(5_000_000))
				o.Observe(va, pa, rtt)
				b.(Observer).Observe(vb, pb, rtt)
			}
		}
	}
	return nil
}

func scriptView(seed uint64) *View { return &View{Rand: rand.New(rand.NewPCG(seed, seed))} }

type viewCopy struct {
	now      sim.Time
	servers  []ServerView
	eligible []int
}

func snapshotView(v *View) viewCopy {
	return viewCopy{v.Now, slices.Clone(v.Servers), slices.Clone(v.Eligible)}
}

func sameView(c viewCopy, v *View) error {
	if c.now != v.Now || !slices.Equal(c.servers, v.Servers) || !slices.Equal(c.eligible, v.Eligible) {
		return fmt.Errorf("modified the View")
	}
	return nil
}
