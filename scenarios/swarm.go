package scenarios

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
	"github.com/dsimlab/dsim/sim/detmath"
)

// Swarm testing: instead of one fixed fault mix for every seed, each seed
// draws its own from the run's "swarm" stream — which fault kinds the
// nemesis uses and how often and how long they last, the loss, duplication
// and latency tail of the network, the workload's mix, keys, operations in
// flight and queries after the fact, whether fault points and liveness mode
// are on, and protocol parameters — within bounds the scenario sets
// (SwarmBounds). Different seeds then leave different features out, which
// finds bugs that a mix with every feature at once hides (Groce et al.,
// "Swarm Testing", ISSTA 2012). The mix is part of the seed: the same
// scenario and seed draw the same mix, so a swarm run replays exactly.

// SwarmBounds are the limits within which each seed draws its mix (a
// scenario's swarm block). The zero value of a field means its default
// (DefaultSwarm).
type SwarmBounds struct {
	// Kinds are the fault kinds a seed may enable (each with probability
	// 1/2), among crash, pause, partition and clock. Default: the kinds
	// the scenario's nemesis and fixed faults use.
	Kinds []FaultKind
	// Drop and Duplicate are the most message loss and duplication a seed
	// may draw for the default link. Default: the scenario's own.
	Drop, Duplicate float64
	// Tail is the largest log-normal sigma a seed may give the latency
	// (keeping its mean as the median); 0 keeps the scenario's latency.
	Tail float64
	// InFlight is the most operations a client may keep in flight (and
	// all clients together at most six). Default: 4.
	InFlight int
	// NoQueries, NoFaultPoints and NoLiveness forbid a seed to turn on
	// queries after the fact, fault points and liveness mode; NoMix keeps
	// the workload's weights and keys.
	NoQueries, NoFaultPoints, NoLiveness, NoMix bool
	// Params are protocol parameters a seed draws, each within its range.
	Params []ParamRange
	// Off says the bounds are only bounds: the scenario runs its own mix
	// unless swarm testing is asked for (RunOptions.Swarm, --swarm).
	Off bool
}

// ParamRange is a protocol parameter a swarm seed draws: a number (int,
// float or duration) uniformly from Min to Max, or one of Choices (string
// or bool).
type ParamRange struct {
	Name     string
	Min, Max any
	Choices  []any
}

// SwarmMix is the mix one seed drew: what its run enables and how much.
type SwarmMix struct {
	// Kinds are the fault kinds the nemesis draws from; none: no nemesis.
	Kinds []FaultKind `json:"kinds"`
	// Interval and Duration are the nemesis's mean gap between faults and
	// mean fault length.
	Interval time.Duration `json:"interval_ns,omitempty"`
	Duration time.Duration `json:"duration_ns,omitempty"`
	// CrashPoints crash servers right after they send a message of some
	// types (crash must be among Kinds).
	CrashPoints bool `json:"crash_points,omitempty"`
	// Drop and Duplicate are the default link's loss and duplication.
	Drop      float64 `json:"drop"`
	Duplicate float64 `json:"duplicate"`
	// Tail, if positive, is the log-normal sigma of the latency.
	Tail float64 `json:"tail,omitempty"`
	// Mix and Keys are the workload's operation weights and key count.
	Mix  []protocols.MixEntry `json:"mix,omitempty"`
	Keys int                  `json:"keys,omitempty"`
	// InFlight, Queries, FaultPoints and Liveness are the workload's
	// operations in flight and queries after the fact, and whether fault
	// points and liveness mode are on.
	InFlight    int  `json:"in_flight"`
	Queries     bool `json:"queries"`
	FaultPoints bool `json:"fault_points"`
	Liveness    bool `json:"liveness"`
	// Params are the protocol parameters drawn, as name=value.
	Params []string `json:"params,omitempty"`
}

// String describes the mix on one line, e.g. "faults crash,partition every
// 300ms for 120ms; drop 0.031 dup 0.01 tail 0.8; mix get:2 put:1.3; keys 3;
// in-flight 3; queries; fault points; liveness; params no_probability=0.12".
func (m *SwarmMix) String() string {
	parts := m.faultParts()
	net := fmt.Sprintf("drop %s dup %s", fmtProb(m.Drop), fmtProb(m.Duplicate))
	if m.Tail > 0 {
		net += " tail " + fmtProb(m.Tail)
	}
	parts = append(parts, net)
	if len(m.Mix) > 0 {
		ws := make([]string, len(m.Mix))
		for i, e := range m.Mix {
			ws[i] = e.Op + ":" + fmtProb(e.Weight)
		}
		parts = append(parts, "mix "+strings.Join(ws, " "))
	}
	if m.Keys > 0 {
		parts = append(parts, fmt.Sprintf("keys %d", m.Keys))
	}
	parts = append(parts, fmt.Sprintf("in-flight %d", m.InFlight))
	for _, on := range []struct {
		yes  bool
		name string
	}{{m.Queries, "queries"}, {m.FaultPoints, "fault points"}, {m.Liveness, "liveness"}} {
		if on.yes {
			parts = append(parts, on.name)
		}
	}
	if len(m.Params) > 0 {
		parts = append(parts, "params "+strings.Join(m.Params, " "))
	}
	return strings.Join(parts, "; ")
}

// maxLanes bounds the operations all clients together keep in flight in a
// swarm run, and a key may have about 1.5 of them on average: beyond that,
// porcupine's search for a linearization of overlapping writes (and of
// operations whose outcome is unknown) runs out of its budget.
const maxLanes = 6

// faultParts describes the mix's faults: the nemesis and crash points.
func (m *SwarmMix) faultParts() []string {
	if len(m.Kinds) == 0 {
		return []string{"no nemesis"}
	}
	kinds := make([]string, len(m.Kinds))
	for i, k := range m.Kinds {
		kinds[i] = string(k)
	}
	parts := []string{fmt.Sprintf("faults %s every %v for %v", strings.Join(kinds, ","), m.Interval, m.Duration)}
	if m.CrashPoints {
		parts = append(parts, "crash points")
	}
	return parts
}

// fmtProb formats a rate with three significant digits.
func fmtProb(x float64) string { return strconv.FormatFloat(x, 'g', 3, 64) }

// DefaultSwarm returns the bounds a scenario without a swarm block gets:
// the fault kinds it uses already, its own loss and duplication at most,
// its latency, up to four operations in flight, and queries, fault points
// and liveness mode allowed.
func (s *Scenario) DefaultSwarm() SwarmBounds {
	return SwarmBounds{Kinds: s.faultKinds(), Drop: s.Network.Default.Drop, Duplicate: s.Network.Default.Duplicate, InFlight: 4}
}

// faultKinds returns the nemesis kinds the scenario's nemesis and fixed
// faults use, in NemesisKinds order.
func (s *Scenario) faultKinds() []FaultKind {
	used := map[FaultKind]bool{}
	if s.Nemesis != nil {
		for _, k := range s.Nemesis.Kinds {
			used[k] = true
		}
	}
	for _, f := range s.Faults {
		switch f.Kind {
		case FaultCrash, FaultRestart:
			used[FaultCrash] = true
		case FaultPause, FaultResume:
			used[FaultPause] = true
		case FaultPartition, FaultCut:
			used[FaultPartition] = true
		case FaultClock:
			used[FaultClock] = true
		}
	}
	var out []FaultKind
	for _, k := range NemesisKinds {
		if used[k] {
			out = append(out, k)
		}
	}
	return out
}

// swarmBounds returns the scenario's swarm bounds, defaults filled in.
func (s *Scenario) swarmBounds() SwarmBounds {
	b := s.DefaultSwarm()
	if s.Swarm == nil {
		return b
	}
	c := *s.Swarm
	if c.Kinds == nil {
		c.Kinds = b.Kinds
	}
	c.Drop, c.Duplicate = max(c.Drop, b.Drop), max(c.Duplicate, b.Duplicate)
	if c.InFlight == 0 {
		c.InFlight = b.InFlight
	}
	return c
}

// DrawSwarm returns the mix seed draws within the scenario's swarm bounds,
// from the seed's "swarm" stream. The draws come in a fixed order, so the
// same scenario and seed always draw the same mix.
func (s *Scenario) DrawSwarm(seed uint64) *SwarmMix {
	b := s.swarmBounds()
	r := rand.New(sim.NewStream(seed, "swarm"))
	m := &SwarmMix{}
	for _, k := range b.Kinds {
		if r.IntN(2) == 0 {
			m.Kinds = append(m.Kinds, k)
		}
	}
	m.CrashPoints = slices.Contains(m.Kinds, FaultCrash) && r.IntN(2) == 0
	base := s.baseNemesis()
	m.Interval = scaled(r, base.Interval, -2, 1).Round(time.Millisecond)
	m.Duration = scaled(r, base.Duration, -3, 1).Round(time.Millisecond)
	if window := base.Stop - base.Start; m.Duration*3/2 > window {
		m.Duration = window * 2 / 3
	}
	m.Drop = drawRate(r, s.Network.Default.Drop, b.Drop)
	m.Duplicate = drawRate(r, s.Network.Default.Duplicate, b.Duplicate)
	if b.Tail > 0 && r.IntN(3) == 0 {
		m.Tail = 0.2 + float64(r.Float64()*max(b.Tail-0.2, 0))
	}
	m.Mix, m.Keys = drawWorkload(r, s.Workload)
	if b.NoMix {
		m.Mix, m.Keys = slices.Clone(s.Workload.Mix), s.Workload.Keys
	}
	m.InFlight = 1
	clients := max(s.Clients, 1)
	if most := min(b.InFlight, maxLanes/clients, 3*s.Workload.Keys/(2*clients)); most > 1 && r.IntN(2) == 0 {
		m.InFlight = 2 + r.IntN(most-1)
	}
	// Keep a key's concurrency (the clients' operations in flight over the
	// keys) within what a linearizability check decides quickly: 1.5.
	m.Keys = max(m.Keys, min(s.Workload.Keys, (2*clients*m.InFlight+2)/3))
	if !b.NoMix {
		readsOftenEnough(m.Mix)
	}
	m.Queries = !b.NoQueries && r.IntN(2) == 0
	m.FaultPoints = !b.NoFaultPoints && r.IntN(2) == 0
	m.Liveness = !b.NoLiveness && r.IntN(2) == 0 && (len(m.Kinds) > 0 || len(s.Faults) > 0)
	for _, pr := range b.Params {
		m.Params = append(m.Params, pr.Name+"="+drawParam(r, pr))
	}
	return m
}

// scaled returns d times 2^x for x uniform in [lo, hi).
func scaled(r *rand.Rand, d time.Duration, lo, hi float64) time.Duration {
	return time.Duration(float64(d) * detmath.Exp2(lo+float64((hi-lo)*r.Float64())))
}

// drawRate draws a loss or duplication rate: the scenario's own half the
// time, else uniform up to the bound.
func drawRate(r *rand.Rand, own, bound float64) float64 {
	if r.IntN(2) == 0 || bound <= 0 {
		return own
	}
	return r.Float64() * bound
}

// drawWorkload scales each operation's weight by 2^x, x uniform in [-2, 2),
// and, half the time, draws the number of keys from 1 to the workload's.
func drawWorkload(r *rand.Rand, wl protocols.Workload) ([]protocols.MixEntry, int) {
	mix := slices.Clone(wl.Mix)
	for i := range mix {
		mix[i].Weight *= detmath.Exp2(float64(4*r.Float64()) - 2)
	}
	keys := wl.Keys
	if wl.Keys > 1 && r.IntN(2) == 0 {
		keys = 1 + r.IntN(wl.Keys)
	}
	return mix, keys
}

// readsOftenEnough raises the weight of gets to that of all writes
// together: with concurrent writes (or writes of unknown outcome) and few
// reads to tell their order, the orders a linearizability check must
// consider multiply past its budget.
func readsOftenEnough(mix []protocols.MixEntry) {
	get, writes := -1, 0.0
	for i, e := range mix {
		switch e.Op {
		case "get":
			get = i
		case "put", "append", "cas":
			writes += e.Weight
		}
	}
	if get >= 0 && mix[get].Weight < writes {
		mix[get].Weight = writes
	}
}

// drawParam draws a parameter's value within its range, formatted as a
// scenario file would write it.
func drawParam(r *rand.Rand, pr ParamRange) string {
	if len(pr.Choices) > 0 {
		return fmt.Sprint(pr.Choices[r.IntN(len(pr.Choices))])
	}
	switch lo := pr.Min.(type) {
	case int:
		hi := pr.Max.(int)
		return strconv.Itoa(lo + r.IntN(hi-lo+1))
	case float64:
		return fmtProb(lo + float64(r.Float64()*(pr.Max.(float64)-lo)))
	case time.Duration:
		hi := pr.Max.(time.Duration)
		return (lo + time.Duration(r.Int64N(int64(hi-lo)+1))).String()
	}
	return fmt.Sprint(pr.Min)
}

// baseNemesis is the nemesis a swarm mix varies: the scenario's, or, for a
// scenario with fixed faults only, one acting over their span, or else
// over the middle of the run.
func (s *Scenario) baseNemesis() Nemesis {
	if s.Nemesis != nil {
		return *s.Nemesis
	}
	nm := Nemesis{Interval: 300 * time.Millisecond, Duration: 300 * time.Millisecond, MaxSkew: 100 * time.Millisecond,
		Start: s.Duration / 10, Stop: s.Duration / 2}
	if len(s.Faults) > 0 {
		first, last := s.Faults[0].At, s.Faults[0].At
		for _, f := range s.Faults {
			first, last = min(first, f.At), max(last, f.At)
		}
		if last-first >= time.Second {
			nm.Start, nm.Stop = first, last
		}
	}
	return nm
}

// WithSwarm returns a copy of s that runs the mix m: its nemesis, network,
// workload, fault points, liveness mode and parameters; s is unchanged.
// Online checks are on: a swarm run is a hunt. The copy has no swarm
// bounds: it is the mix, a plain scenario that a file can hold and that
// runs the same without --swarm.
func (s *Scenario) WithSwarm(m *SwarmMix) *Scenario {
	c := *s
	c.Swarm = nil
	c.Nemesis = nil
	if len(m.Kinds) > 0 {
		nm := s.baseNemesis()
		nm.Kinds, nm.Interval, nm.Duration = slices.Clone(m.Kinds), m.Interval, m.Duration
		c.Nemesis = &nm
	}
	c.CrashPoints = m.CrashPoints
	c.Network.Default.Drop, c.Network.Default.Duplicate = m.Drop, m.Duplicate
	if m.Tail > 0 {
		c.Network.Default.Latency = sim.LogNormal(max(s.Network.Default.Latency.MeanDuration(), time.Microsecond), m.Tail)
	}
	c.Workload.Mix, c.Workload.Keys = m.Mix, m.Keys
	c.Workload.InFlight, c.Workload.Queries = m.InFlight, m.Queries
	// Clients with more operations in flight get as many times the
	// operations, so that the workload spans the fault phase as before.
	c.Workload.Ops = s.Workload.Ops * max(1, m.InFlight)
	if m.FaultPoints && c.FaultPoints == nil {
		c.FaultPoints = &sim.FaultPoints{}
	}
	if m.Liveness && c.Liveness == nil {
		c.Liveness = &Liveness{}
	}
	for _, kv := range m.Params {
		name, value, _ := strings.Cut(kv, "=")
		c.Params = c.Params.With(name, parseParam(s.Protocol, name, value))
	}
	// A mix may leave a check nothing to check (every transaction
	// aborted, say): that seed tested little, but found nothing wrong.
	c.Online, c.AllowVacuous = true, true
	return &c
}

// parseParam parses a drawn parameter value back to its kind's Go type.
func parseParam(pr *protocols.Protocol, name, value string) any {
	for _, spec := range pr.Params {
		if spec.Name != name {
			continue
		}
		switch spec.Kind {
		case protocols.Int:
			v, _ := strconv.Atoi(value)
			return v
		case protocols.Float:
			v, _ := strconv.ParseFloat(value, 64)
			return v
		case protocols.Duration:
			v, _ := time.ParseDuration(value)
			return v
		case protocols.Bool:
			return value == "true"
		}
	}
	return value
}
