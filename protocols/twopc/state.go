package twopc

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// The DescribeState methods give each node's state as canonical text
// (sim.Describer), for dsim explore to recognise a state it has seen: two
// nodes describe alike exactly when they would act alike. Timer ids are
// left out: the timers themselves are pending events, which the kernel
// describes; so is the disk (sim.Storage.DescribeState).

// DescribeState returns the coordinator's transactions, in id order: phase,
// client, steps, participants, votes, acknowledgements, reads and result.
func (c *Coordinator) DescribeState() string {
	var b strings.Builder
	for _, id := range slices.Sorted(maps.Keys(c.txns)) {
		t := c.txns[id]
		fmt.Fprintf(&b, "%s: phase %d client %d ops [%s] parts %v votes %v acks %v reads %q result %q; ",
			id, t.phase, t.client, opsString(t.ops), t.parts, t.votes, t.acks, t.reads, t.result)
	}
	return b.String()
}

// DescribeState returns the participant's transactions, in id order, and
// its locks, in key order.
func (p *Participant) DescribeState() string {
	var b strings.Builder
	for _, id := range slices.Sorted(maps.Keys(p.txns)) {
		t := p.txns[id]
		fmt.Fprintf(&b, "%s: %s parts %v ops [%s] reads %v recovered %t round %d replies %s note %q backup %t preacks %s; ",
			id, t.state, t.parts, opsString(t.ops), t.reads, t.recovered, t.round, sortedMap(t.replies), t.note, t.backup, sortedMap(t.preAcks))
	}
	b.WriteString("locks")
	for _, k := range slices.Sorted(maps.Keys(p.locks)) {
		fmt.Fprintf(&b, " %s:%s", k, p.locks[k])
	}
	return b.String()
}

// DescribeState returns the client's sequence number and the transaction
// it waits for, if any.
func (c *Client) DescribeState() string {
	if c.begin == nil {
		return fmt.Sprintf("seq %d idle", c.seq)
	}
	return fmt.Sprintf("seq %d waiting op %d %s", c.seq, c.pending, c.begin)
}

// sortedMap formats a map in key order; nil and empty differ.
func sortedMap[K ~int32, V any](m map[K]V) string {
	if m == nil {
		return "nil"
	}
	var b strings.Builder
	b.WriteString("{")
	for _, k := range slices.Sorted(maps.Keys(m)) {
		fmt.Fprintf(&b, "%d:%v ", k, m[k])
	}
	b.WriteString("}")
	return b.String()
}
