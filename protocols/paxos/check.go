package paxos

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
			rep.Checks = append(rep.Checks, kv.CheckLiveness(hist, c.faults, c.cfg.LivenessBound, c.w.Now()))
		default:
			rep.Checks = append(rep.Checks, checker.Result{Check: name, Verdict: checker.Inconclusive,
				Detail: fmt.Sprintf("paxos has no check %q", name)})
		}
	}
	rep.Stats = c.stats(hist)
	return rep
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
