package lb

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols/chash"
)

// TestIndexedPicksAreLeastLoaded drives JSQ and least-connections through
// random load changes, eligible sets and weights, telling them of each
// change as a node does, and checks every pick against the obvious scan:
// the server picked has the least score among the eligible, and ties are
// shared (every tied server is picked sometimes).
func TestIndexedPicksAreLeastLoaded(t *testing.T) {
	for _, name := range []string{NameJSQ, NameLeastConnections} {
		t.Run(name, func(t *testing.T) {
			script := rand.New(rand.NewPCG(9, 9))
			b, err := New(name, Options{})
			require.NoError(t, err)
			w := b.(LoadWatcher)
			score := queueScore
			if name == NameLeastConnections {
				score = func(s *ServerView) float64 { return float64(s.Outstanding+1) / s.Weight }
			}
			for round := 0; round < 30; round++ {
				n := 1 + script.IntN(60)
				v := testView(n, uint64(round))
				if round%5 == 4 { // unequal weights: the scan
					v.Servers[0].Weight = 3
				}
				v.Eligible = v.Eligible[:0]
				for i := 0; i < n; i++ {
					if script.IntN(4) > 0 || i == 0 {
						v.Eligible = append(v.Eligible, i)
					}
				}
				for i := range v.Servers {
					v.Servers[i].Outstanding, v.Servers[i].Reported = script.IntN(4), script.IntN(4)
				}
				b.Update(v)
				for step := 0; step < 300; step++ {
					i := script.IntN(n)
					s := &v.Servers[i]
					switch script.IntN(4) {
					case 0:
						s.Outstanding++
						s.Sent++
					case 1:
						s.Outstanding = max(0, s.Outstanding-1)
					case 2:
						s.Reported = script.IntN(6)
						s.Acked = s.Sent
					default:
						s.Reported = max(0, s.Reported-1)
					}
					w.Changed(v, i)
					got := b.Pick(v, 0)
					require.Contains(t, v.Eligible, got)
					best := score(&v.Servers[got])
					for _, e := range v.Eligible {
						require.LessOrEqual(t, best, score(&v.Servers[e]), "round %d step %d: picked %d, but %d is less loaded", round, step, got, e)
					}
				}
			}
			// Ties are shared.
			v := testView(8, 1)
			b.Update(v)
			counts := picks(b, v, 8000)
			for i, c := range counts {
				assert.InDelta(t, 1000, c, 150, "server %d", i)
			}
		})
	}
}

// TestBoundedLoadBoundsRequestsInFlight: consistent-hash over bounded-load
// sends a key to its ring owner while the owner is below ceil(c × (m+1) /
// n) outstanding requests, and past an owner at the bound to the next
// server clockwise below it.
func TestBoundedLoadBoundsRequestsInFlight(t *testing.T) {
	b, err := NewConsistentHash(chash.NameBoundedLoad, chash.Options{})
	require.NoError(t, err)
	ring, err := NewConsistentHash(chash.NameRing, chash.Options{})
	require.NoError(t, err)
	v := testView(4, 1)
	b.Update(v)
	ring.Update(v)
	for k := uint64(0); k < 2000; k++ {
		require.Equal(t, ring.Pick(v, mix(k)), b.Pick(v, mix(k)), "idle: the ring's owner")
	}
	v.Servers[0].Outstanding = 10 // m = 10: capacities ceil(1.25 × 11 / 4) = 4
	b.Update(v)
	moved := 0
	for k := uint64(0); k < 2000; k++ {
		got, owner := b.Pick(v, mix(k)), ring.Pick(v, mix(k))
		require.NotEqual(t, 0, got, "server 0 is over its bound")
		assert.Equal(t, got, b.Owner(mix(k)), "Owner agrees with Pick")
		if owner == 0 {
			moved++
		} else {
			require.Equal(t, owner, got, "keys of servers below the bound stay")
		}
	}
	assert.Positive(t, moved)
}
