package explore

import (
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// usage is what a path has spent of the bounded choices (timers only
// under a bound on them).
type usage struct {
	drops, dups, crashes, timers uint16
}

// covers reports whether a path that spent u can make every choice one
// that spent v can: it spent no more of anything.
func (u usage) covers(v usage) bool {
	return u.drops <= v.drops && u.dups <= v.dups && u.crashes <= v.crashes && u.timers <= v.timers
}

// move is a step, kept small (the search keeps one per state): the event
// fired, dropped or duplicated, or the node crashed or restarted. Its step
// is made when it is taken, after as many events as the run has then.
type move struct {
	id     uint64 // event id, or node id
	action uint8  // index in actions
}

// actions are the actions of a move, by index.
var actions = [...]string{scenarios.ActionFire, scenarios.ActionDrop, scenarios.ActionDuplicate,
	scenarios.ActionCrash, scenarios.ActionRestart}

// The indices of actions.
const (
	fire uint8 = iota
	drop
	duplicate
	crash
	restart
)

// step returns the path step m is in world w, where it is about to be
// taken.
func (m move) step(w *sim.World) scenarios.Step {
	st := scenarios.Step{After: w.Events(), Action: actions[m.action]}
	if m.action == crash || m.action == restart {
		st.Node = w.Name(sim.NodeID(m.id))
	} else {
		st.Event = m.id
	}
	return st
}

// choice is one step the search may take from a state, and what the path
// has spent once it takes it.
type choice struct {
	mv    move
	used  usage
	to    sim.NodeID // the node that handles a fired event (None for a call or a fault)
	timer bool       // it fires a timer
}

// choices returns every step the bounds allow from r's state, in a fixed
// order: for each pending event in the kernel's order, fire it (unless it
// is a message behind another on a FIFO link), then (for a message) drop
// it and duplicate it; then crash each running server, and restart each
// crashed one. With state hashing, an event that is the same as one before
// it (a copy of a message, an equal timer) gives no choices: they would
// reach the same states.
func (x *explorer) choices(r *run, u usage) []choice {
	var out []choice
	var fifo map[[2]sim.NodeID]bool // FIFO links whose first message in flight was seen
	var same map[key]bool           // the events seen, by what they are
	for _, p := range r.w.Pending() {
		if x.res.Hashing {
			if same == nil {
				same = map[key]bool{}
			}
			k := x.eventKey(p)
			if same[k] {
				continue
			}
			same[k] = true
		}
		later := false // a message behind another on a FIFO link: it cannot arrive first
		if p.Kind == sim.KindDeliver && !p.Held && r.w.LinkConfig(p.From, p.To).FIFO {
			if fifo == nil {
				fifo = map[[2]sim.NodeID]bool{}
			}
			link := [2]sim.NodeID{p.From, p.To}
			later, fifo[link] = fifo[link], true
		}
		switch {
		case p.Held, later:
		case p.Kind == sim.KindTimer:
			switch next := (usage{u.drops, u.dups, u.crashes, u.timers + 1}); {
			case x.opts.MaxTimers == 0:
				out = append(out, choice{move{p.ID, fire}, u, p.To, true})
			case int(next.timers) <= x.opts.MaxTimers:
				out = append(out, choice{move{p.ID, fire}, next, p.To, true})
			}
		default:
			out = append(out, choice{move{p.ID, fire}, u, p.To, false})
		}
		if p.Kind != sim.KindDeliver || p.Held {
			continue
		}
		if int(u.drops) < x.opts.MaxDrops {
			out = append(out, choice{move{p.ID, drop}, usage{u.drops + 1, u.dups, u.crashes, u.timers}, sim.None, false})
		}
		if int(u.dups) < x.opts.MaxDuplicates {
			out = append(out, choice{move{p.ID, duplicate}, usage{u.drops, u.dups + 1, u.crashes, u.timers}, sim.None, false})
		}
	}
	return append(out, x.faults(r, u)...)
}

// faults returns the crashes and restarts the bounds allow.
func (x *explorer) faults(r *run, u usage) []choice {
	var out []choice
	for _, id := range r.inst.Servers() {
		mv := move{id: uint64(id)}
		switch {
		case !r.w.Up(id):
			mv.action = restart
			out = append(out, choice{mv, u, sim.None, false})
		case int(u.crashes) < x.opts.MaxCrashes:
			mv.action = crash
			out = append(out, choice{mv, usage{u.drops, u.dups, u.crashes + 1, u.timers}, sim.None, false})
		}
	}
	return out
}
