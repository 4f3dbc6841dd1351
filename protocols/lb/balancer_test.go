package lb

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols/chash"
)

func TestNamesAndNew(t *testing.T) {
	names := Names()
	assert.True(t, slices.IsSorted(names))
	assert.Len(t, names, 8)
	for _, name := range names {
		b, err := New(name, Options{})
		require.NoError(t, err, name)
		assert.Equal(t, name, b.Name())
	}
	_, err := New("nope", Options{})
	assert.ErrorIs(t, err, ErrUnknownBalancer)
	for _, tt := range []struct {
		name string
		opts Options
	}{
		{NamePowerOfD, Options{D: -1}},
		{NamePeakEWMA, Options{Decay: -time.Second}},
		{NameConsistentHash, Options{Hash: "nope"}},
		{NameConsistentHash, Options{Hash: chash.NameBoundedLoad, HashOptions: chash.Options{LoadFactor: 0.5}}},
	} {
		_, err := New(tt.name, tt.opts)
		assert.ErrorIs(t, err, ErrInvalidConfig, "%s %+v", tt.name, tt.opts)
	}
}

func TestParseSpec(t *testing.T) {
	tests := []struct {
		spec string
		name string
		opts Options
		err  error
	}{
		{"random", NameRandom, Options{}, nil},
		{"power-of-d:3", NamePowerOfD, Options{D: 3}, nil},
		{"consistent-hash:maglev", NameConsistentHash, Options{Hash: chash.NameMaglev}, nil},
		{"peak-ewma:2s", NamePeakEWMA, Options{Decay: 2 * time.Second}, nil},
		{"power-of-d:0", "", Options{}, ErrInvalidConfig},
		{"power-of-d:x", "", Options{}, ErrInvalidConfig},
		{"consistent-hash:md5", "", Options{}, ErrInvalidConfig},
		{"peak-ewma:-1s", "", Options{}, ErrInvalidConfig},
		{"random:3", "", Options{}, ErrInvalidConfig},
		{"bogus:3", "", Options{}, ErrUnknownBalancer},
	}
	for _, tt := range tests {
		name, opts, err := ParseSpec(tt.spec, Options{})
		if tt.err != nil {
			assert.ErrorIs(t, err, tt.err, tt.spec)
			continue
		}
		require.NoError(t, err, tt.spec)
		assert.Equal(t, tt.name, name)
		assert.Equal(t, tt.opts, opts)
	}
}

func TestConformance(t *testing.T) {
	for _, name := range Names() {
		for _, opts := range []Options{{}, {D: 3}, {Hash: chash.NameJump}, {Hash: chash.NameBoundedLoad}, {Hash: chash.NameMaglev, HashOptions: chash.Options{TableSize: 251}}} {
			t.Run(name, func(t *testing.T) {
				assert.NoError(t, Conformance(func() Balancer { b, _ := New(name, opts); return b }))
			})
		}
	}
}

// Broken balancers that Conformance must reject.
type outsider struct{ Random }

func (outsider) Pick(v *View, _ uint64) int { return len(v.Servers) } // not even a server

type meddler struct{ Random }

func (meddler) Pick(v *View, k uint64) int { v.Servers[0].Outstanding++; return v.Eligible[0] }

var shared int // state shared between instances: what a global random source would be

type leaker struct{ Random }

func (leaker) Pick(v *View, _ uint64) int { shared++; return v.Eligible[shared%len(v.Eligible)] }

type wrongOwner struct{ *ConsistentHash }

func (w wrongOwner) Owner(key uint64) int { return -1 }

func TestConformanceCatchesBreaches(t *testing.T) {
	tests := []struct {
		name string
		newB func() Balancer
		want string
	}{
		{"ineligible", func() Balancer { return &outsider{} }, "not one of the eligible"},
		{"modifies view", func() Balancer { return &meddler{} }, "modified the View"},
		{"shared state", func() Balancer { return &leaker{} }, "picked"},
		{"owner disagrees", func() Balancer { c, _ := NewConsistentHash("", chash.Options{}); return wrongOwner{c} }, "Owner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Conformance(tt.newB)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestServerViewQueue(t *testing.T) {
	tests := []struct {
		s    ServerView
		want int
	}{
		{ServerView{Reported: 3}, 3},
		{ServerView{Reported: 3, Sent: 10, Acked: 7}, 6}, // 3 of ours still on the wire
		{ServerView{Reported: 3, Sent: 7, Acked: 10}, 3}, // never below the report
		{ServerView{Reported: 0, Sent: 5, Acked: 0}, 5},  // no report yet
		{ServerView{Reported: 2, Outstanding: 9}, 2},     // outstanding is not queue
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.s.Queue(), "%+v", tt.s)
	}
}

func TestRoundRobin(t *testing.T) {
	v := testView(4, 1)
	rr := &RoundRobin{}
	rr.Update(v)
	first := rr.Pick(v, 0)
	var seq []int
	for i := 0; i < 8; i++ {
		seq = append(seq, rr.Pick(v, 0))
	}
	for i, s := range seq {
		assert.Equal(t, (first+1+i)%4, s, "pick %d", i)
	}
	// Fewer eligible servers: still cycles over exactly them.
	v.Eligible = []int{1, 3}
	rr.Update(v)
	got := picks(rr, v, 10)
	assert.Equal(t, []int{0, 5, 0, 5}, got)
	// Different streams start in different places.
	starts := map[int]bool{}
	for seed := uint64(0); seed < 20; seed++ {
		v := testView(4, seed)
		r := &RoundRobin{}
		r.Update(v)
		starts[r.Pick(v, 0)] = true
	}
	assert.Greater(t, len(starts), 1, "round-robin start is drawn from the node's stream")
}

// TestSmoothWeightedRoundRobin checks the sequence nginx documents for
// weights 5, 1, 1 and the exact shares over a window.
func TestSmoothWeightedRoundRobin(t *testing.T) {
	v := testView(3, 1)
	v.Servers[0].Weight = 5
	w := &WeightedRoundRobin{}
	w.Update(v)
	var names []string
	for i := 0; i < 7; i++ {
		names = append(names, string("abc"[w.Pick(v, 0)]))
	}
	assert.Equal(t, "aabacaa", strings.Join(names, ""))

	v = testView(4, 1)
	for i, wt := range []float64{1, 2, 3, 4} {
		v.Servers[i].Weight = wt
	}
	w.Update(v)
	assert.Equal(t, []int{10, 20, 30, 40}, picks(w, v, 100), "10 windows of total weight 10")
	// An ineligible server gets nothing; the others keep their ratio.
	v.Eligible = []int{0, 2}
	w.Update(v)
	assert.Equal(t, []int{25, 0, 75, 0}, picks(w, v, 100))
}

func TestLeastConnections(t *testing.T) {
	v := testView(4, 1)
	for i, o := range []int{3, 1, 2, 1} {
		v.Servers[i].Outstanding = o
	}
	lc := &LeastConnections{}
	counts := picks(lc, v, 2000)
	assert.Zero(t, counts[0])
	assert.Zero(t, counts[2])
	assert.InDelta(t, 1000, counts[1], 100, "ties split evenly")
	assert.InDelta(t, 1000, counts[3], 100, "ties split evenly")
	// Weight: (1+1)/1 = 2 against (3+1)/4 = 1: the heavy server wins.
	v.Servers[0].Weight = 4
	assert.Equal(t, 0, lc.Pick(v, 0))
	// It ignores reported queues: they are other balancers' business.
	v = testView(2, 1)
	v.Servers[0].Reported = 100
	v.Servers[1].Outstanding = 1
	assert.Equal(t, 0, lc.Pick(v, 0))
}

func TestJSQ(t *testing.T) {
	v := testView(3, 1)
	v.Servers[0].Reported = 1
	v.Servers[1].Reported = 0
	v.Servers[1].Sent, v.Servers[1].Acked = 4, 1 // 3 of ours in flight: estimate 3
	v.Servers[2].Reported = 2
	v.Servers[2].Outstanding = 50 // JSQ does not care
	j := &JSQ{}
	assert.Equal(t, 0, j.Pick(v, 0))
	v.Servers[0].Reported = 5
	assert.Equal(t, 2, j.Pick(v, 0))
	// Shortest expected delay with weights: (2+1)/1 vs (5+1)/4.
	v.Servers[0].Weight = 4
	assert.Equal(t, 0, j.Pick(v, 0))
}

func TestPowerOfD(t *testing.T) {
	const n, k = 10, 20000
	v := testView(n, 3)
	for i := range v.Servers {
		v.Servers[i].Reported = i // server 0 is the shortest, 9 the longest
	}
	p, err := NewPowerOfD(2)
	require.NoError(t, err)
	counts := picks(p, v, k)
	assert.Zero(t, counts[n-1], "the longest queue loses every comparison")
	// The shortest wins whenever it is sampled: probability 2/n.
	assert.InDelta(t, 2.0/n, float64(counts[0])/k, 0.01)
	// Server i wins when it is sampled with a longer one: 2(n-1-i)/(n(n-1)).
	for i := 0; i < n; i++ {
		want := 2 * float64(n-1-i) / float64(n*(n-1))
		assert.InDelta(t, want, float64(counts[i])/k, 0.01, "server %d", i)
	}

	// d = 3 samples three distinct servers: the two longest never win.
	p3, _ := NewPowerOfD(3)
	counts = picks(p3, v, k)
	assert.Zero(t, counts[n-1])
	assert.Zero(t, counts[n-2])
	assert.InDelta(t, 3.0/n, float64(counts[0])/k, 0.01)

	// d = 1 is random; d >= n is JSQ.
	p1, _ := NewPowerOfD(1)
	counts = picks(p1, v, k)
	for i := range counts {
		assert.InDelta(t, 1.0/n, float64(counts[i])/k, 0.01)
	}
	pn, _ := NewPowerOfD(n)
	assert.Equal(t, []int{k, 0, 0, 0, 0, 0, 0, 0, 0, 0}, picks(pn, v, k))
	p0, _ := NewPowerOfD(0)
	assert.Equal(t, DefaultD, p0.D())
}

func TestFloydSamplesDistinct(t *testing.T) {
	v := testView(6, 9)
	seen := map[[3]int]bool{}
	for i := 0; i < 2000; i++ {
		s := floyd(v, 3, nil)
		require.Len(t, s, 3)
		c := slices.Clone(s)
		slices.Sort(c)
		require.Equal(t, len(c), len(slices.Compact(c)), "distinct: %v", s)
		seen[[3]int(c)] = true
	}
	assert.Len(t, seen, 20, "every 3-subset of 6 appears")
}

func TestPeakEWMA(t *testing.T) {
	p, err := NewPeakEWMA(time.Second)
	require.NoError(t, err)
	v := testView(2, 1)
	p.Update(v)
	// No history: cost 0, and a penalty once a request is outstanding.
	assert.Equal(t, 0.0, p.Load(v, 0))
	v.Servers[0].Outstanding = 2
	assert.Equal(t, peakPenalty+2, p.Load(v, 0))
	// A peak is taken at once.
	p.Observe(v, 0, 10*time.Millisecond)
	assert.InDelta(t, 10e6*3, p.Load(v, 0), 1e-6)
	// A lower observation after Δt = τ weighs 1−1/e.
	v.Now = ms(1000)
	p.Observe(v, 0, 4*time.Millisecond)
	want := 10e6*math.Exp(-1) + 4e6*(1-math.Exp(-1))
	assert.InDelta(t, want, p.cost[0], 1)
	// Reading decays towards zero: an idle slow server is forgiven.
	v.Now = ms(1000 + 5000)
	v.Servers[0].Outstanding = 0
	assert.InDelta(t, want*math.Exp(-5), p.Load(v, 0), 1)

	// Between a slow and a fast server, two choices pick the fast one.
	p, _ = NewPeakEWMA(time.Second)
	v = testView(2, 1)
	p.Update(v)
	p.Observe(v, 0, 50*time.Millisecond)
	p.Observe(v, 1, time.Millisecond)
	assert.Equal(t, []int{0, 100}, picks(p, v, 100))
	// Unless the fast one is swamped: 1ms×(60+1) > 50ms×1.
	v.Servers[1].Outstanding = 60
	assert.Equal(t, 0, p.Pick(v, 0))
}

func TestConsistentHash(t *testing.T) {
	for _, algo := range chash.Names() {
		t.Run(algo, func(t *testing.T) {
			c, err := NewConsistentHash(algo, chash.Options{})
			require.NoError(t, err)
			v := testView(6, 1)
			v.Eligible = []int{0, 1, 2, 3, 4}
			c.Update(v)
			keys := make([]uint64, 20000)
			owner := make([]int, len(keys))
			for i := range keys {
				keys[i] = chash.Mix64(uint64(i))
				owner[i] = c.Pick(v, keys[i])
				require.Equal(t, owner[i], c.Pick(v, keys[i]), "same key, same server")
			}
			// Server 5 joins: keys move only to it, about 1/6 of them.
			v.Eligible = []int{0, 1, 2, 3, 4, 5}
			c.Update(v)
			moved := 0
			for i, k := range keys {
				now := c.Pick(v, k)
				if now != owner[i] {
					moved++
					if algo != chash.NameMaglev && algo != chash.NameBoundedLoad {
						assert.Equal(t, 5, now, "a key moves only to the new server")
					}
				}
			}
			frac := float64(moved) / float64(len(keys))
			assert.InDelta(t, 1.0/6, frac, 0.05, "fraction moved")
			// Server 2 leaves: jump cannot remove it in place and rebuilds.
			v.Eligible = []int{0, 1, 3, 4, 5}
			c.Update(v)
			for _, k := range keys[:2000] {
				assert.NotEqual(t, 2, c.Pick(v, k))
			}
			assert.Equal(t, []string{"n1", "n2", "n4", "n5", "n6"}, c.Hasher().Members())
		})
	}
	// Weights reach the hasher (but not jump's).
	c, _ := NewConsistentHash(chash.NameRendezvous, chash.Options{})
	v := testView(2, 1)
	v.Servers[1].Weight = 3
	c.Update(v)
	counts := picks(c, v, 20000)
	assert.InDelta(t, 0.75, float64(counts[1])/20000, 0.03)
	v.Servers[1].Weight = 1 // a weight change re-adds the member
	c.Update(v)
	counts = picks(c, v, 20000)
	assert.InDelta(t, 0.5, float64(counts[1])/20000, 0.03)
}
