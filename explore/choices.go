package explore

import (
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// usage is what a path has spent of the bounded choices.
type usage struct {
	drops, dups, crashes, timers int32
}

// covers reports whether a path that spent u can make every choice one
// that spent v can: it spent no more of anything.
func (u usage) covers(v usage) bool {
	return u.drops <= v.drops && u.dups <= v.dups && u.crashes <= v.crashes && u.timers <= v.timers
}

// move is a step, kept small: the search keeps one per state.
type move struct {
	after, event uint64
	node         int32 // a crash's or restart's node; -1 for none
	action       uint8 // index in actions
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

// step returns the path step m is, naming nodes as w does.
func (m move) step(w *sim.World) scenarios.Step {
	st := scenarios.Step{After: m.after, Action: actions[m.action], Event: m.event}
	if m.node >= 0 {
		st.Event, st.Node = 0, w.Name(sim.NodeID(m.node))
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
// crashed one.
func (x *explorer) choices(r *run, u usage) []choice {
	var out []choice
	after := r.w.Events()
	ev := func(action uint8, id uint64) move { return move{after: after, event: id, node: -1, action: action} }
	var fifo map[[2]sim.NodeID]bool // FIFO links whose first message in flight was seen
	for _, p := range r.w.Pending() {
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
			if next := (usage{u.drops, u.dups, u.crashes, u.timers + 1}); x.opts.MaxTimers == 0 || int(next.timers) <= x.opts.MaxTimers {
				out = append(out, choice{ev(fire, p.ID), next, p.To, true})
			}
		default:
			out = append(out, choice{ev(fire, p.ID), u, p.To, false})
		}
		if p.Kind != sim.KindDeliver || p.Held {
			continue
		}
		if int(u.drops) < x.opts.MaxDrops {
			out = append(out, choice{ev(drop, p.ID), usage{u.drops + 1, u.dups, u.crashes, u.timers}, sim.None, false})
		}
		if int(u.dups) < x.opts.MaxDuplicates {
			out = append(out, choice{ev(duplicate, p.ID), usage{u.drops, u.dups + 1, u.crashes, u.timers}, sim.None, false})
		}
	}
	return append(out, x.faults(r, u, after)...)
}

// faults returns the crashes and restarts the bounds allow.
func (x *explorer) faults(r *run, u usage, after uint64) []choice {
	var out []choice
	for _, id := range r.inst.Servers() {
		mv := move{after: after, node: int32(id)}
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
