package shrink

import (
	"cmp"
	"slices"
	"strings"

	"github.com/dsimlab/dsim/scenarios"
)

// units groups a schedule's faults into the units a shrink keeps or drops
// whole: a fault and the later fault that undoes it (a crash and the
// node's next restart, a pause and its resume, a partition and the next
// heal, a cut and the next heal of that link or of all, a clock set and
// the node's next clock set), or a fault alone. Each unit lists indexes
// into faults, in order.
func units(faults []scenarios.Fault) [][]int {
	paired := make([]bool, len(faults))
	var out [][]int
	for i, f := range faults {
		if paired[i] {
			continue
		}
		u := []int{i}
		for j := i + 1; j < len(faults); j++ {
			if !paired[j] && undoes(f, faults[j]) {
				paired[j] = true
				u = append(u, j)
				break
			}
		}
		out = append(out, u)
	}
	return out
}

// undoes reports whether g undoes f.
func undoes(f, g scenarios.Fault) bool {
	switch f.Kind {
	case scenarios.FaultCrash:
		return g.Kind == scenarios.FaultRestart && g.Node == f.Node
	case scenarios.FaultPause:
		return g.Kind == scenarios.FaultResume && g.Node == f.Node
	case scenarios.FaultPartition:
		return g.Kind == scenarios.FaultHeal && g.From == ""
	case scenarios.FaultCut:
		return g.Kind == scenarios.FaultHeal && (g.From == "" || g.From == f.From && g.To == f.To)
	case scenarios.FaultClock:
		return g.Kind == scenarios.FaultClock && g.Node == f.Node && (f.Offset != 0 || f.Drift != 0)
	}
	return false
}

// pick returns the faults of the given units, in schedule order.
func pick(faults []scenarios.Fault, us [][]int) []scenarios.Fault {
	var idx []int
	for _, u := range us {
		idx = append(idx, u...)
	}
	slices.Sort(idx)
	out := make([]scenarios.Fault, len(idx))
	for i, j := range idx {
		out[i] = faults[j]
		out[i].Position = i
	}
	return out
}

// faults drops as many fault units as it can, by delta debugging.
func (sh *shrinker) faults() bool {
	all := sh.best.Faults
	us := units(all)
	kept := ddmin(us, func(sub [][]int) bool {
		return sh.try("faults", sh.with(func(c *scenarios.Scenario) { c.Faults = pick(all, sub) }))
	})
	return len(kept) < len(us)
}

// undoing drops the undoing half of a unit on its own (a crashed node
// that is not restarted stays down; a paused one stays paused), latest
// first.
func (sh *shrinker) undoing() bool {
	progress := false
	var undos []int
	for _, u := range units(sh.best.Faults) {
		if len(u) == 2 {
			undos = append(undos, u[1])
		}
	}
	slices.Sort(undos)
	for _, undo := range slices.Backward(undos) { // later first, so earlier indexes stay
		if sh.try("undoing", sh.with(func(c *scenarios.Scenario) { c.Faults = slices.Delete(c.Faults, undo, undo+1) })) {
			progress = true
		}
	}
	renumber(sh.best.Faults)
	return progress
}

// renumber sets each fault's Position to its index.
func renumber(faults []scenarios.Fault) {
	for i := range faults {
		faults[i].Position = i
	}
}

// ddmin is Zeller and Hildebrandt's delta debugging: it returns a subset
// of items for which test holds and which is 1-minimal (test fails without
// any one of its items), provided test holds for items. It tries the empty
// set first, then subsets and complements of ever finer partitions.
func ddmin[T any](items []T, test func([]T) bool) []T {
	if len(items) == 0 || test(nil) {
		return nil
	}
	n := 2
	for len(items) >= 2 {
		parts := split(items, n)
		if sub, ok := first(parts, test); ok {
			items, n = sub, 2
			continue
		}
		if n > 2 { // with two parts, each complement is the other part
			if sub, ok := first(complements(parts), test); ok {
				items, n = sub, max(n-1, 2)
				continue
			}
		}
		if n >= len(items) {
			break
		}
		n = min(2*n, len(items))
	}
	return items
}

// first returns the first set for which test holds.
func first[T any](sets [][]T, test func([]T) bool) ([]T, bool) {
	for _, s := range sets {
		if test(s) {
			return s, true
		}
	}
	return nil, false
}

// split cuts items into n parts of nearly equal sizes.
func split[T any](items []T, n int) [][]T {
	parts := make([][]T, 0, n)
	for i := range n {
		lo, hi := i*len(items)/n, (i+1)*len(items)/n
		parts = append(parts, items[lo:hi:hi])
	}
	return parts
}

// complements returns, for each part, every other part joined.
func complements[T any](parts [][]T) [][]T {
	out := make([][]T, len(parts))
	for i := range parts {
		for j, p := range parts {
			if j != i {
				out[i] = append(out[i], p...)
			}
		}
	}
	return out
}

// reboot turns a crash and its restart into a restart alone, at the
// crash's time: a reboot, one fault event instead of two (restarting a
// running node crashes it first). It tries the latest crash first, and
// starts again after each reboot it keeps.
func (sh *shrinker) reboot() bool {
	progress := false
	for rebooted := true; rebooted; {
		rebooted = false
		for _, u := range slices.Backward(units(sh.best.Faults)) {
			if len(u) == 2 && sh.best.Faults[u[0]].Kind == scenarios.FaultCrash && sh.try("reboot", sh.rebooted(u[0], u[1])) {
				rebooted, progress = true, true
				break
			}
		}
	}
	return progress
}

// rebooted is the best scenario with the crash at index crash replaced by
// moving the restart at index restart to its time.
func (sh *shrinker) rebooted(crash, restart int) *scenarios.Scenario {
	return sh.with(func(c *scenarios.Scenario) {
		c.Faults[restart].At = c.Faults[crash].At
		c.Faults = slices.Delete(c.Faults, crash, crash+1)
		slices.SortStableFunc(c.Faults, func(a, b scenarios.Fault) int { return cmp.Compare(a.At, b.At) })
		renumber(c.Faults)
	})
}

// unhealed returns what a schedule leaves broken at its end: the nodes
// it leaves crashed ("n1") or paused ("n1 paused"), the links it leaves
// cut ("n1>n2"), and "partition" for a partition no heal followed.
func unhealed(faults []scenarios.Fault) map[string]bool {
	open := map[string]bool{}
	for _, f := range faults {
		switch f.Kind {
		case scenarios.FaultCrash:
			open[f.Node] = true
		case scenarios.FaultPause:
			open[f.Node+" paused"] = true
		case scenarios.FaultRestart: // a restarted node runs, paused or not
			delete(open, f.Node)
			delete(open, f.Node+" paused")
		case scenarios.FaultResume:
			delete(open, f.Node+" paused")
		case scenarios.FaultPartition:
			open["partition"] = true
		case scenarios.FaultCut:
			open[f.From+">"+f.To] = true
		case scenarios.FaultHeal:
			healNetwork(open, f)
		}
	}
	return open
}

// healNetwork takes what a heal heals out of open: one link, or every
// link and the partition.
func healNetwork(open map[string]bool, f scenarios.Fault) {
	if f.From != "" {
		delete(open, f.From+">"+f.To)
		return
	}
	for what := range open {
		if what == "partition" || strings.Contains(what, ">") {
			delete(open, what)
		}
	}
}
