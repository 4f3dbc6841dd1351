package paxos

import (
	"fmt"
	"slices"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"gonum.org/v1/gonum/stat"
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
			res, err := checker.CheckLinearizable(checker.KVModel(), hist, req.Budget)
			if err != nil {
				rep.Checks = append(rep.Checks, checker.Result{Check: name, Kind: checker.Safety,
					Verdict: checker.Inconclusive, Detail: err.Error()})
				continue
			}
			rep.Checks = append(rep.Checks, res.Result)
			if res.Verdict != checker.Holds {
				rep.Visualization = res.WriteVisualization
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

func (c *Cluster) stats(hist []checker.Operation) []protocols.Stat {
	var ok, unknown int
	var lat []float64
	for _, op := range hist {
		if op.Outcome == checker.OK {
			ok++
			lat = append(lat, float64(op.Return-op.Call)/float64(time.Millisecond))
		} else {
			unknown++
		}
	}
	var applied int64
	for _, e := range c.events {
		if e.Kind == checker.PaxosApply {
			applied = max(applied, e.Slot)
		}
	}
	st := []protocols.Stat{
		{Name: "operations", Value: float64(len(hist))},
		{Name: "operations completed", Value: float64(ok)},
		{Name: "operations with unknown outcome", Value: float64(unknown)},
		{Name: "elections started", Value: float64(c.elections)},
		{Name: "slots applied", Value: float64(applied)},
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		st = append(st,
			protocols.Stat{Name: "latency mean", Value: stat.Mean(lat, nil), Unit: "ms"},
			protocols.Stat{Name: "latency p50", Value: stat.Quantile(0.5, stat.Empirical, lat, nil), Unit: "ms"},
			protocols.Stat{Name: "latency p99", Value: stat.Quantile(0.99, stat.Empirical, lat, nil), Unit: "ms"})
	}
	return st
}

// Compile-time check: a Cluster is a scenario instance.
var _ protocols.Instance = (*Cluster)(nil)
