package paxos

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// DescribeState returns the node's state as canonical text (sim.Describer):
// the acceptor's promise and accepted proposal, the proposer's ballot,
// highest ballot seen, promises counted and best proposal reported, and the
// learner's votes and decision. Commands appear by their ID, which names a
// value. Two nodes describe alike exactly when they would act alike; the
// disk is described by the kernel (sim.Storage.DescribeState).
func (n *singleNode) DescribeState() string {
	var b strings.Builder
	p := n.acc.get(1)
	fmt.Fprintf(&b, "acc %s %s %s", n.acc.promised, p.ballot, cmdID(p.cmd))
	if n.value != nil {
		fmt.Fprintf(&b, "; prop %s ballot %s seen %s promised %b best %s %s phase2 %t",
			n.value.ID, n.ballot, n.seen, n.promised, n.best.ballot, cmdID(n.best.cmd), n.phase2)
	} else {
		fmt.Fprintf(&b, "; seen %s", n.seen)
	}
	b.WriteString("; votes")
	for _, bal := range slices.SortedFunc(maps.Keys(n.votes), compareBallots) {
		fmt.Fprintf(&b, " %s:%b", bal, n.votes[bal])
	}
	fmt.Fprintf(&b, "; learned %s", cmdID(n.learned))
	return b.String()
}

// cmdID names a command in a state description: its ID, or "-" for none.
func cmdID(c *Cmd) string {
	if c == nil {
		return "-"
	}
	return c.ID
}

// compareBallots orders ballots as Less does, for sorting.
func compareBallots(x, y Ballot) int {
	switch {
	case x.Less(y):
		return -1
	case y.Less(x):
		return 1
	}
	return 0
}
