package explore

import (
	"fmt"
	"math/rand/v2"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// picker chooses the next step of a walk among the choices cs (not empty)
// at step number i.
type picker interface {
	pick(cs []choice, i int) (choice, bool)
}

// walks runs Options.Runs walks, each from the start, with its own
// stream of random choices.
func (x *explorer) walks() error {
	longest := x.opts.MaxDepth // PCT's estimate of a walk's length, then the longest seen
	for i := range x.opts.Runs {
		if stop := x.stopped(); stop != "" {
			x.res.Stop = stop
			return nil
		}
		rng := rand.New(rand.NewPCG(x.opts.SearchSeed, uint64(i)))
		n, err := x.walk(func(nodes int) picker {
			if x.opts.Mode == PCT {
				return newPCT(rng, nodes, x.opts.PCTDepth, longest)
			}
			return randomPicker{rng}
		})
		if err != nil || x.res.Violation != nil {
			return err
		}
		longest = max(n, 1)
	}
	x.res.Stop = StopRuns
	return nil
}

// walk runs one walk from the start, checking every state, until the
// picker stops, no step is left, MaxDepth, or a violation. It returns the
// walk's length.
func (x *explorer) walk(newPicker func(nodes int) picker) (int, error) {
	r, bad, err := x.reach(nil)
	if err != nil {
		return 0, err
	}
	p := newPicker(len(r.w.Nodes()))
	var steps []scenarios.Step
	var used usage
	for {
		x.reached(len(steps))
		broken := len(bad) > 0 // a panic: the world cannot go on
		if !broken {
			bad = x.check(r)
		}
		if len(bad) > 0 {
			if stop, err := x.found(steps, bad); stop || err != nil || broken {
				return len(steps), err
			}
		}
		cs := x.choices(r, used)
		c, ok := choice{}, len(cs) > 0 && len(steps) < x.opts.MaxDepth
		if ok {
			c, ok = p.pick(cs, len(steps))
		}
		if !ok {
			return len(steps), nil
		}
		st := c.mv.step(r.w)
		steps, used = append(steps, st), c.used
		var aerr error
		bad = guarded(func() []checker.Result {
			aerr = r.apply(st)
			return nil
		})
		if aerr != nil {
			return 0, fmt.Errorf("%w: %w", ErrNondeterministic, aerr)
		}
	}
}

// check counts r's state among the unique ones (with hashing) and returns
// the safety checks that fail there.
func (x *explorer) check(r *run) []checker.Result {
	if x.res.Hashing {
		x.seen[x.stateKey(r)] = mark{}
	}
	return guarded(func() []checker.Result { return x.violations(r) })
}

// randomPicker picks uniformly among every choice, faults included.
type randomPicker struct{ rng *rand.Rand }

func (p randomPicker) pick(cs []choice, _ int) (choice, bool) { return cs[p.rng.IntN(len(cs))], true }

// pctPicker is the PCT scheduler of Burckhardt et al. (ASPLOS 2010) over
// nodes instead of threads: every node, and the scheduled calls as one
// more, has a distinct random priority of at least d; the event handled by
// the highest-priority node that has one goes next (that node's earliest,
// in the kernel's order); at the j-th of d-1 change points, steps drawn
// uniformly from [1, k], the node that handled the step drops to priority
// j, below every other. It fires events only: no faults.
type pctPicker struct {
	prio   []int       // by node id; the last is the scheduled calls'
	change map[int]int // step number (from 1) -> the priority it gives
}

// newPCT starts a PCT walk over nodes nodes, aiming at depth d over walks
// of about k steps.
func newPCT(rng *rand.Rand, nodes, d, k int) *pctPicker {
	p := &pctPicker{prio: rng.Perm(nodes + 1), change: map[int]int{}}
	for i := range p.prio {
		p.prio[i] += d
	}
	for j := 1; j < d; j++ {
		p.change[1+rng.IntN(max(k, 1))] = j
	}
	return p
}

// slot is where node's priority is kept.
func (p *pctPicker) slot(node sim.NodeID) int {
	if node == sim.None || int(node) >= len(p.prio)-1 {
		return len(p.prio) - 1
	}
	return int(node)
}

func (p *pctPicker) pick(cs []choice, i int) (choice, bool) {
	best, found := choice{}, false
	for _, c := range cs {
		if c.mv.action != fire {
			continue
		}
		if !found || p.prio[p.slot(c.to)] > p.prio[p.slot(best.to)] {
			best, found = c, true
		}
	}
	if j, ok := p.change[i+1]; ok && found {
		p.prio[p.slot(best.to)] = j
	}
	return best, found
}
