package kv

import (
	"fmt"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// LivenessCheck is the name of CheckLiveness's check: after the last
// fault, some operation completes within the liveness bound.
const LivenessCheck = "liveness"

// Liveness describes CheckLiveness's check to the scenario loader, as an
// entry of a protocol's Checks; LivenessBound is its parameter.
var Liveness = protocols.CheckInfo{Name: LivenessCheck, Default: true,
	Summary: "after the last fault, an operation completes within liveness_bound"}

// LivenessBound is the parameter liveness_bound, with default def: the
// bound a protocol passes to CheckLiveness.
func LivenessBound(def time.Duration) protocols.Param {
	return protocols.Param{Name: "liveness_bound", Kind: protocols.Duration, Default: def,
		Min: float64(time.Microsecond), Max: float64(24 * time.Hour),
		Doc: "the liveness check wants an operation completed this soon after the last fault"}
}

// Faults counts a run's faults (crash, restart, pause, resume, partition,
// cut, heal, clock or link change) for CheckLiveness: a cluster notes every
// event it observes.
type Faults struct {
	Last sim.Time // when the last fault happened
	N    int      // how many faults happened
}

// Note counts e if it is a fault.
func (f *Faults) Note(e *sim.Event) {
	if e.Kind.IsFault() {
		f.Last = e.Time
		f.N++
	}
}

// CheckLiveness checks (LivenessCheck) that after the last of
// faults (or the start) an operation of hist that was pending or invoked
// within bound completed within bound. A run that ended, at end, before the
// bound with no such operation completed is Inconclusive.
func CheckLiveness(hist []checker.Operation, faults Faults, bound time.Duration, end sim.Time) checker.Result {
	r := checker.Result{Check: LivenessCheck, Kind: checker.Liveness}
	from := int64(faults.Last)
	until := from + int64(bound)
	after := "the start"
	if faults.N > 0 {
		after = "the last fault (at " + time.Duration(from).String() + ")"
	}
	waiting, done, first := 0, 0, int64(-1)
	for _, op := range hist {
		if op.Call > until || op.Outcome == checker.OK && op.Return <= from {
			continue
		}
		waiting++
		if op.Outcome == checker.OK && op.Return <= until {
			done++
			if first < 0 || op.Return < first {
				first = op.Return
			}
		}
	}
	switch {
	case done > 0:
		r.Verdict = checker.Holds
		r.Detail = fmt.Sprintf("%d of %d operations pending within %v after %s completed in that time, the first %v after it",
			done, waiting, bound, after, time.Duration(first-from))
	case waiting == 0:
		r.Verdict = checker.Holds
		r.Detail = fmt.Sprintf("no operation was pending within %v after %s", bound, after)
	case int64(end) < until:
		r.Verdict = checker.Inconclusive
		r.Detail = fmt.Sprintf("the run ended %v after %s, before the %v bound, with %d operations pending and none completed",
			time.Duration(int64(end)-from), after, bound, waiting)
	default:
		r.Verdict = checker.Violated
		r.Detail = fmt.Sprintf("none of %d operations pending within %v after %s completed in that time", waiting, bound, after)
	}
	return r
}
