package explore

import (
	"math/rand/v2"

	"github.com/dsimlab/dsim/checker"
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
		var p picker = randomPicker{rng}
		if x.opts.Mode == PCT {
			p = newPCT(rng, x.opts.PCTDepth, longest)
		}
		n, err := x.walk(p)
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
func (x *explorer) walk(p picker) (int, error) {
	r, bad, err := x.replay(nil)
	var used usage
	for err == nil {
		depth := len(r.path())
		x.reached(depth)
		broken := len(bad) > 0 // a panic: the world cannot go on
		if !broken {
			bad = x.check(r)
		}
		if len(bad) > 0 {
			if stop, err := x.found(r.path(), bad); stop || err != nil || broken {
				return depth, err
			}
		}
		cs := x.choices(r, used)
		c, ok := choice{}, len(cs) > 0 && depth < x.opts.MaxDepth
		if ok {
			c, ok = p.pick(cs, depth)
		}
		if !ok {
			return depth, nil
		}
		used = c.used
		bad, err = r.take(c.mv)
	}
	return 0, err
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

// pctPicker is a PCT scheduler (Burckhardt et al., ASPLOS 2010) whose
// threads are events: every pending event gets a distinct random priority
// above d when it is first seen (a message sent, a timer set: a thread
// created), and the highest-priority event goes next; at the j-th of d-1
// change points, steps drawn uniformly from [1, k], the event about to go
// drops to priority j instead, below every other, and the next one goes.
// It chooses no faults.
type pctPicker struct {
	rng    *rand.Rand
	d      int
	prio   map[uint64]int // by event id
	change map[int]int    // step number (from 1) -> the priority it gives
}

// newPCT starts a PCT walk aiming at depth d over walks of about k steps.
func newPCT(rng *rand.Rand, d, k int) *pctPicker {
	p := &pctPicker{rng: rng, d: d, prio: map[uint64]int{}, change: map[int]int{}}
	for j := 1; j < d; j++ {
		p.change[1+rng.IntN(max(k, 1))] = j
	}
	return p
}

// priority returns event id's priority, drawing it the first time.
func (p *pctPicker) priority(id uint64) int {
	v, ok := p.prio[id]
	if !ok {
		v = p.d + 1 + p.rng.IntN(1<<30)
		p.prio[id] = v
	}
	return v
}

func (p *pctPicker) pick(cs []choice, i int) (choice, bool) {
	best, found := p.best(cs)
	if j, ok := p.change[i+1]; ok && found {
		p.prio[best.mv.id] = j
		best, found = p.best(cs)
	}
	return best, found
}

// best returns the fired event of cs with the highest priority (the first
// in the kernel's order among equals).
func (p *pctPicker) best(cs []choice) (choice, bool) {
	best, top, found := choice{}, 0, false
	for _, c := range cs {
		if c.mv.action != fire {
			continue
		}
		if v := p.priority(c.mv.id); !found || v > top {
			best, top, found = c, v, true
		}
	}
	return best, found
}
