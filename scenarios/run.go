package scenarios

import (
	"context"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// RunOptions changes how Run runs a scenario.
type RunOptions struct {
	// Trace records events in memory (Outcome.World's Trace), for reports:
	// every one, or the first TraceLimit if that is positive.
	Trace      bool
	TraceLimit int
	// TraceTo, if set, receives the whole trace as JSON Lines while the run
	// goes, through a bounded buffer (sim.World.StreamTraceJSONL): the way
	// to keep the trace of a long run.
	TraceTo io.Writer
	// Context, if set, interrupts the run when it is done: the simulation
	// stops before its next event and the Outcome says Interrupted, with no
	// check run.
	Context context.Context
	// Steps, if set, are choices the run makes instead of the kernel (a
	// path: see Step); the run fails with an error wrapping ErrPath if they
	// do not fit it.
	Steps []Step
	// CheckBudget, if positive, overrides the scenario's check_budget.
	CheckBudget time.Duration
	// AllowInconclusive, if true, lets inconclusive checks pass even when
	// the scenario does not allow them.
	AllowInconclusive bool
	// Swarm draws the run's mix from its seed, within the scenario's swarm
	// bounds or their defaults, as the scenario's swarm field does (see
	// SwarmMix).
	Swarm bool
	// Online checks invariants as the run goes and stops the run at the
	// first violation, as the scenario's online_checks field does.
	Online bool
	// Watch, if set, is called with the world once it is built, before it
	// runs, to watch it (sim.World.Observe): a trace exporter streams the
	// run as it goes.
	Watch func(*sim.World)
}

// Outcome is the result of running a scenario with one seed.
type Outcome struct {
	Scenario    string           `json:"scenario"`
	File        string           `json:"file"`
	Protocol    string           `json:"protocol"`
	Seed        uint64           `json:"seed"`
	Fingerprint string           `json:"fingerprint"` // 16 hex digits
	Events      uint64           `json:"events"`
	SimTime     time.Duration    `json:"sim_time_ns"`
	Wall        time.Duration    `json:"wall_ns"`  // wall time of simulation and checks; not deterministic
	CheckWall   time.Duration    `json:"check_ns"` // wall time of the checks alone; not deterministic
	Passed      bool             `json:"passed"`
	Checks      []checker.Result `json:"checks"`
	Stats       []protocols.Stat `json:"stats,omitempty"`
	Faults      []Fault          `json:"faults"`

	// World is the finished simulation, for trace export and reports.
	World *sim.World `json:"-"`
	// Instance is the protocol as it ran, for measurements of its own
	// beyond Stats (a study asserts it to the protocol's type).
	Instance protocols.Instance `json:"-"`
	// Visualization, if set, writes porcupine's visualization of a failed
	// linearizability check.
	Visualization func(io.Writer) error `json:"-"`
	// AllowInconclusive records whether inconclusive checks passed.
	AllowInconclusive bool `json:"allow_inconclusive"`
	// AllowVacuous records whether checks with nothing to check passed.
	AllowVacuous bool `json:"allow_vacuous,omitempty"`
	// Crash, if set, says the run ended in a panic: a failed run, with no
	// verdicts for the checks it did not reach.
	Crash *Crash `json:"crash,omitempty"`
	// Interrupted says the run was stopped from outside (RunOptions.Context)
	// before its end: it did not pass, and no check ran.
	Interrupted bool `json:"interrupted,omitempty"`

	// Swarm is the mix a swarm run drew from its seed, or nil.
	Swarm *SwarmMix `json:"swarm,omitempty"`
	// FaultPoints are the fault points the run reached, when they were on.
	FaultPoints []sim.FaultPointSite `json:"fault_points,omitempty"`
	// Online is the first violation an online check saw, which stopped the
	// run there, or nil.
	Online *protocols.Violation `json:"online,omitempty"`
	// LivenessHeal is when liveness mode healed the network and the core,
	// or 0 if the run had no liveness mode: a scenario with Faults as
	// fixed faults and Liveness.At set to it runs the same heal.
	LivenessHeal time.Duration `json:"liveness_heal_ns,omitempty"`
	// ReplayFlags are the flags a replay command needs besides the seed,
	// for options that changed the run (--swarm, --online).
	ReplayFlags []string `json:"replay_flags,omitempty"`
}

// Crash describes a panic that ended a run: in a node's handler, in a
// function the run scheduled, in the protocol's set-up or in its checks. A
// panic is a finding, like a violated check: the seed replays it.
type Crash struct {
	// Phase is "setup", "run" or "check".
	Phase string `json:"phase"`
	// Node names the node whose handler panicked, or is empty.
	Node string `json:"node,omitempty"`
	// Event counts the events the run processed, the one that panicked
	// included (in a node's handler, it is that event's number, from 1).
	Event uint64 `json:"event"`
	// Time is the virtual time of the panic.
	Time time.Duration `json:"time_ns"`
	// Value is what the code panicked with.
	Value string `json:"panic"`
	// Stack is the stack of the panic, without goroutine numbers and code
	// offsets, so that the same binary prints the same stack every time.
	Stack string `json:"stack"`
}

// String says where and with what the run panicked, on one line.
func (c *Crash) String() string {
	where := "during " + c.Phase
	if c.Node != "" {
		where = "in node " + c.Node
	}
	return fmt.Sprintf("panic %s at event %d (%v): %s", where, c.Event, c.Time, c.Value)
}

// Counts returns how many checks held, were violated and were inconclusive.
func (o *Outcome) Counts() (holds, violated, inconclusive int) {
	for _, c := range o.Checks {
		switch c.Verdict {
		case checker.Holds:
			holds++
		case checker.Violated:
			violated++
		default:
			inconclusive++
		}
	}
	return holds, violated, inconclusive
}

// Build sets up a scenario in a fresh World for a seed, without running it:
// the protocol's nodes, the network and the fault schedule. Validation uses
// it to resolve node names; Run uses it to run.
func Build(s *Scenario, seed uint64, trace bool) (*sim.World, protocols.Instance, []Fault, error) {
	s, _ = s.ForSeed(seed, false, false)
	b, err := build(s, sim.Config{Seed: seed, Trace: trace})
	if err != nil {
		return nil, nil, nil, err
	}
	return b.w, b.inst, b.schedule, nil
}

// built is what build sets up: the world, the protocol's instance, the
// fault schedule, and liveness mode and crash points if the run has them.
type built struct {
	w        *sim.World
	inst     protocols.Instance
	schedule []Fault
	live     *liveRun
	crash    *crashPoints
}

// build is Build with the kernel's configuration (its Link is the
// scenario's), for a scenario made for its seed (ForSeed).
func build(s *Scenario, cfg sim.Config) (*built, error) {
	seed := cfg.Seed
	cfg.Link = s.Network.Default
	w, err := sim.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("%s: network: %w", s.File, err)
	}
	if s.FaultPoints != nil {
		if err := w.SetFaultPoints(*s.FaultPoints); err != nil {
			return nil, fmt.Errorf("%s: %w: %w", s.File, ErrInvalid, err)
		}
	}
	inst, err := s.Protocol.Setup(&protocols.Env{World: w, Params: s.Params, Nodes: s.Nodes, Clients: s.Clients,
		Workload: s.Workload, Duration: s.Duration, Online: s.Online})
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w: %w", s.File, s.Protocol.Name, ErrInvalid, err)
	}
	if err := s.resolve(w); err != nil {
		return nil, err
	}
	for _, l := range s.Network.Links {
		from, _ := w.Lookup(l.From)
		to, _ := w.Lookup(l.To)
		if err := w.SetLink(from, to, l.Config); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", s.File, l.Line, err)
		}
	}
	var servers []string
	for _, id := range inst.Servers() {
		servers = append(servers, w.Name(id))
	}
	schedule, live := s.liveSchedule(w, inst, s.Schedule(seed, servers))
	for _, f := range schedule {
		w.At(sim.Time(f.At), func(w *sim.World) {
			if err := apply(w, &s.Network, f); err != nil {
				// Values were validated at load time; a failure here is a bug.
				panic(fmt.Sprintf("scenarios: apply %s fault: %v", f.Kind, err))
			}
		})
	}
	live.arm(w)
	return &built{w: w, inst: inst, schedule: schedule, live: live, crash: s.armCrashPoints(w, inst, seed, live)}, nil
}

// Run runs scenario s with one seed and checks the result. The run is
// deterministic: the same scenario and seed give the same Outcome, except
// for the wall times.
//
// A panic in the protocol's code (set-up, a node, or its checks) does not
// escape: the Outcome fails with Crash set, so a sweep goes on and reports
// the seed like any other failure. Run returns an error only for a scenario
// that cannot be set up, or a trace that cannot be written.
func Run(s *Scenario, seed uint64, opts RunOptions) (o *Outcome, err error) {
	r := &run{seed: seed, opts: opts, start: time.Now(), phase: "setup"}
	r.s, r.mix = s.ForSeed(seed, opts.Swarm, opts.Online)
	defer func() {
		if p := recover(); p != nil {
			o, err = r.crashed(p), nil
		}
	}()
	if err := r.build(); err != nil {
		return nil, err
	}
	r.phase = "run"
	if err := r.simulate(); err != nil {
		return nil, err
	}
	if r.w.Interrupted() {
		o := r.outcome()
		o.Interrupted = true
		return o, nil
	}
	r.phase = "check"
	return r.check(), nil
}

// run is one run of Run in progress.
type run struct {
	s        *Scenario
	seed     uint64
	opts     RunOptions
	start    time.Time
	phase    string // "setup", "run" or "check": where a panic would be
	w        *sim.World
	inst     protocols.Instance
	schedule []Fault
	mix      *SwarmMix    // the swarm mix drawn, or nil
	live     *liveRun     // liveness mode, or nil
	crash    *crashPoints // crash points, or nil
}

func (r *run) build() error {
	b, err := build(r.s, sim.Config{Seed: r.seed, Trace: r.opts.Trace, TraceLimit: r.opts.TraceLimit})
	if err != nil {
		return err
	}
	r.w, r.inst, r.schedule, r.live, r.crash = b.w, b.inst, b.schedule, b.live, b.crash
	return nil
}

// simulate runs the world to the scenario's end, streaming its trace and
// stopping early if the context says so.
func (r *run) simulate() error {
	if ctx := r.opts.Context; ctx != nil {
		defer context.AfterFunc(ctx, r.w.Interrupt)()
	}
	if r.opts.Watch != nil {
		r.opts.Watch(r.w)
	}
	flush := func() error { return nil }
	if r.opts.TraceTo != nil {
		flush = r.w.StreamTraceJSONL(r.opts.TraceTo)
	}
	err := runSteps(r.w, r.end(), r.opts.Steps)
	if ferr := flush(); ferr != nil && err == nil {
		err = fmt.Errorf("trace: %w", ferr)
	}
	return err
}

// check runs the checks and completes the Outcome.
func (r *run) check() *Outcome {
	budget := r.s.CheckBudget
	if r.opts.CheckBudget > 0 {
		budget = r.opts.CheckBudget
	}
	checkStart := time.Now()
	rep := r.inst.Check(protocols.CheckRequest{World: r.w, Checks: r.s.Checks, Budget: budget})
	o := r.outcome()
	o.Checks, o.Stats, o.Visualization = append(rep.Checks, r.faultsCheck()...), rep.Stats, rep.Visualization
	o.Checks = append(o.Checks, r.liveCheck()...)
	o.Passed = o.passed()
	o.CheckWall = time.Since(checkStart)
	o.Wall = time.Since(r.start)
	return o
}

// faultsCheck is the check that a run which asked for a nemesis suffered a
// fault: none (the window could not hold one) means the run tested nothing
// the scenario asked for.
func (r *run) faultsCheck() []checker.Result {
	if r.s.Nemesis == nil || slices.ContainsFunc(r.schedule, func(f Fault) bool { return f.Nemesis }) {
		return nil
	}
	return []checker.Result{checker.Vacuously("nemesis", checker.Safety, "the nemesis drew no fault, so the run tested none")}
}

// passed says whether the run passed: no check violated, and no check
// inconclusive unless allowed (all of them, or the vacuous ones).
func (o *Outcome) passed() bool {
	for _, c := range o.Checks {
		switch {
		case c.Verdict == checker.Violated:
			return false
		case c.Verdict == checker.Holds, o.AllowInconclusive, c.Vacuous && o.AllowVacuous:
		default:
			return false
		}
	}
	return true
}

// outcome is the Outcome of the run so far, with no verdicts.
func (r *run) outcome() *Outcome {
	o := &Outcome{Scenario: r.s.Name, File: r.s.File, Protocol: r.s.Protocol.Name, Seed: r.seed,
		Faults: r.schedule, World: r.w, Instance: r.inst,
		AllowInconclusive: r.s.AllowInconclusive || r.opts.AllowInconclusive, AllowVacuous: r.s.AllowVacuous}
	r.hunted(o)
	if w := r.w; w != nil {
		o.Fingerprint = fmt.Sprintf("%016x", w.Fingerprint())
		o.Events, o.SimTime = w.Events(), time.Duration(w.Now())
	}
	o.Wall = time.Since(r.start)
	return o
}

// crashed builds the Outcome of a run that panicked.
func (r *run) crashed(p any) *Outcome {
	c := &Crash{Phase: r.phase, Value: fmt.Sprint(p), Stack: cleanStack(debug.Stack())}
	if w := r.w; w != nil {
		if id, ok := w.Active(); ok && r.phase == "run" {
			c.Node = w.Name(id)
		}
		c.Event, c.Time = w.Events(), time.Duration(w.Now())
	}
	o := r.outcome()
	o.Crash = c
	return o
}

// cleanStack drops what differs between two runs of one binary from a
// stack trace: the goroutine line, argument words and code offsets.
func cleanStack(stack []byte) string {
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(string(stack)), "\n") {
		if strings.HasPrefix(line, "goroutine ") {
			continue
		}
		if i := strings.LastIndex(line, " +0x"); i >= 0 {
			line = line[:i]
		}
		if i := strings.LastIndexByte(line, '('); i >= 0 && strings.HasSuffix(line, ")") && !strings.HasPrefix(line, "\t") {
			line = line[:i] + "(...)"
		}
		out = append(out, line)
	}
	return strings.Join(out, "\n")
}
