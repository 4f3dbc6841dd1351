package wal

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// appendN appends records from..to and returns their last index.
func appendN(t *testing.T, l *Log, from, to uint64) {
	t.Helper()
	for i := from; i <= to; i++ {
		idx, err := l.Append(record(i))
		require.NoError(t, err)
		require.Equal(t, i, idx)
	}
}

// reopen recovers a fresh state machine from what st made durable.
func reopen(t *testing.T, st *memStore, opts Options) (*Log, *kvSM, Recovery) {
	t.Helper()
	sm := newKV()
	l, rec, err := Open(newMemStore(st.MemStore, -1), sm, opts)
	require.NoError(t, err)
	return l, sm, rec
}

func TestRecovery(t *testing.T) {
	opts := Options{Every: 10, ChunkSize: 8}
	tests := []struct {
		name string
		run  func(t *testing.T, l *Log)
		want Recovery // Removed not compared
		len  int      // records in the log after recovery
	}{
		{"empty", func(t *testing.T, l *Log) {}, Recovery{}, 0},
		{"synced records replay", func(t *testing.T, l *Log) {
			appendN(t, l, 1, 7)
			l.Sync()
		}, Recovery{Replayed: 7, LastIndex: 7}, 7},
		{"unsynced records are lost", func(t *testing.T, l *Log) {
			appendN(t, l, 1, 7)
			l.Sync()
			appendN(t, l, 8, 9)
		}, Recovery{Replayed: 7, LastIndex: 7}, 7},
		{"checkpoint then suffix", func(t *testing.T, l *Log) {
			appendN(t, l, 1, 12)
			l.Checkpoint()
			appendN(t, l, 13, 15)
			l.Sync()
		}, Recovery{Checkpoint: 12, Replayed: 3, LastIndex: 15}, 3},
		{"second checkpoint replaces the first", func(t *testing.T, l *Log) {
			appendN(t, l, 1, 12)
			l.Checkpoint()
			appendN(t, l, 13, 20)
			l.Checkpoint()
		}, Recovery{Checkpoint: 20, LastIndex: 20}, 0},
		{"incremental checkpoint with appends in between", func(t *testing.T, l *Log) {
			appendN(t, l, 1, 10)
			require.True(t, l.Due())
			require.NoError(t, l.BeginCheckpoint())
			require.ErrorIs(t, l.BeginCheckpoint(), ErrBusy)
			// One append between steps, five in all: the snapshot of
			// records 1..10 is more than five chunks of 8 bytes.
			for next := uint64(11); next <= 15; next++ {
				require.False(t, l.Step())
				appendN(t, l, next, next)
			}
			for !l.Step() {
			}
			l.Sync()
		}, Recovery{Checkpoint: 10, Replayed: 5, LastIndex: 15}, 5},
		{"unfinished incremental checkpoint is ignored", func(t *testing.T, l *Log) {
			appendN(t, l, 1, 10)
			require.NoError(t, l.BeginCheckpoint())
			require.False(t, l.Step())
			require.False(t, l.Step())
		}, Recovery{Replayed: 10, LastIndex: 10}, 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := newMemStore(nil, -1)
			l, _, err := Open(st, newKV(), opts)
			require.NoError(t, err)
			tc.run(t, l)
			l2, sm, rec := reopen(t, st, opts)
			rec.Removed = 0
			assert.Equal(t, tc.want, rec)
			assert.Equal(t, tc.len, l2.Len())
			assert.Truef(t, sm.equal(prefixState(tc.want.LastIndex)), "state %v", sm)
			// The recovered log goes on where it stopped.
			appendN(t, l2, tc.want.LastIndex+1, tc.want.LastIndex+3)
		})
	}
}

func TestTruncationKeepsTheStoreSmall(t *testing.T) {
	st := newMemStore(nil, -1)
	l, _, err := Open(st, newKV(), Options{Every: 20, ChunkSize: 16})
	require.NoError(t, err)
	for i := uint64(1); i <= 1010; i++ {
		appendN(t, l, i, i)
		if l.Due() {
			l.Checkpoint()
		}
	}
	l.Sync()
	assert.Len(t, st.Keys("wal/r/"), 10)
	assert.Equal(t, uint64(1000), l.CheckpointIndex())
	dirs := map[string]bool{}
	for _, k := range st.Keys("wal/c/") {
		dirs[k[:len("wal/c/")+16]] = true
	}
	assert.Len(t, dirs, 1, "only the latest checkpoint is kept")
}

func TestOpenRemovesLeftovers(t *testing.T) {
	st := newMemStore(nil, -1)
	l, _, err := Open(st, newKV(), Options{ChunkSize: 4})
	require.NoError(t, err)
	appendN(t, l, 1, 5)
	require.NoError(t, l.BeginCheckpoint())
	l.Step() // one chunk of an incomplete checkpoint is on disk
	before := len(st.Keys("wal/"))
	again := newMemStore(st.MemStore, -1)
	_, rec, err := Open(again, newKV(), Options{ChunkSize: 4})
	require.NoError(t, err)
	assert.Equal(t, 1, rec.Removed)
	assert.Len(t, again.Keys("wal/"), before-1)
	assert.Empty(t, again.Keys("wal/c/"))
}

func TestInstall(t *testing.T) {
	st := newMemStore(nil, -1)
	sm := newKV()
	l, _, err := Open(st, sm, Options{ChunkSize: 8})
	require.NoError(t, err)
	appendN(t, l, 1, 4)
	require.NoError(t, l.BeginCheckpoint())
	l.Step()
	other := prefixState(9)
	require.NoError(t, l.Install(other.Snapshot()))
	assert.True(t, sm.equal(other))
	assert.Equal(t, uint64(5), l.LastIndex())
	assert.False(t, l.InProgress())
	_, err = l.Append([]byte("x=1"))
	require.NoError(t, err)
	l.Sync()
	_, got, rec := reopen(t, st, Options{ChunkSize: 8})
	assert.Equal(t, Recovery{Checkpoint: 5, Replayed: 1, LastIndex: 6}, Recovery{Checkpoint: rec.Checkpoint, Replayed: rec.Replayed, LastIndex: rec.LastIndex})
	want := prefixState(9)
	require.NoError(t, want.Apply([]byte("x=1")))
	assert.True(t, got.equal(want), "%v", got)
	assert.Error(t, l.Install([]byte("short")), "a snapshot the state machine rejects")
}

func TestAppendRejected(t *testing.T) {
	st := newMemStore(nil, -1)
	l, _, err := Open(st, newKV(), Options{})
	require.NoError(t, err)
	_, err = l.Append([]byte("no equals sign"))
	require.Error(t, err)
	assert.Equal(t, uint64(0), l.LastIndex())
	assert.Empty(t, st.Keys("wal/"))
}

func TestLoadWritesNothing(t *testing.T) {
	st := newMemStore(nil, -1)
	l, _, err := Open(st, newKV(), Options{ChunkSize: 4})
	require.NoError(t, err)
	appendN(t, l, 1, 6)
	require.NoError(t, l.BeginCheckpoint())
	l.Step()
	before := st.Keys("")
	sm := newKV()
	rec, err := Load(st, sm, Options{ChunkSize: 4})
	require.NoError(t, err)
	assert.Equal(t, uint64(6), rec.LastIndex)
	assert.True(t, sm.equal(prefixState(6)))
	assert.Equal(t, before, st.Keys(""))
}

func TestCorruption(t *testing.T) {
	build := func(t *testing.T) *memStore {
		st := newMemStore(nil, -1)
		l, _, err := Open(st, newKV(), Options{ChunkSize: 8})
		require.NoError(t, err)
		appendN(t, l, 1, 6)
		l.Checkpoint()
		appendN(t, l, 7, 9)
		l.Sync()
		return st
	}
	tests := []struct {
		name   string
		damage func(st *memStore)
	}{
		{"missing chunk", func(st *memStore) { st.Delete("wal/c/0000000000000006/00000000") }},
		{"altered chunk", func(st *memStore) { st.Put("wal/c/0000000000000006/00000001", []byte("XXXXXXXX")) }},
		{"short manifest", func(st *memStore) { st.Put("wal/c/0000000000000006/m", []byte{1}) }},
		{"gap in the records", func(st *memStore) { st.Delete("wal/r/0000000000000008") }},
		{"bad record", func(st *memStore) { st.Put("wal/r/0000000000000008", []byte("junk")) }},
		{"stray key", func(st *memStore) { st.Put("wal/r/zz", []byte("k=v")) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := build(t)
			tc.damage(st)
			st.Sync()
			_, _, err := Open(st, newKV(), Options{ChunkSize: 8})
			assert.ErrorIs(t, err, ErrCorrupt)
		})
	}
}

func TestHex(t *testing.T) {
	for _, x := range []uint64{0, 1, 15, 16, 255, 1<<32 + 7, 1<<64 - 1} {
		assert.Equal(t, fmt.Sprintf("%016x", x), hex(x, 16))
		assert.Equal(t, fmt.Sprintf("%08x", x&0xffffffff), hex(x&0xffffffff, 8))
	}
}

func TestMemStore(t *testing.T) {
	m := NewMemStore()
	m.Put("a/1", []byte("x"))
	m.Put("b/1", []byte("y"))
	m.Sync()
	m.Put("a/2", []byte("z"))
	m.Delete("a/1")
	assert.Equal(t, []string{"a/2"}, m.Keys("a/"))
	reboot := m.Clone()
	assert.Equal(t, []string{"a/1", "b/1"}, reboot.Keys(""), "a clone holds the durable contents only")
	m.Crash()
	v, ok := m.Get("a/1")
	assert.True(t, ok)
	assert.Equal(t, []byte("x"), v)
	_, ok = m.Get("a/2")
	assert.False(t, ok, "an unsynced put is lost in a crash")
	assert.Equal(t, 1, m.Syncs())
}
