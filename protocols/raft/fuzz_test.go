package raft

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
)

// FuzzDecode feeds arbitrary bytes to the decoders of what a server keeps
// on disk and receives in a snapshot: they return an error or a value,
// never panic, and a value they decode encodes to bytes that decode to it
// again. (Not to the same bytes: a varint may be written longer than it
// needs.)
func FuzzDecode(f *testing.F) {
	f.Add(appendEntry(nil, &Entry{Term: 3, Cmd: &Cmd{Session: 1<<32 | 2, Seq: 7, Client: 9, Op: checker.KVCAS,
		Key: "k1", Value: "c1.7;", Expected: "c2.3;", ID: "c1#7"}}))
	m := NewMachine()
	m.Apply(&Cmd{Session: 5, Seq: 1, Op: checker.KVAppend, Key: "k", Value: "v;"})
	m.Apply(&Cmd{Session: 6, Seq: 2, Op: checker.KVGet, Key: "k"})
	f.Add(m.encode(nil))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		if e, _, err := decodeEntry(data); err == nil {
			again, rest, err := decodeEntry(appendEntry(nil, e))
			require.NoError(t, err)
			assert.Equal(t, e, again)
			assert.Empty(t, rest)
		}
		if m, err := decodeMachine(data); err == nil {
			back := m.encode(nil)
			again, err := decodeMachine(back)
			require.NoError(t, err)
			assert.Equal(t, m, again)
		}
	})
}

func TestEncodingRoundTrip(t *testing.T) {
	e := &Entry{Term: 3, Cmd: &Cmd{Session: 1<<32 | 2, Seq: 7, Client: 9, Op: checker.KVCAS,
		Key: "k1", Value: "c1.7;", Expected: "c2.3;", ID: "c1#7"}}
	got, rest, err := decodeEntry(append(appendEntry(nil, e), 0xff))
	require.NoError(t, err)
	assert.Equal(t, e, got)
	assert.Equal(t, []byte{0xff}, rest)

	m := NewMachine()
	m.Apply(&Cmd{Session: 5, Seq: 1, Op: checker.KVAppend, Key: "k", Value: "v;"})
	m.Apply(&Cmd{Session: 6, Seq: 2, Op: checker.KVCAS, Key: "k", Expected: "v;", Value: "w"})
	back, err := decodeMachine(m.encode(nil))
	require.NoError(t, err)
	assert.Equal(t, m, back)
	assert.Equal(t, m.encode(nil), back.encode(nil), "sorted: the same state encodes alike")

	for _, bad := range [][]byte{{}, {0x06}, appendEntry(nil, e)[:5], {2, 0, 1, 2, 3}} {
		_, _, err := decodeEntry(bad)
		assert.ErrorIs(t, err, errCorrupt, "%x", bad)
	}
	_, err = decodeMachine(append(m.encode(nil), 1))
	assert.ErrorIs(t, err, errCorrupt, "trailing bytes")
}
