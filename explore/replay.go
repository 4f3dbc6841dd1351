package explore

import (
	"errors"
	"fmt"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// ErrNondeterministic is returned when a path does not replay: a step
// finds the run at another event count than when the step was chosen, or
// its event is not pending. The kernel is deterministic, so this means the
// protocol is not (a map iteration, the wall clock, a global random
// source).
var ErrNondeterministic = errors.New("explore: the run did not replay the same way")

// run is a world rebuilt at a state of the search: the scenario built
// afresh with the seed, the nodes' first starts processed in the kernel's
// order (as every run begins), then the steps of a path applied.
type run struct {
	w     *sim.World
	inst  protocols.Instance
	facts map[string]struct{} // "node: fact", every fact recorded so far
	// factSum hashes facts as a set: the sum of their keys.
	factSum key
	hash    *hasher
	// steps are the steps taken since the start, as a path file keeps them.
	steps []scenarios.Step
}

// build rebuilds the world at the start of every path.
func (x *explorer) build() (*run, error) {
	w, inst, _, err := scenarios.Build(x.s, x.seed, false)
	if err != nil {
		return nil, fmt.Errorf("explore: %w", err)
	}
	r := &run{w: w, inst: inst, facts: map[string]struct{}{}, hash: x.hash}
	w.Observe(r.observe)
	for {
		p := w.Pending()
		if len(p) == 0 || p[0].Kind != sim.KindStart || p[0].Held {
			return r, nil
		}
		w.RunEvents(1)
	}
}

// observe keeps the facts the nodes record: they are part of a state,
// since the checks read them.
func (r *run) observe(e *sim.Event) {
	if e.Kind != sim.KindRecord {
		return
	}
	f := r.w.Name(e.Node) + ": " + e.Text
	if _, ok := r.facts[f]; !ok {
		r.facts[f] = struct{}{}
		r.factSum.add(r.hash.ofString(f))
	}
}

// replay rebuilds the world and takes moves. A panic in the protocol's
// code on the way is a finding (bad), not an error; the run is nil if it
// happened as the nodes started.
func (x *explorer) replay(moves []move) (*run, []checker.Result, error) {
	var r *run
	var err error
	bad := guarded(func() []checker.Result {
		r, err = x.build()
		return nil
	})
	for _, mv := range moves {
		if err != nil || len(bad) > 0 {
			break
		}
		bad, err = r.take(mv)
	}
	return r, bad, err
}

// path returns the steps taken so far; none for a run that never started.
func (r *run) path() []scenarios.Step {
	if r == nil {
		return nil
	}
	return r.steps
}

// take makes the choice mv in the world and adds it to the steps. A panic
// in the protocol's code is a failed check (bad): the world cannot go on.
func (r *run) take(mv move) (bad []checker.Result, err error) {
	st := mv.step(r.w)
	r.steps = append(r.steps, st)
	bad = guarded(func() []checker.Result {
		err = r.apply(st)
		return nil
	})
	if err != nil {
		err = fmt.Errorf("%w: step %d: %w", ErrNondeterministic, len(r.steps)-1, err)
	}
	return bad, err
}

// apply makes the choice st in the world, which must be where st was
// chosen.
func (r *run) apply(st scenarios.Step) error {
	w := r.w
	if w.Events() != st.After {
		return fmt.Errorf("%s after %d events, but the run has %d", st.Action, st.After, w.Events())
	}
	switch st.Action {
	case scenarios.ActionFire:
		return w.Fire(st.Event)
	case scenarios.ActionDrop:
		return w.Drop(st.Event)
	case scenarios.ActionDuplicate:
		return w.Duplicate(st.Event)
	}
	id, ok := w.Lookup(st.Node)
	if !ok {
		return fmt.Errorf("no node %q", st.Node)
	}
	if st.Action == scenarios.ActionCrash {
		w.Crash(id)
	} else {
		w.Restart(id)
	}
	return nil
}
