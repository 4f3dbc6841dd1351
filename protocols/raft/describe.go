package raft

import (
	"hash/fnv"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/dsimlab/dsim/sim"
)

// DescribeState describes the server's whole state (sim.Describer): term,
// vote, role and leader, commit and apply indexes, snapshot (with a hash of
// its state machine), log, state machine and client sessions, the votes a
// candidate holds and a leader's progress per follower. Two servers have
// the same description exactly when they are in the same state; times and
// timer ids are left out (the world holds the timers), so states reached
// at different times compare equal. For example, the leader of term 1
// after six commands, the last of them not yet on n2:
//
//	term=1 vote=n1 role=leader leader=n1 commit=6 applied=6 snapshot=0/0
//	log 1/c1#1 1/c2#1 1/c2#2 1/c1#2 1/c2#3 1/c1#3
//	kv k1="c2.3;" k4="c2.2;" | sessions 12884901889:3="",false 17179869185:3="",false
//	next 7 7 7 match 6 5 6 | proposed 12884901889:3 17179869185:3
func (s *server) DescribeState() string {
	var b strings.Builder
	b.WriteString("term=" + itoa(s.term) + " vote=" + s.who(s.vote) + " role=" + roleNames[s.role] +
		" leader=" + s.who(s.leader) + " commit=" + itoa(s.commit) + " applied=" + itoa(s.applied) +
		" snapshot=" + itoa(s.log.snapIndex) + "/" + itoa(s.log.snapTerm))
	if s.snapState != nil {
		h := fnv.New64a()
		h.Write(s.snapState)
		b.WriteString(" #" + strconv.FormatUint(h.Sum64(), 16))
	}
	b.WriteString("\nlog")
	for _, e := range s.log.entries {
		b.WriteString(" " + e.String())
	}
	b.WriteString("\nkv")
	for _, k := range slices.Sorted(maps.Keys(s.sm.kv)) {
		b.WriteString(" " + k + "=" + strconv.Quote(s.sm.kv[k]))
	}
	b.WriteString(" | sessions")
	for _, id := range slices.Sorted(maps.Keys(s.sm.sessions)) {
		r := s.sm.sessions[id]
		b.WriteString(" " + strconv.FormatUint(id, 10) + ":" + itoa(r.seq) + "=" + strconv.Quote(r.result.Value) +
			"," + strconv.FormatBool(r.result.OK))
	}
	s.describeRole(&b)
	return b.String()
}

// describeRole adds the votes a candidate holds (and a server of the
// CountStaleVotes variant keeps), and a leader's progress.
func (s *server) describeRole(b *strings.Builder) {
	if s.votes != 0 {
		b.WriteString("\nvotes")
		for i := range s.g.ids {
			if s.votes&(1<<i) != 0 {
				b.WriteString(" " + name(i))
			}
		}
	}
	if s.role == leader {
		b.WriteString("\nnext")
		for _, n := range s.next {
			b.WriteString(" " + itoa(n))
		}
		b.WriteString(" match")
		for _, n := range s.match {
			b.WriteString(" " + itoa(n))
		}
		b.WriteString(" | proposed")
		for _, id := range slices.Sorted(maps.Keys(s.proposed)) {
			b.WriteString(" " + strconv.FormatUint(id, 10) + ":" + itoa(s.proposed[id]))
		}
	}
}

// who names server i, or "none" for -1 (noVote).
func (s *server) who(i int) string {
	if i < 0 {
		return "none"
	}
	return name(i)
}

// DescribeState describes the client (sim.Describer): its session, the
// leader it believes in, and, per lane, the server it last sent to and the
// command it is waiting for. (Its driver's workload position is in the
// history.)
func (c *client) DescribeState() string {
	text := "session " + strconv.FormatUint(c.Session, 10) + " leader " + strconv.Itoa(c.Leader)
	for lane := range c.Lanes() {
		if lane > 0 {
			text += ";"
		}
		t, cmd := c.Target(lane)
		cur := "idle"
		if cmd != nil && c.Driver.Op(cmd.Seq) != nil {
			cur = "waiting for " + cmd.String()
		}
		text += " target " + strconv.Itoa(t) + " " + cur
	}
	return text
}

// Compile-time checks: servers and clients are nodes that describe their
// state.
var (
	_ sim.Node      = (*server)(nil)
	_ sim.Describer = (*server)(nil)
	_ sim.Node      = (*client)(nil)
	_ sim.Describer = (*client)(nil)
)
