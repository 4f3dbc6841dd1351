package explore

import (
	"slices"

	"github.com/dsimlab/dsim/checker"
)

// node is a state of a systematic search, named by the path that reaches
// it: its parent's path and one more step. The search keeps paths, not
// worlds: it re-executes a node's path to reach its state.
type node struct {
	parent *node
	mv     move // from the parent; unset at the root
	depth  int32
	used   usage
}

// moves returns the moves from the root to n.
func (n *node) moves() []move {
	moves := make([]move, n.depth)
	for m := n; m.parent != nil; m = m.parent {
		moves[m.depth-1] = m.mv
	}
	return moves
}

// search runs a breadth-first or depth-first search from the root.
func (x *explorer) search() error {
	frontier := []*node{{}}
	for head := 0; head < len(frontier); {
		if stop := x.stopped(); stop != "" {
			x.res.Stop = stop
			return nil
		}
		var n *node
		if x.opts.Mode == BFS {
			n, frontier[head] = frontier[head], nil
			head++
		} else {
			n = frontier[len(frontier)-1]
			frontier = frontier[:len(frontier)-1]
		}
		kids, err := x.visit(n)
		if err != nil || x.res.Violation != nil {
			return err
		}
		if x.opts.Mode == DFS {
			slices.Reverse(kids) // the first choice is explored first
		}
		frontier = append(frontier, kids...)
		if head > 4096 && head > len(frontier)/2 {
			frontier, head = append(frontier[:0], frontier[head:]...), 0
		}
	}
	x.res.Stop = StopExhausted
	x.res.Exhausted = x.res.DepthCut == 0
	return nil
}

// visit reaches n's state, checks it, and returns the nodes one step
// further, or none if it found a counterexample or the state was seen
// before. A state seen before is checked all the same: the checks read the
// history the path made, whose order a state does not keep.
func (x *explorer) visit(n *node) ([]*node, error) {
	r, bad, err := x.reachFrom(n)
	switch {
	case err != nil:
		return nil, err
	case len(bad) > 0: // a panic: the world cannot go on
		x.reached(int(n.depth))
		_, err := x.found(r.path(), bad)
		return nil, err
	}
	x.reached(int(n.depth))
	if bad := guarded(func() []checker.Result { return x.violations(r) }); len(bad) > 0 {
		if stop, err := x.found(r.path(), bad); stop || err != nil {
			return nil, err
		}
	}
	if x.res.Hashing && !x.record(x.stateKey(r), n.used, int(n.depth)) {
		return nil, nil
	}
	return x.expand(r, n), nil
}

// reachFrom reaches n's state: from the world the search left at n's
// parent, if it is there (depth-first, a node's first child comes right
// after it), or else by replaying n's moves. Every world it returns whole
// is kept for the next call.
func (x *explorer) reachFrom(n *node) (r *run, bad []checker.Result, err error) {
	last := x.last
	x.last = lastRun{}
	if last.n != nil && n.parent == last.n {
		r = last.r
		bad, err = r.take(n.mv)
	} else {
		r, bad, err = x.replay(n.moves())
	}
	if err == nil && len(bad) == 0 {
		x.last = lastRun{n, r}
	}
	return r, bad, err
}

// lastRun is the world a search left at node n.
type lastRun struct {
	n *node
	r *run
}

// reached counts a state reached at depth.
func (x *explorer) reached(depth int) {
	x.res.States++
	x.res.Depth = max(x.res.Depth, depth)
}

// expand returns the nodes one step from n, whose state r is, unless the
// depth bound stops there.
func (x *explorer) expand(r *run, n *node) []*node {
	cs := x.choices(r, n.used)
	if x.opts.MaxDepth > 0 && int(n.depth) >= x.opts.MaxDepth {
		if len(cs) > 0 {
			x.res.DepthCut++
		}
		return nil
	}
	kids := make([]*node, len(cs))
	for i, c := range cs {
		kids[i] = &node{parent: n, mv: c.mv, depth: n.depth + 1, used: c.used}
	}
	return kids
}
