package twopclab

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// DescribeState describes the coordinator's state canonically (fmt prints
// maps in key order), for dsim explore, which hashes the states it reaches
// and does not search again from one it has seen (sim.Describer). If you
// add a field that changes what a node does, describe it here too, or the
// search may take two different states for one.
func (c *Coordinator) DescribeState() string {
	var b strings.Builder
	for _, id := range slices.Sorted(maps.Keys(c.txns)) {
		t := c.txns[id]
		fmt.Fprintf(&b, "%s: phase %d client %d ops %v parts %v yes %v reads %v result %q acked %v\n",
			id, t.phase, t.client, t.ops, t.parts, t.yes, t.reads, t.result, t.acked)
	}
	return b.String()
}

// DescribeState describes the participant's state canonically, as the
// coordinator's.
func (p *Participant) DescribeState() string {
	var b strings.Builder
	for _, id := range slices.Sorted(maps.Keys(p.txns)) {
		t := p.txns[id]
		fmt.Fprintf(&b, "%s: %s ops %v reads %v\n", id, t.state, t.ops, t.reads)
	}
	fmt.Fprintf(&b, "locks %v\n", p.locks)
	return b.String()
}
