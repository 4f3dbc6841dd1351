package paxos

import (
	"fmt"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/kv"
)

// LivenessCheck is the name of the liveness check: after the last fault,
// some operation completes within the liveness bound.
const LivenessCheck = "liveness"

// Check runs the named checks on the finished run and reports them with
// the run's statistics. Safety checks: checker.LinearizabilityCheck (the
// clients' history against checker.KVModel, within req.Budget) and the
// Paxos checks of the recorded trace (checker.PaxosAgreementCheck,
// checker.PaxosValidityCheck, checker.PaxosPrefixCheck). Liveness check:
// LivenessCheck. An unknown name gets an Inconclusive result.
func (c *Cluster) Check(req protocols.CheckRequest) protocols.Report {
	var rep protocols.Report
	var paxos []checker.Result
	hist := c.History()
	for _, name := range req.Checks {
		switch name {
		case checker.LinearizabilityCheck:
			res, vis := kv.CheckLinearizable(hist, req.Budget)
			rep.Checks = append(rep.Checks, res)
			if vis != nil {
				rep.Visualization = vis
			}
		case checker.PaxosAgreementCheck, checker.PaxosValidityCheck, checker.PaxosPrefixCheck:
			if paxos == nil {
				var err error
				if paxos, err = checker.CheckPaxos(c.Trace()); err != nil {
					paxos = []checker.Result{{Verdict: checker.Inconclusive, Detail: err.Error()}}
				}
			}
			r := paxos[0]
			for _, p := range paxos {
				if p.Check == name {
					r = p
				}
			}
			r.Check, r.Kind = name, checker.Safety
			if name == checker.PaxosValidityCheck {
				r = c.promises.validity(r)
			}
			rep.Checks = append(rep.Checks, r)
		case LivenessCheck:
			rep.Checks = append(rep.Checks, c.liveness(hist))
		default:
			rep.Checks = append(rep.Checks, checker.Result{Check: name, Verdict: checker.Inconclusive,
				Detail: fmt.Sprintf("paxos has no check %q", name)})
		}
	}
	rep.Stats = c.stats(hist)
	return rep
}

// liveness checks that after the last fault (crash, restart, pause,
// resume, partition, cut, heal, clock or link change) an operation that was
// pending or invoked within the bound completed within the bound.
func (c *Cluster) liveness(hist []checker.Operation) checker.Result {
	r := checker.Result{Check: LivenessCheck, Kind: checker.Liveness}
	from := int64(c.lastFault)
	until := from + int64(c.cfg.LivenessBound)
	end := int64(c.w.Now())
	after := "the start"
	if c.faults > 0 {
		after = "the last fault (at " + time.Duration(from).String() + ")"
	}
	waiting, done := 0, 0
	first := int64(-1)
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
	bound := c.cfg.LivenessBound
	switch {
	case done > 0:
		r.Verdict = checker.Holds
		r.Detail = fmt.Sprintf("%d of %d operations pending within %v after %s completed in that time, the first %v after it",
			done, waiting, bound, after, time.Duration(first-from))
	case waiting == 0:
		r.Verdict = checker.Holds
		r.Detail = fmt.Sprintf("no operation was pending within %v after %s", bound, after)
	case end < until:
		r.Verdict = checker.Inconclusive
		r.Detail = fmt.Sprintf("the run ended %v after %s, before the %v bound, with %d operations pending and none completed",
			time.Duration(end-from), after, bound, waiting)
	default:
		r.Verdict = checker.Violated
		r.Detail = fmt.Sprintf("none of %d operations pending within %v after %s completed in that time",
			waiting, bound, after)
	}
	return r
}

// stats returns the key-value statistics (kv.Stats) and the Paxos ones.
func (c *Cluster) stats(hist []checker.Operation) []protocols.Stat {
	var applied int64
	for _, e := range c.events {
		if e.Kind == checker.PaxosApply {
			applied = max(applied, e.Slot)
		}
	}
	return append(kv.Stats(hist),
		protocols.Stat{Name: "elections started", Value: float64(c.elections)},
		protocols.Stat{Name: "slots applied", Value: float64(applied)})
}

// Compile-time check: a Cluster is a scenario instance.
var _ protocols.Instance = (*Cluster)(nil)
