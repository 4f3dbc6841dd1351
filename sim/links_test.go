package sim_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/sim"
)

// linkMatrix is the obvious reference for which links are cut: one flag per
// ordered pair, updated the way the kernel documents Partition, Cut, Heal and
// HealLink.
type linkMatrix [][]bool

func newLinkMatrix(n int) linkMatrix {
	m := make(linkMatrix, n)
	for i := range m {
		m[i] = make([]bool, n)
	}
	return m
}

func (m linkMatrix) partition(groups [][]sim.NodeID) {
	group := make([]int, len(m))
	for i := range group {
		group[i] = -1
	}
	for g, ids := range groups {
		for _, id := range ids {
			group[id] = g
		}
	}
	for i := range m {
		for j := range m[i] {
			m[i][j] = group[i] != group[j]
		}
	}
}

func (m linkMatrix) heal() { m.partition(nil) }

// TestLinksMatchTheReferenceMatrix applies random sequences of partitions,
// one-way cuts and heals to a world and to the reference, and compares every
// link after each step; the world keeps no per-pair state to do so.
func TestLinksMatchTheReferenceMatrix(t *testing.T) {
	const n = 7
	r := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 200; round++ {
		w, err := sim.New(sim.Config{Seed: 1})
		require.NoError(t, err)
		for i := 0; i < n; i++ {
			w.MustAddNode(fmt.Sprintf("n%d", i), func() sim.Node { return idle{} })
		}
		ref := newLinkMatrix(n)
		for step := 0; step < 12; step++ {
			a, b := sim.NodeID(r.IntN(n)), sim.NodeID(r.IntN(n))
			var what string
			switch r.IntN(4) {
			case 0:
				groups := make([][]sim.NodeID, r.IntN(3)+1)
				for _, id := range r.Perm(n)[:r.IntN(n+1)] {
					g := r.IntN(len(groups))
					groups[g] = append(groups[g], sim.NodeID(id))
				}
				w.Partition(groups...)
				ref.partition(groups)
				what = fmt.Sprintf("partition %v", groups)
			case 1:
				w.Cut(a, b)
				ref[a][b] = true
				what = fmt.Sprintf("cut %d->%d", a, b)
			case 2:
				w.HealLink(a, b)
				ref[a][b] = false
				what = fmt.Sprintf("heal %d->%d", a, b)
			case 3:
				w.Heal()
				ref.heal()
				what = "heal"
			}
			for i := range ref {
				for j := range ref[i] {
					require.Equal(t, ref[i][j], w.Blocked(sim.NodeID(i), sim.NodeID(j)),
						"round %d step %d (%s): link %d->%d", round, step, what, i, j)
				}
			}
		}
	}
}
