package reports

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// SchemaVersion is the version of the JSON reports written by WriteJSON and
// Sweep.WriteJSON. It changes only when a field is removed or changes
// meaning; new fields may be added within a version.
const SchemaVersion = 1

// Report is the JSON form of one run's Outcome, schema version 1. Its field
// names and meanings are the documented schema (see the package
// documentation); every duration is an integer number of nanoseconds.
type Report struct {
	// SchemaVersion is SchemaVersion.
	SchemaVersion int `json:"schema_version"`
	// Scenario is the scenario's name.
	Scenario string `json:"scenario"`
	// File is where the scenario came from, e.g. "library/echo-faults.yaml".
	File string `json:"file"`
	// Protocol is the protocol's name.
	Protocol string `json:"protocol"`
	// Seed is the run's seed.
	Seed uint64 `json:"seed"`
	// Fingerprint is the trace fingerprint, 16 hex digits.
	Fingerprint string `json:"fingerprint"`
	// Passed reports whether the run passed: no check violated, and no
	// check inconclusive unless AllowInconclusive.
	Passed bool `json:"passed"`
	// AllowInconclusive records whether inconclusive checks were allowed.
	AllowInconclusive bool `json:"allow_inconclusive"`
	// Counts counts the checks by verdict.
	Counts Counts `json:"counts"`
	// Events is the number of events the simulation processed.
	Events uint64 `json:"events"`
	// SimTimeNS is the virtual time the run ended at, in nanoseconds.
	SimTimeNS int64 `json:"sim_time_ns"`
	// Checks lists every check in the order the protocol reported them.
	Checks []Check `json:"checks"`
	// Stats lists the protocol's statistics in its order.
	Stats []Stat `json:"stats"`
	// Faults is the applied fault schedule, in time order.
	Faults []Fault `json:"faults"`
	// Replay is the shell command that replays the run.
	Replay string `json:"replay"`
	// Crash, if present, says the run ended in a panic (see
	// scenarios.Crash): phase, node, event, time_ns, panic and stack.
	Crash *scenarios.Crash `json:"crash,omitempty"`
	// Interrupted, if true, says the run was stopped from outside before
	// its end (a signal), and no check ran.
	Interrupted bool `json:"interrupted,omitempty"`
	// Swarm, if present, is the mix a swarm run drew from its seed.
	Swarm *Swarm `json:"swarm,omitempty"`
	// FaultPoints, if present, are the fault points the run reached: name,
	// enabled, reached and fired.
	FaultPoints []sim.FaultPointSite `json:"fault_points,omitempty"`
	// Online, if present, is the online check that stopped the run at its
	// first violation: check, event (the trace's seq), time_ns, detail.
	Online *protocols.Violation `json:"online,omitempty"`
	// WallNS is the wall-clock time of simulation and checks, in
	// nanoseconds. It is absent when wall times are omitted.
	WallNS *int64 `json:"wall_ns,omitempty"`
	// CheckWallNS is the wall-clock time of the checks alone, in
	// nanoseconds. It is absent when wall times are omitted.
	CheckWallNS *int64 `json:"check_wall_ns,omitempty"`
}

// Counts counts checks by verdict.
type Counts struct {
	Holds        int `json:"holds"`
	Violated     int `json:"violated"`
	Inconclusive int `json:"inconclusive"`
}

// Check is the JSON form of one checker.Result.
type Check struct {
	// Name names the property, e.g. "linearizability".
	Name string `json:"name"`
	// Kind is "safety" or "liveness".
	Kind string `json:"kind"`
	// Verdict is "holds", "violated" or "inconclusive".
	Verdict string `json:"verdict"`
	// Detail explains the verdict in a sentence or two.
	Detail string `json:"detail"`
	// Offending lists the items a violation is about, sorted; never null.
	Offending []string `json:"offending"`
	// BudgetNS is the check's time budget in nanoseconds (0: unlimited or
	// not budgeted).
	BudgetNS int64 `json:"budget_ns"`
	// TimedOut reports whether the check ran out of its budget.
	TimedOut bool `json:"timed_out"`
	// Limit names the limit that cut the check short ("time" or
	// "memory"), if any.
	Limit string `json:"limit,omitempty"`
	// Vacuous says the check had nothing to check: it is inconclusive.
	Vacuous bool `json:"vacuous,omitempty"`
}

// Stat is the JSON form of one protocol statistic.
type Stat struct {
	// Name names the statistic.
	Name string `json:"name"`
	// Value is the statistic's value, or null if it is not a finite number.
	Value *float64 `json:"value"`
	// Unit is the value's unit, or "".
	Unit string `json:"unit"`
}

// Fault is the JSON form of one applied fault. Only the fields its Kind
// uses are present.
type Fault struct {
	// AtNS is when the fault happened, in virtual nanoseconds.
	AtNS int64 `json:"at_ns"`
	// Kind is one of crash, restart, pause, resume, partition, cut, heal,
	// clock, link.
	Kind string `json:"kind"`
	// Text describes the fault for people, e.g. "crash server".
	Text string `json:"text"`
	// Nemesis reports whether the randomised nemesis drew the fault.
	Nemesis bool `json:"nemesis"`
	// Node is the target of crash, restart, pause, resume and clock.
	Node string `json:"node,omitempty"`
	// Groups are the sides of a partition.
	Groups [][]string `json:"groups,omitempty"`
	// From and To name the directed link of cut, heal and link faults.
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	// OffsetNS and Drift are the clock fault's offset (nanoseconds) and
	// drift rate.
	OffsetNS int64   `json:"offset_ns,omitempty"`
	Drift    float64 `json:"drift,omitempty"`
	// Link is the new configuration of a link fault.
	Link *Link `json:"link,omitempty"`
}

// Link is the JSON form of a link configuration; durations in nanoseconds.
type Link struct {
	Latency   string  `json:"latency"`             // constant, uniform, exponential, normal, lognormal, pareto
	MeanNS    int64   `json:"mean_ns,omitempty"`   // constant, exponential, normal
	MinNS     int64   `json:"min_ns,omitempty"`    // uniform, exponential (shift), pareto (scale)
	MaxNS     int64   `json:"max_ns,omitempty"`    // uniform
	StddevNS  int64   `json:"stddev_ns,omitempty"` // normal
	MedianNS  int64   `json:"median_ns,omitempty"` // lognormal
	Sigma     float64 `json:"sigma,omitempty"`     // lognormal shape
	Alpha     float64 `json:"alpha,omitempty"`     // pareto tail index
	Drop      float64 `json:"drop,omitempty"`      // loss probability
	Duplicate float64 `json:"duplicate,omitempty"` // duplication probability
	FIFO      bool    `json:"fifo,omitempty"`      // in-order delivery on the link
}

// NewReport converts an Outcome to its JSON Report. Wall times are left out
// when OmitWall is given.
func NewReport(o *scenarios.Outcome, opts ...Option) Report {
	cfg := apply(opts)
	holds, violated, inconclusive := o.Counts()
	r := Report{
		SchemaVersion: SchemaVersion, Scenario: o.Scenario, File: o.File, Protocol: o.Protocol,
		Seed: o.Seed, Fingerprint: o.Fingerprint, Passed: o.Passed, AllowInconclusive: o.AllowInconclusive,
		Counts: Counts{Holds: holds, Violated: violated, Inconclusive: inconclusive},
		Events: o.Events, SimTimeNS: int64(o.SimTime),
		Checks: make([]Check, 0, len(o.Checks)), Stats: make([]Stat, 0, len(o.Stats)),
		Faults: make([]Fault, 0, len(o.Faults)), Replay: ReplayCommand(o, opts...), Crash: o.Crash, Interrupted: o.Interrupted,
	}
	for _, c := range o.Checks {
		r.Checks = append(r.Checks, newCheck(c))
	}
	for _, s := range o.Stats {
		st := Stat{Name: s.Name, Unit: s.Unit}
		if !math.IsNaN(s.Value) && !math.IsInf(s.Value, 0) {
			v := s.Value
			st.Value = &v
		}
		r.Stats = append(r.Stats, st)
	}
	for _, f := range o.Faults {
		r.Faults = append(r.Faults, newFault(f))
	}
	huntJSON(&r, o)
	if !cfg.omitWall {
		wall, check := int64(o.Wall), int64(o.CheckWall)
		r.WallNS, r.CheckWallNS = &wall, &check
	}
	return r
}

// newCheck converts a checker.Result.
func newCheck(c checker.Result) Check {
	off := slices.Clone(c.Offending)
	if off == nil {
		off = []string{}
	}
	return Check{Name: c.Check, Kind: c.Kind.String(), Verdict: c.Verdict.String(), Detail: c.Detail,
		Offending: off, BudgetNS: int64(c.Budget), TimedOut: c.TimedOut, Limit: c.Limit, Vacuous: c.Vacuous}
}

// newFault converts a scenarios.Fault.
func newFault(f scenarios.Fault) Fault {
	out := Fault{AtNS: int64(f.At), Kind: string(f.Kind), Text: describeFault(f), Nemesis: f.Nemesis,
		Node: f.Node, From: f.From, To: f.To, OffsetNS: int64(f.Offset), Drift: f.Drift}
	for _, g := range f.Groups {
		out.Groups = append(out.Groups, slices.Clone(g))
	}
	if f.Link != nil {
		l := f.Link.Latency
		out.Link = &Link{Latency: string(l.Kind), MeanNS: int64(l.Mean), MinNS: int64(l.Min), MaxNS: int64(l.Max),
			StddevNS: int64(l.Stddev), MedianNS: int64(l.Median), Sigma: l.Sigma, Alpha: l.Alpha,
			Drop: f.Link.Drop, Duplicate: f.Link.Duplicate, FIFO: f.Link.FIFO}
	}
	return out
}

// WriteJSON writes o as an indented JSON Report (schema version
// SchemaVersion) followed by a newline. The output is deterministic apart
// from the wall_ns and check_wall_ns fields, which OmitWall leaves out.
func WriteJSON(w io.Writer, o *scenarios.Outcome, opts ...Option) error {
	return writeJSON(w, NewReport(o, opts...))
}

// writeJSON encodes v indented, without HTML escaping, and wraps errors.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("reports: write JSON: %w", err)
	}
	return nil
}
