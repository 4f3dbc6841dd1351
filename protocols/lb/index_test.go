package lb

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
