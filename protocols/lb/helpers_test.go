package lb

import (
	"fmt"
	"math/rand/v2"

	"github.com/dsimlab/dsim/sim"
)

// testView returns a view of n servers of weight 1, all eligible, with a
// stream seeded by seed.
func testView(n int, seed uint64) *View {
	v := &View{Rand: rand.New(rand.NewPCG(seed, 1))}
	for i := 0; i < n; i++ {
		v.Servers = append(v.Servers, ServerView{Name: fmt.Sprintf("n%d", i+1), Weight: 1})
		v.Eligible = append(v.Eligible, i)
	}
	return v
}

// picks runs k picks of b on v with keys 0..k-1 (mixed) and counts them by
// server.
func picks(b Balancer, v *View, k int) []int {
	counts := make([]int, len(v.Servers))
	for i := 0; i < k; i++ {
		counts[b.Pick(v, mix(uint64(i)))]++
	}
	return counts
}

func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

func ms(n float64) sim.Time { return sim.Time(n * 1e6) }

// collect returns f of each run.
func collect(runs []*Result, f func(*Result) float64) []float64 {
	out := make([]float64, len(runs))
	for i, r := range runs {
		out[i] = f(r)
	}
	return out
}

// simulate runs cfg once with seed, as a program that builds its own World
// does: the World gets cfg.Link (or DefaultLink), Build schedules the
// faults, and the run lasts cfg.Duration (or, without one, until every
// request is answered or has timed out).
func simulate(cfg Config, seed uint64) (*Result, error) {
	link := cfg.Link
	if link.Latency.Kind == "" {
		link = DefaultLink
	}
	w, err := sim.New(sim.Config{Seed: seed, Link: link})
	if err != nil {
		return nil, fmt.Errorf("lb: %w: %w", ErrInvalidConfig, err)
	}
	in, err := Build(w, cfg)
	if err != nil {
		return nil, err
	}
	if d := in.Config().Duration; d > 0 {
		w.RunUntil(sim.Time(d))
	} else {
		w.Run()
	}
	return in.Result(), nil
}
