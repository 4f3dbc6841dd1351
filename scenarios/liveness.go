package scenarios

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// LivenessModeCheck is the name of liveness mode's check.
const LivenessModeCheck = "liveness-mode"

// DefaultLivenessBound is how soon after the heal progress must come when
// neither the scenario nor the protocol (protocols.Recovery) says.
const DefaultLivenessBound = 5 * time.Second

// Liveness is a scenario's liveness mode (its liveness block), in the
// manner of TigerBeetle's VOPR: after the fault phase the network heals and
// the protocol's core (protocols.Recovery, or every server) is restarted
// and resumed, and the protocol must then make progress within a bound. A
// run that stops making progress fails the liveness-mode check, reported
// apart from safety, with the time the core was healed.
type Liveness struct {
	// At is when the fault phase ends and the core is healed. Zero: when
	// the nemesis's last fault would be undone (that undoing is left to
	// the heal, which undoes it only for the core), or else at the last
	// fixed fault. Faults scheduled after At are not applied.
	At time.Duration
	// Bound is how soon after the heal progress must come. Zero: the
	// protocol's LivenessBound, or DefaultLivenessBound.
	Bound time.Duration
}

// liveRun is liveness mode in one run: when the core was healed, the
// progress measured then and at the bound, and the verdict.
type liveRun struct {
	s      *Scenario
	inst   protocols.Instance
	links  []Fault // link faults applied, whose links the heal resets
	at     sim.Time
	bound  time.Duration
	core   []sim.NodeID
	before int  // progress at the heal
	owed   bool // work was pending at the heal
	after  int  // progress at the bound
	judged bool // the bound was reached before the run ended
}

// liveSchedule prepares liveness mode: it picks the heal time and leaves
// out the faults after it (and the undoing of the nemesis's last fault).
// It returns the schedule to apply and the liveness state, or nil if the
// scenario has no liveness mode or no fault phase to end; arm schedules the
// heal, after the faults.
func (s *Scenario) liveSchedule(w *sim.World, inst protocols.Instance, schedule []Fault) ([]Fault, *liveRun) {
	if s.Liveness == nil {
		return schedule, nil
	}
	at, kept := s.Liveness.At, schedule
	if at == 0 {
		at, kept = healTime(schedule)
	} else {
		kept = slices.DeleteFunc(slices.Clone(schedule), func(f Fault) bool { return f.At > at })
	}
	if at == 0 {
		return schedule, nil
	}
	lr := &liveRun{s: s, inst: inst, at: sim.Time(at), bound: s.Liveness.Bound, core: inst.Servers()}
	for _, f := range kept {
		if f.Kind == FaultLink && f.From != "" {
			lr.links = append(lr.links, f)
		}
	}
	if rec, ok := inst.(protocols.Recovery); ok {
		lr.core = rec.Core()
		if lr.bound == 0 {
			lr.bound = rec.LivenessBound()
		}
	}
	if lr.bound == 0 {
		lr.bound = DefaultLivenessBound
	}
	return kept, lr
}

// arm schedules the heal and the measurement at the bound. Scheduled after
// the faults, the heal comes after those at the same time.
func (lr *liveRun) arm(w *sim.World) {
	if lr == nil {
		return
	}
	w.At(lr.at, lr.heal)
	w.At(lr.at.Add(lr.bound), func(w *sim.World) { lr.after, _ = lr.progress(w, false); lr.judged = true })
}

// healTime returns when a fault phase ends: at the undoing of the
// nemesis's last fault, which is left out, or else at the last fixed
// fault; 0 if there is no fault.
func healTime(schedule []Fault) (time.Duration, []Fault) {
	var last, lastStart time.Duration
	nemesis := false
	for _, f := range schedule {
		last = max(last, f.At)
		if f.Nemesis {
			nemesis = true
			if !undoes(f) {
				lastStart = max(lastStart, f.At)
			}
		}
	}
	if !nemesis {
		return last, schedule
	}
	// The last nemesis fault starts at lastStart; its undoing is the heal.
	var heal time.Duration
	kept := slices.DeleteFunc(slices.Clone(schedule), func(f Fault) bool {
		if f.Nemesis && undoes(f) && f.At > lastStart {
			heal = max(heal, f.At)
			return true
		}
		return false
	})
	if heal == 0 {
		heal = last
	}
	return heal, slices.DeleteFunc(kept, func(f Fault) bool { return f.At > heal })
}

// undoes reports whether nemesis fault f undoes an earlier one: a restart,
// resume, heal, or a clock set back to true time.
func undoes(f Fault) bool {
	switch f.Kind {
	case FaultRestart, FaultResume, FaultHeal:
		return true
	case FaultClock:
		return f.Offset == 0 && f.Drift == 0
	}
	return false
}

// heal ends the fault phase: every link is restored to the scenario's
// network, the core is restarted where crashed and resumed where paused,
// and the progress owed is measured.
func (lr *liveRun) heal(w *sim.World) {
	w.Heal()
	if err := w.SetDefaultLink(lr.s.Network.Default); err != nil {
		panic(fmt.Sprintf("scenarios: liveness heal: %v", err)) // validated at load time
	}
	for _, f := range lr.links {
		from, _ := w.Lookup(f.From)
		to, _ := w.Lookup(f.To)
		w.ResetLink(from, to)
	}
	for _, l := range lr.s.Network.Links {
		from, _ := w.Lookup(l.From)
		to, _ := w.Lookup(l.To)
		_ = w.SetLink(from, to, l.Config)
	}
	for _, id := range lr.core {
		if !w.Up(id) {
			w.Restart(id)
		} else if w.Paused(id) {
			w.Resume(id)
		}
	}
	lr.before, lr.owed = lr.progress(w, true)
}

// progress is the protocol's progress and whether work is owed
// (protocols.Recovery), or else the number of operations its clients
// completed; then work is owed if clients invoked operations in the first
// half of the bound after the heal (a protocol that does not say what it
// owes may drop an operation for good, so one pending at the heal owes
// nothing).
func (lr *liveRun) progress(w *sim.World, atHeal bool) (int, bool) {
	if rec, ok := lr.inst.(protocols.Recovery); ok {
		return rec.Progress(w)
	}
	done := 0
	for _, op := range w.History() {
		if op.Returned {
			done++
		}
	}
	return done, !atHeal || lr.owedByHistory(w)
}

// owedByHistory reports whether clients invoked an operation in the first
// half of the bound after the heal.
func (lr *liveRun) owedByHistory(w *sim.World) bool {
	half := lr.at.Add(lr.bound / 2)
	for _, op := range w.History() {
		if op.Invoke > lr.at && op.Invoke <= half {
			return true
		}
	}
	return false
}

// end measures at the end of the run if the bound was not reached (the
// protocol stopped the run, or the run was stopped early).
func (lr *liveRun) end(w *sim.World) {
	if !lr.judged {
		lr.after, _ = lr.progress(w, false)
	}
	if _, ok := lr.inst.(protocols.Recovery); !ok && w.Now() >= lr.at {
		lr.owed = lr.owedByHistory(w)
	}
}

// result is the liveness-mode check's verdict.
func (lr *liveRun) result(w *sim.World, names func(sim.NodeID) string) checker.Result {
	r := checker.Result{Check: LivenessModeCheck, Kind: checker.Liveness}
	core := make([]string, len(lr.core))
	for i, id := range lr.core {
		core[i] = names(id)
	}
	healed := fmt.Sprintf("the network and the core (%s) were healed at %v", strings.Join(core, ", "), time.Duration(lr.at))
	switch {
	case w.Now() < lr.at:
		r.Verdict = checker.Holds
		r.Detail = fmt.Sprintf("the run ended at %v, before the heal at %v (%s)", time.Duration(w.Now()), time.Duration(lr.at), stopReason(w))
	case lr.after > lr.before:
		r.Verdict = checker.Holds
		r.Detail = fmt.Sprintf("%s; progress within %v: %d more", healed, lr.bound, lr.after-lr.before)
	case !lr.owed:
		r.Verdict = checker.Holds
		r.Detail = healed + "; the protocol owed no progress then (no work pending, or a state it declares it cannot leave)"
	case !lr.judged:
		r.Verdict = checker.Inconclusive
		r.Detail = fmt.Sprintf("%s; the run ended %v later, before the %v bound, with no progress", healed,
			time.Duration(w.Now()-lr.at), lr.bound)
	default:
		r.Verdict = checker.Violated
		r.Detail = fmt.Sprintf("%s; no progress in the %v after, though work was pending", healed, lr.bound)
	}
	return r
}

// stopReason says why the run ended.
func stopReason(w *sim.World) string {
	if stopped, why := w.Stopped(); stopped {
		return why
	}
	return "its duration"
}
