package raft

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
)

// ent returns an entry of term t whose command has id.
func ent(t int64, id string) *Entry {
	return &Entry{Term: t, Cmd: &Cmd{Session: 1, Seq: 1, Client: 7, Op: checker.KVPut, Key: "k", Value: id, ID: id}}
}

// logOf returns a log after a snapshot up to snapIndex (of term snapTerm)
// holding entries of the given terms, with ids "e<index>".
func logOf(snapIndex, snapTerm int64, terms ...int64) raftLog {
	l := raftLog{snapIndex: snapIndex, snapTerm: snapTerm}
	for k, t := range terms {
		l.append(ent(t, "e"+itoa(snapIndex+1+int64(k))))
	}
	return l
}

func TestLogIndexes(t *testing.T) {
	tests := []struct {
		name          string
		log           raftLog
		last, lastT   int64
		termAt        map[int64]int64 // index -> term; missing: unknown
		unknownAt     []int64
		firstOfTermAt map[int64]int64
	}{
		{"empty", logOf(0, 0), 0, 0, map[int64]int64{0: 0}, []int64{-1, 1}, nil},
		{"entries", logOf(0, 0, 1, 1, 2, 2, 2, 4), 6, 4, map[int64]int64{0: 0, 1: 1, 3: 2, 6: 4}, []int64{7},
			map[int64]int64{1: 1, 2: 1, 5: 3, 6: 6}},
		{"after a snapshot", logOf(10, 3, 3, 5), 12, 5, map[int64]int64{10: 3, 11: 3, 12: 5}, []int64{9, 1, 13},
			map[int64]int64{11: 11, 12: 12}},
		{"only a snapshot", logOf(10, 3), 10, 3, map[int64]int64{10: 3}, []int64{9, 11}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.last, tc.log.last())
			assert.Equal(t, tc.lastT, tc.log.lastTerm())
			for i, want := range tc.termAt {
				got, ok := tc.log.term(i)
				assert.True(t, ok, "index %d", i)
				assert.Equal(t, want, got, "index %d", i)
			}
			for _, i := range tc.unknownAt {
				_, ok := tc.log.term(i)
				assert.False(t, ok, "index %d", i)
			}
			for i, want := range tc.firstOfTermAt {
				assert.Equal(t, want, tc.log.firstOfTerm(i), "index %d", i)
			}
		})
	}
}

func TestUpToDate(t *testing.T) {
	l := logOf(0, 0, 1, 2, 2) // last 3, last term 2
	tests := []struct {
		lastTerm, lastIndex int64
		want                bool
	}{
		{3, 1, true},  // a later last term, however short
		{2, 3, true},  // same term, as long
		{2, 4, true},  // same term, longer
		{2, 2, false}, // same term, shorter
		{1, 9, false}, // an earlier last term, however long
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, l.upToDate(tc.lastTerm, tc.lastIndex), "%d/%d", tc.lastIndex, tc.lastTerm)
	}
}

// Entries handed out by from are never written over, even when the log
// is cut and grows again (messages share them).
func TestLogNeverWritesOverEntriesHandedOut(t *testing.T) {
	l := logOf(0, 0, 1, 1, 1)
	sent := l.from(2, 10)
	require.Len(t, sent, 2)
	l.truncate(2)
	l.append(ent(2, "new"))
	assert.Equal(t, "e2", sent[0].Cmd.ID)
	assert.Equal(t, "e3", sent[1].Cmd.ID)
	assert.Equal(t, "new", l.at(2).Cmd.ID)
	assert.Len(t, l.from(1, 1), 1, "at most n entries")
	assert.Len(t, l.from(3, 5), 0)
}

func TestCompact(t *testing.T) {
	l := logOf(0, 0, 1, 1, 2, 3)
	kept := l.from(3, 2)
	l.compact(2, 1)
	assert.Equal(t, int64(4), l.last())
	assert.Equal(t, "e3", l.at(3).Cmd.ID)
	tm, ok := l.term(2)
	assert.True(t, ok)
	assert.Equal(t, int64(1), tm)
	_, ok = l.term(1)
	assert.False(t, ok, "inside the snapshot")
	assert.Equal(t, "e3", kept[0].Cmd.ID)

	l.compact(9, 5) // past the end: nothing is kept
	assert.Equal(t, int64(9), l.last())
	assert.Equal(t, int64(5), l.lastTerm())
	assert.Empty(t, l.entries)
}
