package shrink

import (
	"slices"
	"time"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
)

// smallest makes an integer as small as it can, down to low: it tries
// low, then values ever closer to the current one (halfway, a quarter of
// the way, ..., one less), keeps the first that test accepts, and starts
// again from there, until none is accepted.
func smallest(cur, low int, test func(int) bool) bool {
	progress := false
	for cur > low {
		accepted := false
		for _, c := range towards(cur, low) {
			if test(c) {
				cur, accepted, progress = c, true, true
				break
			}
		}
		if !accepted {
			break
		}
	}
	return progress
}

// towards lists the candidates below cur, smallest first: low, cur minus
// half the gap, minus a quarter, ..., cur-1.
func towards(cur, low int) []int {
	out := []int{low}
	for gap := (cur - low) / 2; gap > 0; gap /= 2 {
		if c := cur - gap; c != out[len(out)-1] {
			out = append(out, c)
		}
	}
	if out[len(out)-1] != cur-1 {
		out = append(out, cur-1)
	}
	return out
}

// ops shortens the workload.
func (sh *shrinker) ops() bool {
	if sh.best.Workload.Ops <= 1 {
		return false
	}
	return smallest(sh.best.Workload.Ops, 1, func(n int) bool {
		return sh.try("operations", sh.with(func(c *scenarios.Scenario) { c.Workload.Ops = n }))
	})
}

// keys makes the workload use fewer keys, so that its operations meet on
// them sooner.
func (sh *shrinker) keys() bool {
	if sh.best.Workload.Keys <= 1 {
		return false
	}
	return smallest(sh.best.Workload.Keys, 1, func(n int) bool {
		return sh.try("keys", sh.with(func(c *scenarios.Scenario) { c.Workload.Keys = n }))
	})
}

// mix takes kinds of operation out of the workload's mix, keeping one at
// least.
func (sh *shrinker) mix() bool {
	all := sh.best.Workload.Mix
	if len(all) < 2 {
		return false
	}
	kept := ddmin(all, func(sub []protocols.MixEntry) bool {
		return len(sub) > 0 && sh.try("operation kinds", sh.with(func(c *scenarios.Scenario) { c.Workload.Mix = slices.Clone(sub) }))
	})
	return len(kept) < len(all)
}

// clients takes clients away.
func (sh *shrinker) clients() bool {
	if sh.best.Clients <= 1 {
		return false
	}
	return smallest(sh.best.Clients, 1, func(n int) bool {
		return sh.try("clients", sh.with(func(c *scenarios.Scenario) { c.Clients = n }))
	})
}

// nodes takes server nodes away, with the faults and links that name
// them.
func (sh *shrinker) nodes() bool {
	if sh.best.Nodes <= 1 {
		return false
	}
	return smallest(sh.best.Nodes, 1, func(n int) bool {
		c := sh.with(func(c *scenarios.Scenario) { c.Nodes = n })
		names, ok := nodeNames(c, sh.seed)
		if !ok {
			return false
		}
		keepNamed(c, names)
		return sh.try("nodes", c)
	})
}

// params makes every integer parameter that has bounds as small as it
// can: for MapReduce, the job's tasks and records.
func (sh *shrinker) params() bool {
	progress := false
	for _, spec := range sh.best.Protocol.Params {
		if spec.Kind != protocols.Int || spec.Max <= spec.Min {
			continue
		}
		low := int(spec.Min)
		if smallest(sh.best.Params.Int(spec.Name), low, func(v int) bool {
			return sh.try("parameter "+spec.Name, sh.with(func(c *scenarios.Scenario) { c.Params = c.Params.With(spec.Name, v) }))
		}) {
			progress = true
		}
	}
	return progress
}

// network takes loss, duplication and link overrides away: each goes to
// nothing if it can, else to half, a quarter, ... of what it was.
func (sh *shrinker) network() bool {
	progress := sh.probability("loss", func(c *scenarios.Scenario) *float64 { return &c.Network.Default.Drop })
	if sh.probability("duplication", func(c *scenarios.Scenario) *float64 { return &c.Network.Default.Duplicate }) {
		progress = true
	}
	for i := len(sh.best.Network.Links) - 1; i >= 0; i-- {
		if sh.try("links", sh.with(func(c *scenarios.Scenario) { c.Network.Links = slices.Delete(c.Network.Links, i, i+1) })) {
			progress = true
		}
	}
	return progress
}

// probability makes the probability that field points to as small as it
// can.
func (sh *shrinker) probability(step string, field func(*scenarios.Scenario) *float64) bool {
	p := *field(sh.best)
	if p == 0 {
		return false
	}
	for _, v := range []float64{0, p / 8, p / 4, p / 2} {
		if sh.try(step, sh.with(func(c *scenarios.Scenario) { *field(c) = v })) {
			return true
		}
	}
	return false
}

// duration shortens the run, in whole milliseconds, to no less than the
// time of its last fault; a run that fails a liveness check keeps a tenth
// of the time the original run went on after its last fault (at least
// LivenessTail), so that it still shows a lack of progress rather than a
// run too short to make any.
func (sh *shrinker) duration() bool {
	low := max(time.Millisecond, lastFault(sh.best.Faults))
	if sh.liveness() {
		low += sh.tail
	}
	ms := func(d time.Duration) int { return int((d + time.Millisecond - 1) / time.Millisecond) }
	if ms(sh.best.Duration) <= ms(low) {
		return false
	}
	return smallest(ms(sh.best.Duration), ms(low), func(n int) bool {
		return sh.try("duration", sh.with(func(c *scenarios.Scenario) { c.Duration = time.Duration(n) * time.Millisecond }))
	})
}

// lastFault is the time of the last fault, or 0.
func lastFault(faults []scenarios.Fault) time.Duration {
	var last time.Duration
	for _, f := range faults {
		last = max(last, f.At)
	}
	return last
}
