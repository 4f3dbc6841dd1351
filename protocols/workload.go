package protocols

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/dsimlab/dsim/sim/detmath"
)

// Workload is what a scenario's clients do. Protocols interpret it; the
// Generator draws from it.
type Workload struct {
	Ops          int           // operations in all, shared out among the clients
	Mix          []MixEntry    // operation kinds and their weights, sorted by name
	Keys         int           // number of distinct keys
	Distribution string        // "uniform" or "zipf"
	ZipfS        float64       // Zipf exponent (> 1) for "zipf"
	Think        time.Duration // closed loop: pause between one reply and the next request
	Rate         float64       // open loop: Poisson arrivals per second per client (0: closed loop)
	Timeout      time.Duration // a client gives up on an operation after this

	// InFlight is how many operations a client keeps in flight at once,
	// where its protocol allows several (0 or 1: one at a time), so that
	// servers see a client's requests overlap and answer them out of order.
	InFlight int
	// Queries has clients and nodes ask after the fact: a key-value client
	// reads back every key it wrote once its workload is done, a
	// transaction's client and participants ask again for the outcome of
	// transactions that finished, and a node that recovers says what its
	// disk told it, so that a wrong state nothing else looks at is seen.
	Queries bool
}

// MixEntry is one operation kind of a workload and its relative weight.
type MixEntry struct {
	Op     string
	Weight float64
}

// Op is one operation a workload generator drew: its kind (a name from the
// workload's mix, e.g. "get") and its key (e.g. "k3").
type Op struct {
	Kind string
	Key  string
}

// Generator draws a client's operations, keys and pacing from a workload.
// Each client should have its own, fed by its own stream (for example
// env.World.Stream("workload/" + name)), so clients never shift each
// other's draws. It draws Zipf keys and exponential gaps through
// sim/detmath, the same values as math/rand/v2 draws on amd64, so that
// every architecture draws the same operations at the same times.
type Generator struct {
	wl    Workload
	r     *rand.Rand
	total float64
	zipf  *detmath.Zipf
}

// NewGenerator returns a generator for wl drawing from r.
func NewGenerator(wl Workload, r *rand.Rand) *Generator {
	g := &Generator{wl: wl, r: r}
	for _, m := range wl.Mix {
		g.total += m.Weight
	}
	if wl.Distribution == "zipf" && wl.Keys > 1 {
		g.zipf = detmath.NewZipf(r, wl.ZipfS, 1, uint64(wl.Keys-1))
	}
	return g
}

// Next draws the next operation.
func (g *Generator) Next() Op {
	return Op{Kind: g.Kind(), Key: g.Key()}
}

// Kind draws an operation kind from the mix.
func (g *Generator) Kind() string {
	if len(g.wl.Mix) == 0 {
		return ""
	}
	x := float64(g.r.Float64() * g.total) // rounded, lest x -= w fuse with it
	for _, m := range g.wl.Mix {
		if x < m.Weight {
			return m.Op
		}
		x -= m.Weight
	}
	return g.wl.Mix[len(g.wl.Mix)-1].Op
}

// KeyIndex draws a key number in [0, Keys).
func (g *Generator) KeyIndex() int {
	if g.wl.Keys <= 1 {
		return 0
	}
	if g.zipf != nil {
		return int(g.zipf.Uint64())
	}
	return g.r.IntN(g.wl.Keys)
}

// Key draws a key name, "k0" to "k<Keys-1>".
func (g *Generator) Key() string { return fmt.Sprintf("k%d", g.KeyIndex()) }

// Gap draws the wait before the next request: exponential with mean 1/Rate
// for an open-loop workload, the fixed Think time for a closed loop.
func (g *Generator) Gap() time.Duration {
	if g.wl.Rate > 0 {
		// A long gap is capped rather than left to overflow into a
		// negative duration (which would run operations back to back).
		gap := detmath.ExpFloat64(g.r) / g.wl.Rate * float64(time.Second)
		return time.Duration(min(gap, maxGap))
	}
	return g.wl.Think
}

// maxGap is the longest gap Gap returns: about a century, beyond any run.
const maxGap = float64(100 * 365 * 24 * time.Hour)

// Share returns how many of the workload's Ops client number i (from 0) of
// n issues: an even split, the first Ops%n clients taking one more.
func (wl Workload) Share(i, n int) int {
	if n <= 0 {
		return 0
	}
	s := wl.Ops / n
	if i < wl.Ops%n {
		s++
	}
	return s
}
