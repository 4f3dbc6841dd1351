package paxos

import (
	"strconv"

	"github.com/dsimlab/dsim/checker"
)

// Ballot numbers a proposal. Ballots are ordered by Round, then by Node (the
// proposer's server index), so no two proposers ever own the same ballot.
// The zero Ballot is below every real one: rounds start at 1.
type Ballot struct {
	Round int64
	Node  int32
}

// Less reports whether b orders before c.
func (b Ballot) Less(c Ballot) bool {
	return b.Round < c.Round || b.Round == c.Round && b.Node < c.Node
}

// String formats b as "round.node", e.g. "3.1", or "0" for the zero ballot.
func (b Ballot) String() string {
	if b.Round == 0 {
		return "0"
	}
	return strconv.FormatInt(b.Round, 10) + "." + strconv.Itoa(int(b.Node))
}

// forChecker converts b for the checker, naming its owner by world node id.
func (b Ballot) forChecker(servers []int) checker.PaxosBallot {
	return checker.PaxosBallot{Round: b.Round, Node: servers[b.Node]}
}
