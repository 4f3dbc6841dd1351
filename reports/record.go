package reports

import (
	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/tracediff"
)

// RunRecord is what a sweep keeps of one run: enough to sum it into a
// summary (Sweep.AddRecord) and to replay it, and no more. A sweep writes
// one per finished run, as a line of JSON, to its --out file, so an
// interrupted sweep loses at most the runs in flight and can be resumed.
type RunRecord struct {
	Scenario    string     `json:"scenario"`
	File        string     `json:"file"`
	Seed        uint64     `json:"seed"`
	Fingerprint string     `json:"fingerprint"`
	Passed      bool       `json:"passed"`
	Crashed     bool       `json:"crashed,omitempty"`
	Events      uint64     `json:"events"`
	SimTimeNS   int64      `json:"sim_time_ns"`
	WallNS      int64      `json:"wall_ns"`
	Checks      []RunCheck `json:"checks"`
	Flags       []string   `json:"flags,omitempty"` // the replay command's flags besides the seed (--swarm)
	// Replayed says the determinism check ran the seed twice; Divergence,
	// if set, is where the second run parted from the first, which fails
	// the run whatever its checks said.
	Replayed   bool                  `json:"replayed,omitempty"`
	Divergence *tracediff.Divergence `json:"divergence,omitempty"`
}

// Failed reports whether the run failed: a check did not pass (or the run
// panicked), or it did not replay the same.
func (r RunRecord) Failed() bool { return !r.Passed || r.Divergence != nil }

// RunCheck is one check's verdict in a RunRecord.
type RunCheck struct {
	Name    string          `json:"name"`
	Kind    checker.Kind    `json:"kind"`
	Verdict checker.Verdict `json:"verdict"`
}

// NewRunRecord returns the record of an outcome.
func NewRunRecord(o *scenarios.Outcome) RunRecord {
	r := RunRecord{Scenario: o.Scenario, File: o.File, Seed: o.Seed, Fingerprint: o.Fingerprint, Passed: o.Passed,
		Crashed: o.Crash != nil, Events: o.Events, SimTimeNS: int64(o.SimTime), WallNS: int64(o.Wall),
		Checks: make([]RunCheck, len(o.Checks)), Flags: o.ReplayFlags}
	for i, c := range o.Checks {
		r.Checks[i] = RunCheck{Name: c.Check, Kind: c.Kind, Verdict: c.Verdict}
	}
	return r
}
