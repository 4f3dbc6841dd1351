package shrink

import (
	"errors"
	"fmt"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/scenarios"
)

// ErrNothingToShrink is wrapped by Shrink's error when the run does not
// fail in a way a shrink can keep: it passes, or its only failures are
// inconclusive checks.
var ErrNothingToShrink = errors.New("nothing to shrink")

// Target is the failure a shrink keeps: a check, by name, with its
// verdict (Violated), or a panic (Crash). A smaller scenario is kept only
// if its run fails the same way.
type Target struct {
	Check   string          `json:"check,omitempty"`
	Kind    checker.Kind    `json:"kind"`
	Verdict checker.Verdict `json:"verdict"`
	Crash   bool            `json:"crash,omitempty"`
}

// String says what is kept, e.g. "linearizability violated" or "a panic".
func (t Target) String() string {
	if t.Crash {
		return "a panic"
	}
	return t.Check + " " + t.Verdict.String()
}

// Matches reports whether the run o fails the way t says.
func (t Target) Matches(o *scenarios.Outcome) bool {
	if o == nil || o.Interrupted {
		return false
	}
	if t.Crash {
		return o.Crash != nil
	}
	for _, c := range o.Checks {
		if c.Check == t.Check && c.Verdict == t.Verdict {
			return true
		}
	}
	return false
}

// TargetOf picks the failure of o to keep: the named check if check is
// not empty (it must be violated), else a panic if the run crashed, else
// its first violated check in report order. An inconclusive check is no
// target: shrinking would keep the failure by making the run test nothing.
func TargetOf(o *scenarios.Outcome, check string) (Target, error) {
	if o.Crash != nil && check == "" {
		return Target{Crash: true}, nil
	}
	for _, c := range o.Checks {
		if c.Verdict == checker.Violated && (check == "" || c.Check == check) {
			return Target{Check: c.Check, Kind: c.Kind, Verdict: checker.Violated}, nil
		}
	}
	if check != "" {
		return Target{}, fmt.Errorf("%w: seed %d of %s does not violate %s", ErrNothingToShrink, o.Seed, o.Scenario, check)
	}
	if o.Passed {
		return Target{}, fmt.Errorf("%w: seed %d of %s passes", ErrNothingToShrink, o.Seed, o.Scenario)
	}
	return Target{}, fmt.Errorf("%w: seed %d of %s violates no check (its failure is inconclusive)", ErrNothingToShrink, o.Seed, o.Scenario)
}
