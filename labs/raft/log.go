package raftlab

import (
	"github.com/dsimlab/dsim/protocols/raft"
	"github.com/dsimlab/dsim/sim"
)

// Log is a server's log in memory. Index 0 is before the first entry: its
// term is 0.
type Log struct {
	entries []*raft.Entry // entries[k] has index k+1
}

// Last returns the index of the last entry, 0 if the log is empty.
func (l *Log) Last() int64 { return int64(len(l.entries)) }

// LastTerm returns the term of the last entry, 0 if the log is empty.
func (l *Log) LastTerm() int64 {
	t, _ := l.Term(l.Last())
	return t
}

// Term returns the term of the entry at index i, and false if the log
// does not reach i.
func (l *Log) Term(i int64) (int64, bool) {
	switch {
	case i == 0:
		return 0, true
	case i < 0 || i > l.Last():
		return 0, false
	}
	return l.entries[i-1].Term, true
}

// At returns the entry at index i, from 1 to Last.
func (l *Log) At(i int64) *raft.Entry { return l.entries[i-1] }

// From returns up to n entries from index i on (none if i is past the
// end). The slice shares the log's array: never modify it. The log never
// writes over what it has handed out.
func (l *Log) From(i int64, n int) []*raft.Entry {
	if i > l.Last() {
		return nil
	}
	end := min(l.Last(), i-1+int64(n))
	return l.entries[i-1 : end : end]
}

// FirstOfTerm returns the first index of the run of entries with the same
// term as the entry at i (1 to Last): where a leader should go back to
// when a follower's entry at i conflicts with its own.
func (l *Log) FirstOfTerm(i int64) int64 {
	t, _ := l.Term(i)
	for i > 1 && l.entries[i-2].Term == t {
		i--
	}
	return i
}

// truncate drops the entries from index i on.
func (l *Log) truncate(i int64) {
	if i <= l.Last() {
		l.entries = l.entries[: i-1 : i-1] // no spare room: the next append copies
	}
}

// write makes the log hold es from index from on, and nothing after them
// (from must be at most Last+1): it changes the log, writes the change to
// disk (saveEntries) and records it for the checks. Every change of the
// log goes through write.
func (s *Server) write(ctx *sim.Context, from int64, es []*raft.Entry) {
	old := s.log.Last()
	s.log.truncate(from)
	s.log.entries = append(s.log.entries, es...)
	s.saveEntries(ctx, from, es, old)
	ctx.Record(&raft.LogWrite{From: from, Entries: es[:len(es):len(es)]})
}
