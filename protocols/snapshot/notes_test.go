package snapshot

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNotesRoundTrip(t *testing.T) {
	st := state{Balance: 97, Sent: []int{0, 5, 4}, Recv: []int{0, 3, 6}}
	nt, ok, err := parseNote(checkpointNote(3, 1, st), 3)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, note{kind: "checkpoint", id: 3, epoch: 1, st: st}, nt)

	nt, ok, err = parseNote(rollbackNote(2, Current, st), 3)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, note{kind: "rollback", id: Current, epoch: 2, st: st}, nt)

	chans := [][]chanMsg{nil, {{12, 5}, {13, 7}}, nil}
	nt, ok, err = parseNote(channelsNote(3, 1, chans), 3)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, note{kind: "channels", id: 3, epoch: 1, chans: chans}, nt)
}

func TestParseNoteErrors(t *testing.T) {
	for _, text := range []string{
		"checkpoint id=3 epoch=1 bal=97 sent=0,5 recv=0,3,6", // short vector
		"checkpoint id=x epoch=1 bal=97 sent=0,5,4 recv=0,3,6",
		"rollback epoch=1 to=3 bal=97 sent recv=0,3,6",
		"channels id=3 epoch=1 chan=/1:x/",
		"channels id=3 epoch=1 chan=/", // two channels for three nodes
	} {
		_, ok, err := parseNote(text, 3)
		assert.True(t, ok, text)
		assert.ErrorIs(t, err, errNote, text)
	}
	_, ok, err := parseNote("decided slot 3 = x", 3)
	assert.False(t, ok)
	assert.NoError(t, err)
}

// FuzzParseNote feeds arbitrary annotations to the auditor's parser: it
// must never panic, and what it accepts must print back the same.
func FuzzParseNote(f *testing.F) {
	f.Add("checkpoint id=3 epoch=1 bal=97 sent=0,5,4 recv=0,3,6")
	f.Add("channels id=3 epoch=1 chan=/12:5,13:7/")
	f.Add("rollback epoch=2 to=-1 bal=97 sent=0,5,4 recv=0,3,6")
	f.Fuzz(func(t *testing.T, text string) {
		nt, ok, err := parseNote(text, 3)
		if !ok || err != nil {
			return
		}
		var again note
		switch nt.kind {
		case "checkpoint":
			again, _, err = parseNote(checkpointNote(nt.id, nt.epoch, nt.st), 3)
		case "rollback":
			again, _, err = parseNote(rollbackNote(nt.epoch, nt.id, nt.st), 3)
		case "channels":
			again, _, err = parseNote(channelsNote(nt.id, nt.epoch, nt.chans), 3)
		}
		require.NoError(t, err)
		assert.Equal(t, nt, again)
	})
}
