package explore

import (
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// usage is what a path has spent of the bounded choices.
type usage struct {
	drops, dups, crashes, timers int
}

// covers reports whether a path that spent u can make every choice one
// that spent v can: it spent no more of anything.
func (u usage) covers(v usage) bool {
	return u.drops <= v.drops && u.dups <= v.dups && u.crashes <= v.crashes && u.timers <= v.timers
}

// choice is one step the search may take from a state, and what the path
// has spent once it takes it.
type choice struct {
	step scenarios.Step
	used usage
	to   sim.NodeID // the node that handles a fired event (None for a call or a fault)
}

// choices returns every step the bounds allow from r's state, in a fixed
// order: for each pending event in the kernel's order, fire it, then (for a
// message) drop it and duplicate it; then crash each running server, and
// restart each crashed one.
func (x *explorer) choices(r *run, u usage) []choice {
	var out []choice
	after := r.w.Events()
	step := func(action string, id uint64, node string) scenarios.Step {
		return scenarios.Step{After: after, Action: action, Event: id, Node: node}
	}
	for _, p := range r.w.Pending() {
		switch {
		case p.Held:
		case p.Kind == sim.KindTimer:
			if next := (usage{u.drops, u.dups, u.crashes, u.timers + 1}); x.opts.MaxTimers == 0 || next.timers <= x.opts.MaxTimers {
				out = append(out, choice{step(scenarios.ActionFire, p.ID, ""), next, p.To})
			}
		default:
			out = append(out, choice{step(scenarios.ActionFire, p.ID, ""), u, p.To})
		}
		if p.Kind != sim.KindDeliver || p.Held {
			continue
		}
		if u.drops < x.opts.MaxDrops {
			out = append(out, choice{step(scenarios.ActionDrop, p.ID, ""), usage{u.drops + 1, u.dups, u.crashes, u.timers}, sim.None})
		}
		if u.dups < x.opts.MaxDuplicates {
			out = append(out, choice{step(scenarios.ActionDuplicate, p.ID, ""), usage{u.drops, u.dups + 1, u.crashes, u.timers}, sim.None})
		}
	}
	return append(out, x.faults(r, u, step)...)
}

// faults returns the crashes and restarts the bounds allow.
func (x *explorer) faults(r *run, u usage, step func(string, uint64, string) scenarios.Step) []choice {
	var out []choice
	for _, id := range r.inst.Servers() {
		name := r.w.Name(id)
		switch {
		case !r.w.Up(id):
			out = append(out, choice{step(scenarios.ActionRestart, 0, name), u, sim.None})
		case u.crashes < x.opts.MaxCrashes:
			out = append(out, choice{step(scenarios.ActionCrash, 0, name), usage{u.drops, u.dups, u.crashes + 1, u.timers}, sim.None})
		}
	}
	return out
}
