package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/debugger"
	"github.com/dsimlab/dsim/reports"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// parseWindow reads --window: FROM-TO as two times (150ms-340ms) or two
// trace record numbers (1200-1500); empty means the report chooses.
func parseWindow(s string) (reports.HTMLOptions, error) {
	var ho reports.HTMLOptions
	if s == "" {
		return ho, nil
	}
	from, to, ok := strings.Cut(s, "-")
	bad := fmt.Errorf("--window %q: want FROM-TO, two times (150ms-340ms) or two trace record numbers (1200-1500)", s)
	if !ok {
		return ho, bad
	}
	a, errA := strconv.ParseUint(from, 10, 64)
	b, errB := strconv.ParseUint(to, 10, 64)
	if errA == nil && errB == nil && a <= b {
		ho.FirstRecord, ho.LastRecord, ho.MaxEvents = a, max(b, 1), int(min(b-a+1, 5000))
		return ho, nil
	}
	da, errA := time.ParseDuration(from)
	db, errB := time.ParseDuration(to)
	if errA != nil || errB != nil || da < 0 || db <= da {
		return ho, bad
	}
	ho.From, ho.To, ho.MaxEvents = sim.Time(da), sim.Time(db), 5000
	return ho, nil
}

// focus returns the HTML report's options: the window asked for, and the
// moment the report is about, the run's first violation of a safety check
// (found by re-running it) or else its first fault. When that moment lies
// beyond the trace the run kept, the run is repeated keeping enough of it.
func (opts *runOptions) focus(s *scenarios.Scenario, o *scenarios.Outcome, ho reports.HTMLOptions) (reports.HTMLOptions, error) {
	if o.World == nil || o.Crash != nil || o.Interrupted {
		return ho, nil
	}
	f, err := opts.firstViolation(s, o)
	if err != nil {
		return ho, err
	}
	if f == nil {
		f = firstFault(o.World)
	}
	if f == nil {
		return ho, nil
	}
	ho.Focus = f
	if need := f.Record + reports.DefaultMaxEvents; need > uint64(len(o.World.Trace())) && o.World.Traced() > uint64(len(o.World.Trace())) {
		ro := opts.Check.runOptions()
		ro.Steps, ro.Trace, ro.TraceLimit = opts.steps, true, int(need)
		again, err := scenarios.Run(s, opts.Seed, ro)
		if err != nil {
			return ho, err
		}
		o.World = again.World
	}
	return ho, nil
}

// firstViolation finds the run's first violation of a safety check, if a
// safety check failed.
func (opts *runOptions) firstViolation(s *scenarios.Scenario, o *scenarios.Outcome) (*reports.Focus, error) {
	if opts.violation != nil {
		return *opts.violation, nil
	}
	f, err := opts.findViolation(s, o)
	if err == nil {
		opts.violation = &f
	}
	return f, err
}

// findViolation is firstViolation, uncached.
func (opts *runOptions) findViolation(s *scenarios.Scenario, o *scenarios.Outcome) (*reports.Focus, error) {
	if !o.Passed && hasViolatedSafety(o) {
		r := &debugger.Run{Scenario: s, Name: opts.Scenario, Seed: opts.Seed, Steps: opts.steps, Budget: opts.Check.Budget}
		v, err := r.FirstViolation()
		if err != nil || v == nil {
			return nil, err
		}
		return &reports.Focus{Record: v.Trace - 1, Time: sim.Time(v.Time), Label: "first violation: " + v.Check,
			Detail: fmt.Sprintf("event %d breaks it: %s", v.Events, v.Detail)}, nil
	}
	return nil, nil
}

// hasViolatedSafety reports whether a safety check of o was violated.
func hasViolatedSafety(o *scenarios.Outcome) bool {
	for _, c := range o.Checks {
		if c.Kind == checker.Safety && c.Verdict == checker.Violated {
			return true
		}
	}
	return false
}

// firstFault returns the first fault in w's recorded trace.
func firstFault(w *sim.World) *reports.Focus {
	for _, e := range w.Trace() {
		if e.Kind.IsFault() {
			return &reports.Focus{Record: e.Seq, Time: e.Time, Label: "first fault", Detail: e.Kind.String()}
		}
	}
	return nil
}
