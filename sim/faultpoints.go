package sim

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
)

// This file is the kernel's fault points, in the style of FoundationDB's
// BUGGIFY: a protocol marks a place where a real system hides a rare path
// (a slow fsync, a spurious timeout, an extra retransmission) with
// Context.Maybe, and a run that asks for fault points takes that path now
// and then. Each site is enabled or not once per run, from the root seed and
// the site's name, so different seeds exercise different combinations; an
// enabled site then fires with a set probability each time it is reached,
// drawing from its own stream. A world without fault points (the default)
// never draws and records nothing for them, so its run is exactly what it
// was before fault points existed.

// FaultPoints turns a run's fault points on (World.SetFaultPoints).
type FaultPoints struct {
	// Enable is the probability that a site is enabled in a run, decided
	// once per site from the root seed and its name; 0 means DefaultEnable.
	Enable float64 `json:"enable"`
	// Fire is the probability that an enabled site fires each time
	// Context.Maybe reaches it; 0 means DefaultFire. Context.MaybeP sets a
	// site's own.
	Fire float64 `json:"fire"`
}

// The default probabilities of FaultPoints, FoundationDB's.
const (
	DefaultEnable = 0.25
	DefaultFire   = 0.25
)

// FaultPointSite is what a run did at one fault point: whether the site was
// enabled, how often Maybe reached it and how often it fired.
type FaultPointSite struct {
	Name    string `json:"name"`
	Enabled bool   `json:"enabled"`
	Reached int    `json:"reached"`
	Fired   int    `json:"fired"`
}

// FaultPointOn is the fact the kernel records, for the node that reached it
// first, when a run first reaches a fault point it enabled: the trace names
// every site enabled in the run.
type FaultPointOn struct{ Site string }

// String describes the fact, e.g. "fault point paxos/slow-disk enabled".
func (f FaultPointOn) String() string { return "fault point " + f.Site + " enabled" }

// FaultPointFired is the fact the kernel records, for the node that reached
// it, when a fault point fires: the trace shows where the rare path began.
type FaultPointFired struct{ Site string }

// String describes the fact, e.g. "fault point paxos/spurious-election fires".
func (f FaultPointFired) String() string { return "fault point " + f.Site + " fires" }

// faultPoints is a world's fault point state: the configuration and every
// site reached so far, by name (looked up by key only, so map order never
// reaches the run).
type faultPoints struct {
	cfg   FaultPoints
	sites map[string]*fpSite
}

type fpSite struct {
	FaultPointSite
	r *rand.Rand // the site's own stream, "faultpoint/NAME/fire"
}

// SetFaultPoints turns fault points on for the rest of the run (set-up code
// calls it before the run starts). Probabilities must lie in [0, 1].
func (w *World) SetFaultPoints(cfg FaultPoints) error {
	if !(cfg.Enable >= 0 && cfg.Enable <= 1 && cfg.Fire >= 0 && cfg.Fire <= 1) {
		return fmt.Errorf("fault points: enable %v and fire %v must be probabilities (0 to 1)", cfg.Enable, cfg.Fire)
	}
	if cfg.Enable == 0 {
		cfg.Enable = DefaultEnable
	}
	if cfg.Fire == 0 {
		cfg.Fire = DefaultFire
	}
	w.fpts = &faultPoints{cfg: cfg, sites: map[string]*fpSite{}}
	return nil
}

// FaultPointSites returns every fault point the run reached so far, sorted
// by name, or nil if fault points are off.
func (w *World) FaultPointSites() []FaultPointSite {
	if w.fpts == nil {
		return nil
	}
	out := make([]FaultPointSite, 0, len(w.fpts.sites))
	for _, name := range slices.Sorted(maps.Keys(w.fpts.sites)) {
		out = append(out, w.fpts.sites[name].FaultPointSite)
	}
	return out
}

// FaultPointEnabled reports whether the fault point name is enabled in a
// run with root seed seed and enable probability enable (0: DefaultEnable):
// the decision World makes when the site is first reached, for reports and
// tests that want it without running.
func FaultPointEnabled(seed uint64, name string, enable float64) bool {
	if enable == 0 {
		enable = DefaultEnable
	}
	s1, _ := SplitSeed(seed, "faultpoint/"+name)
	return float64(s1>>11)/(1<<53) < enable
}

// Maybe reports whether the fault point name fires now: never unless the
// run turned fault points on (World.SetFaultPoints) and enabled this site,
// and then with the run's Fire probability. A protocol calls it where a
// rare but legal path begins, and takes that path when it returns true:
//
//	if ctx.Maybe("paxos/spurious-election") {
//		s.campaign(ctx) // as if the election timeout had fired early
//	}
//
// Name sites "protocol/what". Only take paths the protocol must survive:
// a fault point that breaks a correct protocol is a false alarm.
func (c *Context) Maybe(name string) bool {
	if c.w.fpts == nil {
		return false
	}
	return c.w.fpts.maybe(c, name, c.w.fpts.cfg.Fire)
}

// MaybeP is Maybe with the site's own firing probability p, for a site
// reached so often (every tick, every message) that the run's Fire would
// make its rare path the common one.
func (c *Context) MaybeP(name string, p float64) bool {
	if c.w.fpts == nil {
		return false
	}
	return c.w.fpts.maybe(c, name, p)
}

// maybe reaches site name for node c, and records a fact if it fires.
func (fp *faultPoints) maybe(c *Context, name string, p float64) bool {
	s := fp.sites[name]
	if s == nil {
		s = &fpSite{FaultPointSite: FaultPointSite{Name: name, Enabled: FaultPointEnabled(c.w.root, name, fp.cfg.Enable)},
			r: rand.New(NewStream(c.w.root, "faultpoint/"+name+"/fire"))}
		fp.sites[name] = s
		if s.Enabled {
			c.Record(FaultPointOn{Site: name})
		}
	}
	s.Reached++
	if !s.Enabled || s.r.Float64() >= p {
		return false
	}
	s.Fired++
	c.Record(FaultPointFired{Site: name})
	return true
}
