package paxos

import (
	"maps"
	"slices"
	"strconv"
)

// DescribeState returns the node's state as canonical text (sim.Describer):
// the acceptor's promise and accepted proposal, the proposer's ballot,
// highest ballot seen, promises counted and best proposal reported, and the
// learner's votes and decision. Commands appear by their ID, which names a
// value. Two nodes describe alike exactly when they would act alike; the
// disk is described by the kernel (sim.Storage.DescribeState).
func (n *singleNode) DescribeState() string {
	p := n.acc.get(1)
	b := textBallot(append(make([]byte, 0, 128), "acc "...), n.acc.promised)
	b = append(append(textBallot(append(b, ' '), p.ballot), ' '), cmdID(p.cmd)...)
	if n.value != nil {
		b = append(append(b, "; prop "...), n.value.ID...)
		b = textBallot(append(textBallot(append(b, " ballot "...), n.ballot), " seen "...), n.seen)
		b = strconv.AppendUint(append(b, " promised "...), n.promised, 2)
		b = append(append(textBallot(append(b, " best "...), n.best.ballot), ' '), cmdID(n.best.cmd)...)
		b = strconv.AppendBool(append(b, " phase2 "...), n.phase2)
	} else {
		b = textBallot(append(b, "; seen "...), n.seen)
	}
	b = append(b, "; votes"...)
	for _, bal := range slices.SortedFunc(maps.Keys(n.votes), compareBallots) {
		b = strconv.AppendUint(append(textBallot(append(b, ' '), bal), ':'), n.votes[bal], 2)
	}
	return string(append(append(b, "; learned "...), cmdID(n.learned)...))
}

// textBallot appends b as Ballot.String formats it.
func textBallot(buf []byte, b Ballot) []byte {
	if b.Round == 0 {
		return append(buf, '0')
	}
	buf = strconv.AppendInt(buf, b.Round, 10)
	return strconv.AppendInt(append(buf, '.'), int64(b.Node), 10)
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
