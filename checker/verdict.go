package checker

import (
	"fmt"
	"time"
)

// Verdict is the outcome of one check: Holds, Violated or Inconclusive.
//
// Only Holds is a pass. Inconclusive means the check could not decide (for
// linearizability: porcupine ran out of its time budget) and is never a
// pass: callers report it as such, count it apart from holds and violations,
// and fail the run unless the user explicitly allowed inconclusive checks.
//
// The zero Verdict is Inconclusive, so a Result that nobody filled in never
// passes by accident.
type Verdict int

const (
	// Inconclusive means the check neither proved nor refuted the property,
	// for example because it ran out of its time budget. It is not a pass.
	Inconclusive Verdict = iota
	// Holds means the property was proved for the history checked.
	Holds
	// Violated means the check found a counterexample to the property.
	Violated
)

// String returns "holds", "violated" or "inconclusive".
func (v Verdict) String() string {
	switch v {
	case Holds:
		return "holds"
	case Violated:
		return "violated"
	case Inconclusive:
		return "inconclusive"
	}
	return fmt.Sprintf("Verdict(%d)", int(v))
}

// Passed reports whether v is Holds. Inconclusive and Violated do not pass.
func (v Verdict) Passed() bool { return v == Holds }

// MarshalText encodes v as its String form, so verdicts read as words in
// JSON reports.
func (v Verdict) MarshalText() ([]byte, error) {
	switch v {
	case Holds, Violated, Inconclusive:
		return []byte(v.String()), nil
	}
	return nil, fmt.Errorf("checker: cannot marshal invalid verdict %d", int(v))
}

// UnmarshalText decodes "holds", "violated" or "inconclusive".
func (v *Verdict) UnmarshalText(text []byte) error {
	switch string(text) {
	case "holds":
		*v = Holds
	case "violated":
		*v = Violated
	case "inconclusive":
		*v = Inconclusive
	default:
		return fmt.Errorf("checker: unknown verdict %q (want holds, violated or inconclusive)", text)
	}
	return nil
}

// Kind says whether a check is about safety (nothing bad ever happens: a
// lost write, two decided values) or liveness (something good eventually
// happens: a blocked 2PC transaction). Reports list the two apart.
type Kind int

const (
	// Safety marks a check whose violation is a finite bad history.
	Safety Kind = iota
	// Liveness marks a check whose violation is a lack of progress.
	Liveness
)

// String returns "safety" or "liveness".
func (k Kind) String() string {
	switch k {
	case Safety:
		return "safety"
	case Liveness:
		return "liveness"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// MarshalText encodes k as its String form.
func (k Kind) MarshalText() ([]byte, error) {
	switch k {
	case Safety, Liveness:
		return []byte(k.String()), nil
	}
	return nil, fmt.Errorf("checker: cannot marshal invalid kind %d", int(k))
}

// UnmarshalText decodes "safety" or "liveness".
func (k *Kind) UnmarshalText(text []byte) error {
	switch string(text) {
	case "safety":
		*k = Safety
	case "liveness":
		*k = Liveness
	default:
		return fmt.Errorf("checker: unknown kind %q (want safety or liveness)", text)
	}
	return nil
}

// Result is the report of one check, shared by every checker in dsim:
// linearizability, protocol invariants and liveness checks alike. It is
// plain data, deterministic for a given history (it never holds wall-clock
// durations measured during the check), and marshals to JSON.
type Result struct {
	// Check names the property, for example "linearizability" or
	// "2pc-atomicity".
	Check string `json:"check"`
	// Verdict is the outcome. Only Holds passes.
	Verdict Verdict `json:"verdict"`
	// Kind says whether the property is about safety or liveness.
	Kind Kind `json:"kind"`
	// Detail is one or two human sentences explaining the verdict.
	Detail string `json:"detail"`
	// Offending lists the items the violation is about (for example the
	// keys whose sub-histories are not linearizable), sorted. It is empty
	// when the verdict is not Violated or when the check has no items.
	Offending []string `json:"offending,omitempty"`
	// Budget is the time budget the check was given (zero: unlimited). Only
	// budgeted checks, such as linearizability, set it.
	Budget time.Duration `json:"budget_ns,omitempty"`
	// TimedOut reports whether the check ran out of its Budget before
	// deciding every part of the history.
	TimedOut bool `json:"timed_out,omitempty"`
	// Limit names the limit that cut the check short, LimitTime or
	// LimitMemory, or is empty.
	Limit string `json:"limit,omitempty"`
	// Vacuous says the check had nothing to check (a history with no
	// operation, no request answered, no fault where faults were asked
	// for): its verdict is then Inconclusive, because a run that tested
	// nothing must not pass as if it had.
	Vacuous bool `json:"vacuous,omitempty"`
}

// Vacuously returns the result of a check that had nothing to check: an
// Inconclusive verdict, Vacuous, with the detail saying what was missing.
func Vacuously(check string, kind Kind, detail string) Result {
	return Result{Check: check, Kind: kind, Verdict: Inconclusive, Vacuous: true, Detail: "nothing to check: " + detail}
}

// String formats r on one line, as "check (kind): verdict: detail".
func (r Result) String() string {
	return fmt.Sprintf("%s (%s): %s: %s", r.Check, r.Kind, r.Verdict, r.Detail)
}
