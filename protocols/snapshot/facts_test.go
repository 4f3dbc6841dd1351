package snapshot

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// The facts describe themselves with the stable lines the traces and
// fingerprints have always had.
func TestFactsDescribeThemselves(t *testing.T) {
	st := state{Balance: 97, Sent: []int{0, 5, 4}, Recv: []int{0, 3, 6}}
	assert.Equal(t, "checkpoint id=3 epoch=1 bal=97 sent=0,5,4 recv=0,3,6", checkpointed(3, 1, st).String())
	assert.Equal(t, "rollback epoch=2 to=-1 bal=97 sent=0,5,4 recv=0,3,6", rolledBack(2, Current, st).String())
	chans := [][]InFlight{nil, {{12, 5}, {13, 7}}, nil}
	assert.Equal(t, "channels id=3 epoch=1 chan=/12:5,13:7/", channelsRecorded(3, 1, chans).String())
	assert.Equal(t, "channels id=0 epoch=0 chan=", ChannelsRecorded{}.String())
	assert.Equal(t, "checkpoint id=0 epoch=0 bal=-4 sent= recv=", Checkpointed{Balance: -4}.String())
}

// A fact is a value: what the node does to its state afterwards does not
// change what it recorded.
func TestFactsShareNoMemoryWithTheNode(t *testing.T) {
	st := state{Balance: 97, Sent: []int{0, 5, 4}, Recv: []int{0, 3, 6}}
	c, r := checkpointed(3, 1, st), rolledBack(2, 3, st)
	chans := [][]InFlight{nil, {{12, 5}}, nil}
	ch := channelsRecorded(3, 1, chans)
	st.Sent[1], st.Recv[2], chans[1][0].Amount = 99, 99, 99
	chans[1] = append(chans[1], InFlight{14, 1})
	assert.Equal(t, []int{0, 5, 4}, c.Sent)
	assert.Equal(t, []int{0, 3, 6}, r.Recv)
	assert.Equal(t, [][]InFlight{nil, {{12, 5}}, nil}, ch.Channels)
}
