package paxos

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/sim"
)

type idle struct{}

func (idle) Start(*sim.Context)                    {}
func (idle) Receive(*sim.Context, sim.NodeID, any) {}
func (idle) Timer(*sim.Context, any)               {}

// disk returns a running node's storage and a function that crashes and
// restarts it.
func disk(t *testing.T) (*sim.Storage, func()) {
	w, err := sim.New(sim.Config{Seed: 1})
	require.NoError(t, err)
	id := w.MustAddNode("n1", func() sim.Node { return idle{} })
	w.RunEvents(1)
	require.True(t, w.Up(id))
	return w.Storage(id), func() { w.Crash(id); w.Restart(id) }
}

func cmd(id string) *Cmd {
	return &Cmd{Session: 7<<32 | 1, Seq: 3, Client: 7, Op: checker.KVAppend, Key: "k1", Value: id + " ", ID: id}
}

func TestAcceptorSurvivesCrashUnlessNoSync(t *testing.T) {
	tests := []struct {
		variant  Variant
		survives bool
	}{
		{Correct, true},
		{AcceptLower, true},
		{NoSync, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.variant), func(t *testing.T) {
			store, reboot := disk(t)
			var a acceptor
			var accepted []int64
			onAccept := func(slot int64, _ Ballot, _ *Cmd) { accepted = append(accepted, slot) }
			require.NoError(t, a.load(store, tt.variant, nil, onAccept))
			require.True(t, a.promise(Ballot{2, 1}))
			require.True(t, a.accept(3, Ballot{2, 1}, cmd("c1#3")))
			require.True(t, a.accept(3, Ballot{2, 1}, cmd("c1#3")), "a duplicate is accepted again")
			assert.Equal(t, []int64{3}, accepted, "but recorded once")
			reboot()
			var b acceptor
			require.NoError(t, b.load(store, tt.variant, &keyCache{}, onAccept))
			if !tt.survives {
				assert.Equal(t, Ballot{}, b.promised)
				assert.Nil(t, b.get(3).cmd)
				return
			}
			assert.Equal(t, Ballot{2, 1}, b.promised)
			p := b.get(3)
			assert.Equal(t, Ballot{2, 1}, p.ballot)
			assert.Equal(t, cmd("c1#3"), p.cmd)
			assert.Equal(t, int64(3), b.maxSlot())
		})
	}
}

func TestAcceptorBallots(t *testing.T) {
	tests := []struct {
		name    string
		variant Variant
		steps   func(a *acceptor) []bool
		want    []bool
	}{
		{"promises only rising ballots", Correct, func(a *acceptor) []bool {
			return []bool{a.promise(Ballot{1, 0}), a.promise(Ballot{2, 0}), a.promise(Ballot{1, 4}), a.promise(Ballot{2, 0}), a.promise(Ballot{2, 1})}
		}, []bool{true, true, false, true, true}},
		{"refuses to accept below its promise", Correct, func(a *acceptor) []bool {
			return []bool{a.promise(Ballot{3, 0}), a.accept(1, Ballot{2, 4}, cmd("x")), a.accept(1, Ballot{3, 0}, cmd("y")), a.accept(1, Ballot{4, 0}, cmd("z"))}
		}, []bool{true, false, true, true}},
		{"accepting a higher ballot promises it", Correct, func(a *acceptor) []bool {
			return []bool{a.accept(1, Ballot{5, 2}, cmd("x")), a.promise(Ballot{5, 1})}
		}, []bool{true, false}},
		{"the accept-lower variant accepts below its promise", AcceptLower, func(a *acceptor) []bool {
			return []bool{a.promise(Ballot{3, 0}), a.accept(1, Ballot{2, 4}, cmd("x")), a.promise(Ballot{2, 9})}
		}, []bool{true, true, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store, _ := disk(t)
			var a acceptor
			require.NoError(t, a.load(store, tt.variant, &keyCache{}, func(int64, Ballot, *Cmd) {}))
			assert.Equal(t, tt.want, tt.steps(&a))
		})
	}
}

func TestQuorum(t *testing.T) {
	for n, want := range map[int][2]int{1: {1, 1}, 2: {2, 1}, 3: {2, 1}, 4: {3, 2}, 5: {3, 2}, 6: {4, 3}, 7: {4, 3}} {
		assert.Equal(t, want[0], Correct.quorum(n), "n=%d", n)
		assert.Equal(t, want[1], QuorumFloor.quorum(n), "n=%d", n)
	}
}

func TestBallotOrder(t *testing.T) {
	bs := []Ballot{{}, {1, 0}, {1, 3}, {2, 0}, {10, 1}}
	for i := range bs {
		for j := range bs {
			assert.Equal(t, i < j, bs[i].Less(bs[j]), "%v < %v", bs[i], bs[j])
		}
	}
	assert.Equal(t, "0", Ballot{}.String())
	assert.Equal(t, "10.1", Ballot{10, 1}.String())
}

func TestCmdEncoding(t *testing.T) {
	for _, c := range []*Cmd{noop, cmd("c1#3"),
		{Session: 1<<40 | 9, Seq: 1 << 40, Client: 1<<31 - 1, Op: checker.KVCAS, Key: "", Value: "b", Expected: "a\x00b", ID: "c9~2#7"}} {
		buf := appendBallot(nil, Ballot{7, 3})
		buf = appendCmd(buf, c)
		b, rest, err := decodeBallot(buf)
		require.NoError(t, err)
		assert.Equal(t, Ballot{7, 3}, b)
		got, rest, err := decodeCmd(rest)
		require.NoError(t, err)
		assert.Empty(t, rest)
		assert.Equal(t, c, got)
	}
	for _, bad := range [][]byte{nil, {9}, {byte(checker.KVPut)}, {byte(checker.KVPut), 1, 2, 14}, {byte(checker.KVPut), 1, 2, 2, 0, 0, 0, 0}} {
		_, _, err := decodeCmd(bad)
		assert.True(t, errors.Is(err, errCorrupt), "%v: %v", bad, err)
	}
}

func FuzzDecodeCmd(f *testing.F) {
	f.Add(appendCmd(appendBallot(nil, Ballot{1, 2}), cmd("c1#1")))
	f.Add([]byte{0})
	f.Add([]byte{4, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		b, rest, err := decodeBallot(data)
		if err != nil {
			return
		}
		c, _, err := decodeCmd(rest)
		if err != nil {
			return
		}
		// What decodes re-encodes to a prefix of the input.
		again := appendCmd(appendBallot(nil, b), c)
		if c.IsNoop() {
			return // the no-op drops nothing but may have a non-minimal ballot
		}
		b2, rest2, err := decodeBallot(again)
		require.NoError(t, err)
		c2, _, err := decodeCmd(rest2)
		require.NoError(t, err)
		assert.Equal(t, b, b2)
		assert.Equal(t, c, c2)
	})
}
