package debugger

import (
	"fmt"
	"time"

	"github.com/dsimlab/dsim/checker"
)

// Violation is where a run first breaks a safety check: the first point
// after which the check is violated.
type Violation struct {
	// Events is the number of events after which the check first fails:
	// event number Events (counting from 1) broke it.
	Events uint64 `json:"events"`
	// Trace is the number of trace records up to and including that event
	// (sim.World.Traced at the point), so the record that broke the check
	// is number Trace-1, counting from 0.
	Trace uint64 `json:"trace"`
	// Time is the virtual time of that event.
	Time time.Duration `json:"time_ns"`
	// Check names the first check found violated there, and Detail says
	// what it found.
	Check  string `json:"check"`
	Detail string `json:"detail"`
}

// FirstViolation finds the first event after which a safety check of the
// run is violated, by re-running it: the checks at the end, then a binary
// search over the number of events. It returns nil if every safety check
// holds at the end. A safety check judges a prefix of a run: once a
// history has a bad prefix it stays bad, which is what makes the search
// exact; the point it returns is checked to be violated, and the one
// before it not.
func (r *Run) FirstViolation() (*Violation, error) {
	last, err := r.Last()
	if err != nil {
		return nil, err
	}
	if _, ok := violated(last); !ok {
		return nil, nil
	}
	lo, hi := uint64(0), last.Events // the check holds after lo events (or lo is 0) and fails after hi
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		p, err := r.At(mid)
		if err != nil {
			return nil, err
		}
		if _, bad := violated(p); bad {
			hi = mid // not p.Events: a step at mid takes the point one event further, and hi would stay
		} else {
			lo = mid
		}
	}
	p, err := r.At(hi)
	if err != nil {
		return nil, err
	}
	c, ok := violated(p)
	if !ok {
		return nil, fmt.Errorf("debugger: the run's checks fail at its end but not after %d events", hi)
	}
	return &Violation{Events: p.Events, Trace: p.World.Traced(), Time: time.Duration(p.World.Now()),
		Check: c.Check, Detail: c.Detail}, nil
}

// violated returns the first violated safety check at p.
func violated(p *Point) (checker.Result, bool) {
	for _, c := range p.Check().Checks {
		if c.Kind == checker.Safety && c.Verdict == checker.Violated {
			return c, true
		}
	}
	return checker.Result{}, false
}
