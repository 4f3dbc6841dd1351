package raft

// raftLog is a server's log in memory: the entries after its snapshot, if
// any. Index 0 is before the first entry; a snapshot covers the entries up
// to and including snapIndex, whose term it keeps as snapTerm.
type raftLog struct {
	snapIndex int64
	snapTerm  int64
	entries   []*Entry // entries[k] has index snapIndex+1+k
}

// last returns the index of the last entry (the snapshot's, if the log
// holds none after it).
func (l *raftLog) last() int64 { return l.snapIndex + int64(len(l.entries)) }

// lastTerm returns the term of the last entry, or of the snapshot.
func (l *raftLog) lastTerm() int64 {
	if len(l.entries) == 0 {
		return l.snapTerm
	}
	return l.entries[len(l.entries)-1].Term
}

// term returns the term of the entry at index i, and false if the log does
// not know it: i is past the end, or inside the snapshot.
func (l *raftLog) term(i int64) (int64, bool) {
	switch {
	case i == l.snapIndex:
		return l.snapTerm, true
	case i < l.snapIndex || i > l.last():
		return 0, false
	}
	return l.entries[i-l.snapIndex-1].Term, true
}

// at returns the entry at index i, which must be after the snapshot and at
// most last.
func (l *raftLog) at(i int64) *Entry { return l.entries[i-l.snapIndex-1] }

// from returns up to n entries from index i (after the snapshot) on. The
// slice shares the log's array: callers must not modify it, and the log
// never writes over a position it has handed out, since truncate leaves no
// spare capacity and the next append copies the array.
func (l *raftLog) from(i int64, n int) []*Entry {
	k := i - l.snapIndex - 1
	end := min(int64(len(l.entries)), k+int64(n))
	return l.entries[k:end:end]
}

// upToDate reports whether a log ending with an entry of term lastTerm at
// index lastIndex is at least as up to date as this one (Raft §5.4.1):
// a later last term, or the same last term and at least as long.
func (l *raftLog) upToDate(lastTerm, lastIndex int64) bool {
	mine := l.lastTerm()
	return lastTerm > mine || lastTerm == mine && lastIndex >= l.last()
}

// truncate drops the entries from index i (after the snapshot) on.
func (l *raftLog) truncate(i int64) {
	k := i - l.snapIndex - 1
	l.entries = l.entries[:k:k]
}

// append adds entries after the last one.
func (l *raftLog) append(es ...*Entry) { l.entries = append(l.entries, es...) }

// compact drops the entries up to index i, now covered by a snapshot whose
// last entry has term t. If the log does not reach i it keeps no entry.
func (l *raftLog) compact(i, t int64) {
	if i >= l.last() {
		l.entries = nil
	} else {
		l.entries = append([]*Entry(nil), l.entries[i-l.snapIndex:]...)
	}
	l.snapIndex, l.snapTerm = i, t
}

// firstOfTerm returns the first index, after the snapshot, of the run of
// entries with the same term as the entry at i: where a leader should go
// back to when a follower finds a conflict at i.
func (l *raftLog) firstOfTerm(i int64) int64 {
	t, _ := l.term(i)
	for i-1 > l.snapIndex {
		if pt, _ := l.term(i - 1); pt != t {
			break
		}
		i--
	}
	return i
}
