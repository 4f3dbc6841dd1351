package scenarios

import (
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// This file joins the bug-hunting modes to a run: the swarm mix of its
// seed, online checks, liveness mode's check and what the report says of
// them.

// ForSeed returns the scenario a run with seed runs: s itself, or, for a
// swarm run (the scenario's swarm field, or swarm), a copy with the mix
// the seed draws (WithSwarm), which it returns too; online turns online
// checks on.
func (s *Scenario) ForSeed(seed uint64, swarm, online bool) (*Scenario, *SwarmMix) {
	var mix *SwarmMix
	if swarm || s.Swarm != nil && !s.Swarm.Off {
		mix = s.DrawSwarm(seed)
		s = s.WithSwarm(mix)
	}
	if online && !s.Online {
		c := *s
		c.Online = true
		s = &c
	}
	return s, mix
}

// end is when the run ends: the scenario's duration, or later if liveness
// mode's bound reaches beyond it.
func (r *run) end() sim.Time {
	end := sim.Time(r.s.Duration)
	if r.live != nil {
		end = max(end, r.live.at.Add(r.live.bound))
	}
	return end
}

// liveCheck is liveness mode's check, if the run has it.
func (r *run) liveCheck() []checker.Result {
	if r.live == nil {
		return nil
	}
	r.live.end(r.w)
	return []checker.Result{r.live.result(r.w, r.w.Name)}
}

// hunted fills in what the bug-hunting modes add to an outcome: the swarm
// mix, the fault points reached, the first online violation, and the
// flags its replay needs.
func (r *run) hunted(o *Outcome) {
	o.Swarm = r.mix
	if r.live != nil {
		o.LivenessHeal = time.Duration(r.live.at)
	}
	o.Faults = r.crash.merged(o.Faults)
	if r.w != nil {
		o.FaultPoints = r.w.FaultPointSites()
	}
	if on, ok := r.inst.(protocols.Online); ok {
		o.Online = on.FirstViolation()
	}
	if r.opts.Swarm {
		o.ReplayFlags = append(o.ReplayFlags, "--swarm")
	}
	if r.opts.Online {
		o.ReplayFlags = append(o.ReplayFlags, "--online")
	}
}
