package debugger

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// Run is what a debugger looks at: a scenario, a seed and the choices made
// so far instead of the kernel (the branch). Every look at it re-executes
// the run from the start, so a point of it is always exactly what the same
// scenario, seed and steps give.
type Run struct {
	// Scenario is the scenario run.
	Scenario *scenarios.Scenario
	// Name is how a command names the scenario (a library name or a file),
	// written into saved paths.
	Name string
	// Seed is the run's root seed.
	Seed uint64
	// Steps is the branch: choices made instead of the kernel, in order.
	Steps []scenarios.Step
	// Budget, if positive, overrides the scenario's check_budget.
	Budget time.Duration
}

// Point is a run stopped after a number of events: its world, with the
// whole trace so far recorded, and its protocol instance.
type Point struct {
	// Events is how many events the world processed (sim.World.Events).
	Events uint64
	// End says the run has nothing left to do before the scenario's end.
	End bool
	// World is the simulation, stopped.
	World *sim.World
	// Instance is the protocol as it ran.
	Instance protocols.Instance
	// Faults is the run's fault schedule.
	Faults []scenarios.Fault
	// EventOf gives, for each trace record (by its number, sim.Event.Seq),
	// the number of events the world had processed when it was recorded:
	// the event it belongs to (0 for records before the first event).
	EventOf []uint64

	run *Run
}

// ErrBranch is wrapped by errors about a choice that does not fit the run.
var ErrBranch = errors.New("debugger: the choice does not fit the run")

// At re-executes the run from its start until it has processed k events
// (or reached its end), making every choice of the branch on the way: the
// point after event k. Choices made after exactly k events are made too,
// so a point at which a message was just dropped no longer shows it; a
// message delivered by choice is an event, so that point has k+1 events.
func (r *Run) At(k uint64) (*Point, error) {
	w, inst, faults, err := scenarios.Build(r.Scenario, r.Seed, true)
	if err != nil {
		return nil, err
	}
	var eventOf []uint64
	w.Observe(func(*sim.Event) { eventOf = append(eventOf, w.Events()) })
	end := sim.Time(r.Scenario.Duration)
	for i, st := range r.Steps {
		if st.After > k {
			break
		}
		if st.After > w.Events() {
			w.RunTo(end, st.After-w.Events())
		}
		if w.Events() != st.After {
			return nil, fmt.Errorf("%w: step %d comes after %d events, but the run has %d", ErrBranch, i, st.After, w.Events())
		}
		if err := st.Apply(w); err != nil {
			return nil, fmt.Errorf("%w: step %d (%s): %w", ErrBranch, i, st.Action, err)
		}
	}
	if k > w.Events() {
		w.RunTo(end, k-w.Events())
	}
	p := &Point{Events: w.Events(), World: w, Instance: inst, Faults: faults, run: r}
	if p.End = p.finished(); p.End {
		w.RunUntil(end) // the clock reaches the end, as in a whole run
	}
	p.EventOf = eventOf
	return p, nil
}

// finished reports whether the world has no event left before the end.
func (p *Point) finished() bool {
	if stopped, _ := p.World.Stopped(); stopped {
		return true
	}
	end := sim.Time(p.run.Scenario.Duration)
	for _, pe := range p.World.Pending() {
		if pe.At <= end && !pe.Held {
			return false
		}
	}
	return true
}

// Last returns the run's last point: its end.
func (r *Run) Last() (*Point, error) { return r.At(^uint64(0) >> 1) }

// Branch returns the run with one more choice, made at point p (after
// p.Events events): the steps made after p are left out, since the new
// choice starts a new branch.
func (r *Run) Branch(p *Point, st scenarios.Step) *Run {
	st.After = p.Events
	keep := slices.IndexFunc(r.Steps, func(s scenarios.Step) bool { return s.After > p.Events })
	steps := slices.Clone(r.Steps)
	if keep >= 0 {
		steps = steps[:keep]
	}
	b := *r
	b.Steps = append(steps, st)
	return &b
}

// Path returns the run as a path file, which `dsim run --path` replays.
func (r *Run) Path(note string) *scenarios.Path {
	return &scenarios.Path{Version: 1, Scenario: r.Name, Seed: r.Seed, Steps: slices.Clone(r.Steps), Note: note}
}

// Check runs the protocol's checks on the run so far. Safety checks judge
// the history up to the point; liveness checks are only meaningful at the
// end, and are left out before it.
func (p *Point) Check() protocols.Report {
	budget := p.run.Scenario.CheckBudget
	if p.run.Budget > 0 {
		budget = p.run.Budget
	}
	rep := p.Instance.Check(protocols.CheckRequest{World: p.World, Checks: p.run.Scenario.Checks, Budget: budget})
	if !p.End {
		rep.Checks = slices.DeleteFunc(rep.Checks, func(c checker.Result) bool { return c.Kind == checker.Liveness })
	}
	return rep
}
