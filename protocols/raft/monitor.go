package raft

import (
	"fmt"
	"math/bits"
	"time"

	"github.com/dsimlab/dsim/sim"
)

// The names of Raft's safety checks (Raft §5.2–5.4, Figure 3).
const (
	// ElectionSafetyCheck: at most one leader is elected in a term.
	ElectionSafetyCheck = "raft-election-safety"
	// LogMatchingCheck: if two logs hold an entry with the same index and
	// term, they are identical up to that index.
	LogMatchingCheck = "raft-log-matching"
	// LeaderCompletenessCheck: a leader's log holds every entry committed
	// in an earlier term, and a leader commits only on top of what is
	// committed.
	LeaderCompletenessCheck = "raft-leader-completeness"
	// StateMachineSafetyCheck: every server applies, at each index, the
	// entry committed there, so no two servers apply different entries at
	// one index.
	StateMachineSafetyCheck = "raft-state-machine-safety"
)

// safetyChecks lists the monitor's checks, in the order of its first
// violations, with what a run that gave a check nothing to check lacked.
var safetyChecks = [...]struct{ name, none string }{
	{ElectionSafetyCheck, "no leader was elected"},
	{LogMatchingCheck, "no log was written"},
	{LeaderCompletenessCheck, "nothing was committed"},
	{StateMachineSafetyCheck, "nothing was applied"},
}

// link is one entry of a log as the monitor keeps it: the entry, and a
// hash of the log up to and including it, so that two logs agree up to an
// index exactly when (but for a 64-bit collision) their chains there do.
type link struct {
	chain uint64
	e     *Entry // nil at index 0
}

// chainOf returns the chain of e after a log whose chain is prev.
func chainOf(prev uint64, e *Entry) uint64 {
	h := uint64(14695981039346656037) // FNV-1a offset basis
	for i := 0; i < len(e.Cmd.ID); i++ {
		h = (h ^ uint64(e.Cmd.ID[i])) * 1099511628211
	}
	h ^= bits.RotateLeft64(prev*0x9e3779b97f4a7c15, 31) ^ uint64(e.Term)*0xc2b2ae3d27d4eb4f
	return bits.RotateLeft64(h*0x9e3779b97f4a7c15, 27)
}

// monitor checks Raft's safety properties online, from the servers' facts
// as they are recorded: it keeps a copy of every server's log (as links),
// the log committed so far, and the leader of every term, and notes the
// first violation of each property with when it happened. Every fact costs
// time in proportion to the entries it carries, and a map lookup per entry.
type monitor struct {
	names     []string            // server names by index
	logs      [][]link            // per server: its log, index 0 a sentinel
	committed []link              // the committed log, index 0 a sentinel
	commitIn  []int64             // per committed index: the term of the leader that committed it first
	seen      map[[2]int64]uint64 // (index, term) -> chain of the first log holding it
	leaders   map[int64]int       // term -> server elected

	elections, writes, commits, applies int
	first                               [len(safetyChecks)]string // the first violation of each check, or ""
}

func newMonitor(names []string) *monitor {
	m := &monitor{names: names, logs: make([][]link, len(names)), committed: []link{{}}, commitIn: []int64{0},
		seen: map[[2]int64]uint64{}, leaders: map[int64]int{}}
	for i := range m.logs {
		m.logs[i] = []link{{}}
	}
	return m
}

// violate notes a violation of check number c at time t, if it is the
// first.
func (m *monitor) violate(c int, t sim.Time, format string, args ...any) {
	if m.first[c] == "" {
		m.first[c] = fmt.Sprintf("at %v: ", time.Duration(t)) + fmt.Sprintf(format, args...)
	}
}

// fact takes one fact of server s, recorded at time t.
func (m *monitor) fact(s int, t sim.Time, f any) {
	switch f := f.(type) {
	case *LogWrite:
		m.logWrite(s, t, f)
	case *Applied:
		m.applied(s, t, f)
	case *Committed:
		m.commit(s, t, f)
	case *Elected:
		m.elected(s, t, f.Term)
	case *Snapshot:
		m.snapshot(s, t, f)
	}
}

// elected checks that s is the only leader of term, and that its log holds
// every entry committed in an earlier term (by the leader of an earlier
// term: the entry's own term may be older still).
func (m *monitor) elected(s int, t sim.Time, term int64) {
	m.elections++
	if prev, ok := m.leaders[term]; ok && prev != s {
		m.violate(0, t, "%s and %s were both elected leader of term %d", m.names[prev], m.names[s], term)
	}
	m.leaders[term] = s
	c := int64(len(m.committed)) - 1
	for c > 0 && m.commitIn[c] >= term {
		c--
	}
	if i := m.differs(s, c); i > 0 {
		m.violate(2, t, "%s became leader of term %d without the entry committed at index %d (%s); %s",
			m.names[s], term, i, m.committed[i].e, m.has(s, i))
	}
}

// differs returns the first index up to c where server s's log differs
// from the committed log, or 0 if they agree up to c.
func (m *monitor) differs(s int, c int64) int64 {
	l := m.logs[s]
	if c < int64(len(l)) && l[c].chain == m.committed[c].chain {
		return 0
	}
	for i := int64(1); i <= c; i++ {
		if i >= int64(len(l)) || l[i].chain != m.committed[i].chain {
			return i
		}
	}
	return 0
}

// has says what server s's log holds at index i.
func (m *monitor) has(s int, i int64) string {
	if l := m.logs[s]; i < int64(len(l)) {
		return "its log has " + l[i].e.String() + " there"
	}
	return fmt.Sprintf("its log ends at %d", len(m.logs[s])-1)
}

// logWrite updates server s's log and checks log matching for each entry
// written: the first log to hold an index and term fixes the chain every
// other log must have there.
func (m *monitor) logWrite(s int, t sim.Time, f *LogWrite) {
	m.writes++
	l := m.logs[s]
	for int64(len(l)) < f.From { // cannot happen: a log is written without gaps
		l = append(l, link{e: &Entry{Cmd: &Cmd{ID: "?"}}})
	}
	l = l[:f.From]
	for k, e := range f.Entries {
		i := f.From + int64(k)
		c := chainOf(l[i-1].chain, e)
		l = append(l, link{chain: c, e: e})
		key := [2]int64{i, e.Term}
		if prev, ok := m.seen[key]; !ok {
			m.seen[key] = c
		} else if prev != c {
			m.violate(1, t, "%s's log has %s at index %d, and another log an entry of the same term there, but the two logs differ up to it",
				m.names[s], e, i)
		}
	}
	m.logs[s] = l
}

// commit checks that the leader s commits on top of the committed log and
// extends the committed log with its own up to the index it commits.
func (m *monitor) commit(s int, t sim.Time, f *Committed) {
	m.commits++
	l := m.logs[s]
	top := int64(len(m.committed)) - 1
	if f.Index >= int64(len(l)) {
		m.violate(2, t, "%s, leader of term %d, committed index %d past the end of its log (%d)",
			m.names[s], f.Term, f.Index, len(l)-1)
		return
	}
	if i := m.differs(s, min(top, f.Index)); i > 0 {
		m.violate(2, t, "%s, leader of term %d, committed up to index %d, but its log lacks the entry committed at index %d (%s); %s",
			m.names[s], f.Term, f.Index, i, m.committed[i].e, m.has(s, i))
		return
	}
	for i := top + 1; i <= f.Index; i++ {
		m.committed = append(m.committed, l[i])
		m.commitIn = append(m.commitIn, f.Term)
	}
}

// applied checks that the entry server s applies is the one committed at
// its index.
func (m *monitor) applied(s int, t sim.Time, f *Applied) {
	m.applies++
	if f.Index >= int64(len(m.committed)) {
		m.violate(3, t, "%s applied %d/%s at index %d, which was not committed", m.names[s], f.Term, f.ID, f.Index)
		return
	}
	if e := m.committed[f.Index].e; e.Term != f.Term || e.Cmd.ID != f.ID {
		m.violate(3, t, "%s applied %d/%s at index %d, where %s was committed", m.names[s], f.Term, f.ID, f.Index, e)
	}
}

// snapshot takes a snapshot a server installed: its log up to the
// snapshot is now the committed log's (which the snapshot must be part of).
func (m *monitor) snapshot(s int, t sim.Time, f *Snapshot) {
	if f.Index >= int64(len(m.committed)) {
		m.violate(3, t, "%s has a snapshot up to index %d, which was not committed", m.names[s], f.Index)
		return
	}
	if !f.Installed {
		return
	}
	l := m.logs[s]
	if f.Discarded || f.Index >= int64(len(l)) {
		l = l[:0]
	}
	if n := int(f.Index) + 1; len(l) < n {
		l = append(l, m.committed[len(l):n]...)
	}
	copy(l, m.committed[:f.Index+1])
	m.logs[s] = l
}
