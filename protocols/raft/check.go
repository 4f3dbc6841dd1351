package raft

import (
	"fmt"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/kv"
)

// LivenessCheck is the name of the liveness check (kv.CheckLiveness): after
// the last fault, some operation completes within the liveness bound.
const LivenessCheck = kv.LivenessCheck

// Check runs the named checks on the finished run and reports them with
// the run's statistics. Safety checks: checker.LinearizabilityCheck (the
// clients' history against checker.KVModel, within req.Budget) and Raft's
// own, which the monitor decided as the run went (ElectionSafetyCheck,
// LogMatchingCheck, LeaderCompletenessCheck, StateMachineSafetyCheck).
// Liveness check: LivenessCheck. An unknown name gets an Inconclusive
// result.
func (c *Cluster) Check(req protocols.CheckRequest) protocols.Report {
	var rep protocols.Report
	hist := c.History()
	for _, name := range req.Checks {
		switch name {
		case checker.LinearizabilityCheck:
			res, vis := kv.CheckLinearizable(hist, req.Budget)
			rep.Checks = append(rep.Checks, res)
			if vis != nil {
				rep.Visualization = vis
			}
		case LivenessCheck:
			rep.Checks = append(rep.Checks, kv.CheckLiveness(hist, c.faults, c.cfg.LivenessBound, c.w.Now()))
		default:
			rep.Checks = append(rep.Checks, c.safety(name))
		}
	}
	rep.Stats = c.stats(hist)
	return rep
}

// safety reports the monitor's verdict on a Raft safety check: the first
// violation it saw, or what it checked; a check that had nothing to check
// is Inconclusive.
func (c *Cluster) safety(name string) checker.Result {
	m := c.mon
	var n int
	var what string
	switch name {
	case ElectionSafetyCheck:
		n, what = m.elections, fmt.Sprintf("%d elections won, in %d terms, one leader each", m.elections, len(m.leaders))
	case LogMatchingCheck:
		n, what = m.writes, fmt.Sprintf("%d log writes, %d (index, term) pairs, each after one log", m.writes, len(m.seen))
	case LeaderCompletenessCheck:
		n, what = m.commits, fmt.Sprintf("%d elections and %d commits, up to index %d, each on top of the committed log",
			m.elections, m.commits, len(m.committed)-1)
	case StateMachineSafetyCheck:
		n, what = m.applies, fmt.Sprintf("%d entries applied, each the one committed at its index", m.applies)
	default:
		return checker.Result{Check: name, Verdict: checker.Inconclusive, Detail: fmt.Sprintf("raft has no check %q", name)}
	}
	for i, sc := range safetyChecks {
		switch {
		case sc.name != name:
		case m.first[i] != "":
			return checker.Result{Check: name, Kind: checker.Safety, Verdict: checker.Violated, Detail: m.first[i]}
		case n == 0:
			return checker.Vacuously(name, checker.Safety, sc.none)
		}
	}
	return checker.Result{Check: name, Kind: checker.Safety, Verdict: checker.Holds, Detail: what}
}

// stats returns the key-value statistics (kv.Stats) and Raft's.
func (c *Cluster) stats(hist []checker.Operation) []protocols.Stat {
	m := c.mon
	var term int64
	for t := range m.leaders { // order does not matter: only the maximum
		term = max(term, t)
	}
	return append(kv.Stats(hist),
		protocols.Stat{Name: "elections won", Value: float64(m.elections)},
		protocols.Stat{Name: "highest term with a leader", Value: float64(term)},
		protocols.Stat{Name: "entries committed", Value: float64(len(m.committed) - 1)},
		protocols.Stat{Name: "snapshots taken", Value: float64(c.snapshots)},
		protocols.Stat{Name: "snapshots installed", Value: float64(c.installed)})
}

// Compile-time check: a Cluster is a scenario instance.
var _ protocols.Instance = (*Cluster)(nil)
