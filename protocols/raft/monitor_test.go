package raft

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dsimlab/dsim/sim"
)

// step is one fact of a server, for the monitor.
type step struct {
	server int
	fact   any
}

func write(s int, from int64, es ...*Entry) step {
	return step{s, &LogWrite{From: from, Entries: es}}
}
func elected(s int, term int64) step { return step{s, &Elected{Term: term}} }
func committed(s int, index, term int64) step {
	return step{s, &Committed{Index: index, Term: term}}
}
func applied(s int, index int64, e *Entry) step { return step{s, newApplied(index, e.Term, e.Cmd.ID)} }

func TestMonitor(t *testing.T) {
	a, b, c, x := ent(1, "a"), ent(1, "b"), ent(2, "c"), ent(1, "x")
	// A sound run: n1 leads term 1 and commits a and b everywhere; n2 then
	// leads term 2 with both.
	sound := []step{
		elected(0, 1), write(0, 1, a), write(1, 1, a), committed(0, 1, 1), applied(0, 1, a),
		write(0, 2, b), write(2, 1, a, b), committed(0, 2, 1), applied(0, 2, b), applied(2, 1, a),
		write(1, 2, b), elected(1, 2), write(1, 3, c), write(2, 3, c), committed(1, 3, 2),
		applied(1, 1, a), applied(1, 2, b), applied(1, 3, c),
		step{2, &Snapshot{Index: 2, Term: 1, Installed: true}},
	}
	tests := []struct {
		name   string
		steps  []step
		broken string // the check violated, or "" for none
		detail string
	}{
		{"sound", sound, "", ""},
		{"two leaders in a term", []step{elected(0, 1), elected(1, 1)}, ElectionSafetyCheck,
			"n1 and n2 were both elected leader of term 1"},
		{"a leader elected again in its term is one leader", []step{elected(0, 1), elected(0, 1)}, "", ""},
		{"same index and term, different history", []step{write(0, 1, a, b), write(1, 1, x, b)}, LogMatchingCheck,
			"n2's log has 1/x at index 1, and another log an entry of the same term there"},
		{"a leader without a committed entry", []step{write(0, 1, a, b), write(1, 1, a, b), committed(0, 2, 1),
			write(2, 1, a, c), elected(2, 3)}, LeaderCompletenessCheck,
			"n3 became leader of term 3 without the entry committed at index 2 (1/b); its log has 2/c there"},
		{"a leader elected in the term of a commit need not hold it", []step{write(0, 1, a, c), committed(0, 2, 2),
			write(2, 1, a), elected(2, 2)}, "", ""},
		{"a leader of a term before the commit need not hold it", []step{write(0, 1, a, b), committed(0, 2, 3),
			write(1, 1, a), elected(1, 2)}, "", ""},
		{"a commit that overwrites one", []step{write(0, 1, a, b), committed(0, 2, 1), write(1, 1, a, c, c),
			committed(1, 3, 2)}, LeaderCompletenessCheck, "n2, leader of term 2, committed up to index 3, but its log lacks the entry committed at index 2"},
		{"a commit past the end of the log", []step{write(0, 1, a), committed(0, 2, 1)}, LeaderCompletenessCheck,
			"past the end of its log"},
		{"applied a different entry", []step{write(0, 1, a), committed(0, 1, 1), applied(1, 1, x)},
			StateMachineSafetyCheck, "n2 applied 1/x at index 1, where 1/a was committed"},
		{"applied before commit", []step{write(0, 1, a), applied(0, 1, a)}, StateMachineSafetyCheck, "not committed"},
		{"a snapshot past the committed log", []step{write(0, 1, a), committed(0, 1, 1),
			step{1, &Snapshot{Index: 2, Term: 1, Installed: true}}}, StateMachineSafetyCheck, "snapshot up to index 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := newMonitor([]string{"n1", "n2", "n3"})
			for i, s := range tc.steps {
				m.fact(s.server, sim.Time(i), s.fact)
			}
			for i, sc := range safetyChecks {
				if sc.name != tc.broken {
					assert.Empty(t, m.first[i], sc.name)
					continue
				}
				assert.Contains(t, m.first[i], tc.detail)
			}
		})
	}
}

// The monitor follows a log through truncation and an installed snapshot
// that discards it.
func TestMonitorFollowsLogs(t *testing.T) {
	a, b, c := ent(1, "a"), ent(1, "b"), ent(2, "c")
	m := newMonitor([]string{"n1", "n2"})
	for _, s := range []step{write(0, 1, a, b), committed(0, 2, 1), write(1, 1, a, c), write(1, 2, b),
		step{1, &Snapshot{Index: 2, Term: 1, Installed: true, Discarded: true}}} {
		m.fact(s.server, 0, s.fact)
	}
	assert.Equal(t, [...]string{"", "", "", ""}, m.first)
	assert.Len(t, m.logs[1], 3)
	assert.Equal(t, m.logs[0][2].chain, m.logs[1][2].chain)
	assert.Equal(t, 1, m.commits)
}
