package protocols

import (
	"fmt"
	"time"

	"github.com/dsimlab/dsim/sim"
)

// Violation is the first breach of an invariant that an online check saw:
// the check, the trace event that broke it (its sequence number,
// sim.Event.Seq, as a JSON Lines trace numbers it), when, and what.
type Violation struct {
	Check  string        `json:"check"`
	Event  uint64        `json:"event"`
	Time   time.Duration `json:"time_ns"`
	Detail string        `json:"detail"`
}

// String says which check broke at which event, on one line.
func (v *Violation) String() string {
	return fmt.Sprintf("%s violated at event %d (%v): %s", v.Check, v.Event, v.Time, v.Detail)
}

// Online is what an Instance implements whose invariants can be checked as
// the run goes (agreement, one primary per view, money conserved,
// atomicity): with Env.Online it watches the run and stops it at the first
// violating event, so a failing run costs only up to its violation and its
// report points at the event. The check after the run reports the same
// violation; FirstViolation tells where it began.
type Online interface {
	// FirstViolation returns the first violation the online checks saw,
	// or nil.
	FirstViolation() *Violation
}

// Monitor is what an instance's online checks report to: it keeps the
// first violation and, when the scenario asked for online checks
// (Env.Online), stops the run there. An instance embeds one (NewMonitor)
// and so implements Online. It may report from a node's handler or from an
// observer (World.Stop allows both).
type Monitor struct {
	w     *sim.World
	on    bool
	first *Violation
}

// NewMonitor returns the monitor of an instance set up in env.
func NewMonitor(env *Env) Monitor { return Monitor{w: env.World, on: env.Online} }

// On reports whether online checks were asked for: an instance spares the
// work of checking as it goes otherwise.
func (m *Monitor) On() bool { return m.on }

// Violate reports that check was broken by trace event seq (for a fact a
// node just recorded, World.Traced()-1; for an observed event, its Seq),
// and stops the run at the first violation.
func (m *Monitor) Violate(check string, seq uint64, detail string) {
	if m.first != nil || !m.on {
		return
	}
	m.first = &Violation{Check: check, Event: seq, Time: time.Duration(m.w.Now()), Detail: detail}
	m.w.Stop("online check " + m.first.String())
}

// FirstViolation returns the first violation reported, or nil.
func (m *Monitor) FirstViolation() *Violation { return m.first }
