package paxos

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// TestPromisesCheckSeesAForgottenPromise feeds the promises check what
// acceptors send: ballots that only grow pass; a message with a lower
// ballot than one the acceptor stated before is a promise forgotten, and
// stops the run with online checks.
func TestPromisesCheckSeesAForgottenPromise(t *testing.T) {
	b := func(r int64, n int32) Ballot { return Ballot{Round: r, Node: n} }
	tests := []struct {
		name string
		msgs []any // sent by n2, in order
		bad  bool
	}{
		{"growing", []any{&Promise{B: b(1, 0)}, &Accepted{B: b(1, 0), Slot: 1}, &Promise{B: b(2, 3)}, &Nack{B: b(1, 0), Promised: b(2, 3)}}, false},
		{"the same again", []any{&Promise{B: b(2, 1)}, &Promise{B: b(2, 1)}, &Accepted{B: b(2, 1), Slot: 4}}, false},
		{"accepts below its promise", []any{&Promise{B: b(3, 1)}, &Accepted{B: b(2, 0), Slot: 1}}, true},
		{"promises lower", []any{&Promise{B: b(3, 1)}, &Promise{B: b(2, 4)}}, true},
		{"a nack reveals less", []any{&Accepted{B: b(5, 2), Slot: 9}, &Nack{B: b(1, 0), Promised: b(4, 0)}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, err := sim.New(sim.Config{Seed: 1})
			require.NoError(t, err)
			cfg := DefaultConfig()
			cfg.Clients = 0
			c, err := NewCluster(w, cfg)
			require.NoError(t, err)
			c.mon = protocols.NewMonitor(&protocols.Env{World: w, Online: true})
			for i, m := range tc.msgs {
				c.observe(&sim.Event{Seq: uint64(i), Kind: sim.KindSend, Node: c.servers[1], Peer: c.servers[0], Msg: m})
			}
			r := c.promises.validity(checker.Result{Check: checker.PaxosValidityCheck, Verdict: checker.Holds})
			if !tc.bad {
				assert.Equal(t, checker.Holds, r.Verdict, r.Detail)
				assert.Nil(t, c.FirstViolation())
				return
			}
			assert.Equal(t, checker.Violated, r.Verdict)
			assert.Contains(t, r.Detail, "n2")
			assert.Contains(t, r.Detail, "a promise forgotten")
			require.NotNil(t, c.FirstViolation(), "online, the run stops")
			assert.Equal(t, uint64(len(tc.msgs)-1), c.FirstViolation().Event)
		})
	}
}
