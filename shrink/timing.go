package shrink

import (
	"time"

	"github.com/dsimlab/dsim/scenarios"
)

// earlier moves every fault earlier, so that a run needs fewer operations
// to reach them: the whole schedule shifted so its first fault comes at
// the start, or its times scaled by an eighth, a quarter or a half, or
// shifted by half its first fault's time; the first candidate that keeps
// the failure is kept. Failing that, it brings faults closer together
// (closer). Times are whole milliseconds.
func (sh *shrinker) earlier() bool {
	first := time.Duration(-1)
	for _, f := range sh.best.Faults {
		if f.At > 0 && (first < 0 || f.At < first) {
			first = f.At
		}
	}
	if first < time.Millisecond {
		return false
	}
	moves := []func(time.Duration) time.Duration{
		func(t time.Duration) time.Duration { return t - first },
		func(t time.Duration) time.Duration { return t / 8 },
		func(t time.Duration) time.Duration { return t / 4 },
		func(t time.Duration) time.Duration { return t / 2 },
		func(t time.Duration) time.Duration { return t - first/2 },
	}
	for _, move := range moves {
		if sh.try("earlier faults", sh.with(func(c *scenarios.Scenario) {
			for i := range c.Faults {
				c.Faults[i].At = max(0, move(c.Faults[i].At).Truncate(time.Millisecond))
			}
		})) {
			return true
		}
	}
	return sh.closer()
}

// closer brings faults closer together: for each gap between two fault
// times, latest first, it moves every fault after the gap earlier by
// seven eighths, three quarters or half of the gap.
func (sh *shrinker) closer() bool {
	progress := false
	for i := len(sh.best.Faults) - 1; i > 0; i-- {
		gap := sh.best.Faults[i].At - sh.best.Faults[i-1].At
		if gap < 2*time.Millisecond {
			continue
		}
		for _, cut := range []time.Duration{gap * 7 / 8, gap * 3 / 4, gap / 2} {
			if sh.try("faults closer together", sh.with(func(c *scenarios.Scenario) {
				for j := i; j < len(c.Faults); j++ {
					c.Faults[j].At -= cut.Truncate(time.Millisecond)
				}
			})) {
				progress = true
				break
			}
		}
	}
	return progress
}

// thinner spreads fewer operations over the same time: an eighth, a
// quarter or half of them, each client thinking between them long enough
// that its operations span the time they spanned before (an open loop's
// rate goes down as many times).
func (sh *shrinker) thinner() bool {
	wl := sh.best.Workload
	clients := max(sh.best.Clients, 1)
	perClient := (wl.Ops + clients - 1) / clients
	if perClient < 2 {
		return false
	}
	cycle := time.Duration(sh.outcome.SimTime) / time.Duration(perClient) // an operation and its think time, now
	for _, k := range []int{8, 4, 2} {
		if wl.Ops/k < 1 {
			continue
		}
		if sh.try("fewer operations, further apart", sh.with(func(c *scenarios.Scenario) {
			c.Workload.Ops = wl.Ops / k
			if wl.Rate > 0 {
				c.Workload.Rate /= float64(k)
			} else {
				c.Workload.Think += (time.Duration(k-1) * cycle).Truncate(time.Millisecond)
			}
		})) {
			return true
		}
	}
	return false
}

// pace shortens a closed loop's think time, in whole milliseconds, so that
// the operations come sooner and the run is over earlier.
func (sh *shrinker) pace() bool {
	think := int(sh.best.Workload.Think / time.Millisecond)
	if sh.best.Workload.Rate > 0 || think == 0 {
		return false
	}
	return smallest(think, 0, func(ms int) bool {
		return sh.try("think time", sh.with(func(c *scenarios.Scenario) { c.Workload.Think = time.Duration(ms) * time.Millisecond }))
	})
}
