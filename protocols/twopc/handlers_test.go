package twopc

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/sim"
)

// probe is a scripted node for handler tests: it sends each message of its
// script at its time and records every message it receives, as "from: msg".
type probe struct {
	script []send
	got    *[]string
}

type send struct {
	at  time.Duration
	to  string
	msg any
}

func (p *probe) Start(ctx *sim.Context) {
	for i, s := range p.script {
		ctx.SetTimer(s.at, i)
	}
}

func (p *probe) Timer(ctx *sim.Context, tag any) {
	s := p.script[tag.(int)]
	to, ok := ctx.Lookup(s.to)
	if !ok {
		panic("probe: no node " + s.to)
	}
	ctx.Send(to, s.msg)
}

func (p *probe) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	*p.got = append(*p.got, ctx.NodeName(from)+": "+sim.Describe(msg))
}

// fault is a fault a handler test schedules.
type fault struct {
	at time.Duration
	do func(w *sim.World, id func(string) sim.NodeID)
}

func crash(at time.Duration, node string) fault {
	return fault{at, func(w *sim.World, id func(string) sim.NodeID) { w.Crash(id(node)) }}
}

func restart(at time.Duration, node string) fault {
	return fault{at, func(w *sim.World, id func(string) sim.NodeID) { w.Restart(id(node)) }}
}

func cut(at time.Duration, from, to string) fault {
	return fault{at, func(w *sim.World, id func(string) sim.NodeID) { w.Cut(id(from), id(to)) }}
}

func heal(at time.Duration) fault {
	return fault{at, func(w *sim.World, _ func(string) sim.NodeID) { w.Heal() }}
}

// handlerWorld builds coord (id 0), n1, n2 and a probe, over links of
// exactly 1ms. With probeIsCoord the probe plays the coordinator (named
// "coord") and the participants answer it; otherwise it is client "c1" of a
// real coordinator. It runs until until (1s if zero) and returns the
// world and what the probe received.
func handlerWorld(t *testing.T, probeIsCoord bool, variant Variant, until time.Duration, script []send, faults ...fault) (*sim.World, []string) {
	t.Helper()
	w, err := sim.New(sim.Config{Seed: 1, Trace: true, Link: sim.LinkConfig{Latency: sim.Constant(time.Millisecond), FIFO: true}})
	require.NoError(t, err)
	cfg := DefaultConfig(0, []sim.NodeID{1, 2})
	cfg.Variant = variant
	var got []string
	p := func() sim.Node { return &probe{script: script, got: &got} }
	if probeIsCoord {
		w.MustAddNode("coord", p)
	} else {
		w.MustAddNode("coord", NewCoordinator(cfg))
	}
	w.MustAddNode("n1", NewParticipant(cfg))
	w.MustAddNode("n2", NewParticipant(cfg))
	if !probeIsCoord {
		w.MustAddNode("c1", p)
	}
	id := func(name string) sim.NodeID {
		n, ok := w.Lookup(name)
		require.True(t, ok, name)
		return n
	}
	for _, f := range faults {
		w.At(sim.Time(f.at), func(w *sim.World) { f.do(w, id) })
	}
	if until == 0 {
		until = time.Second
	}
	w.RunUntil(sim.Time(until))
	return w, got
}

// facts returns the facts recorded in the trace, as "node: description".
func facts(w *sim.World) []string {
	var out []string
	for _, e := range w.Trace() {
		if e.Kind == sim.KindRecord {
			out = append(out, w.Name(e.Node)+": "+e.Text)
		}
	}
	return out
}

func write(i int, key, value string) Op {
	return Op{Index: i, TxnOp: checker.TxnOp{Kind: checker.TxnWrite, Key: key, Value: value}}
}

func read(i int, key string) Op {
	return Op{Index: i, TxnOp: checker.TxnOp{Kind: checker.TxnRead, Key: key}}
}

func prep(at time.Duration, to, txn string, ops ...Op) send {
	return send{at, to, &Prepare{Txn: txn, Ops: ops, Participants: []sim.NodeID{1}}}
}

func TestParticipant(t *testing.T) {
	ms := time.Millisecond
	// Before the decision timeout (200ms) unless the case is about it.
	tests := []struct {
		name    string
		variant Variant
		until   time.Duration
		script  []send
		faults  []fault
		want    []string
	}{
		{"votes yes with its reads, reading its own writes", Correct, 150 * ms,
			[]send{prep(ms, "n1", "t1", write(0, "k0", "t1"), read(1, "k0"), read(2, "k2"))},
			nil, []string{`n1: vote t1 yes [{1 t1} {2 }]`}},
		{"a lock conflict is a no", Correct, 150 * ms,
			[]send{prep(ms, "n1", "t1", write(0, "k0", "t1")), prep(2*ms, "n1", "t2", read(0, "k0"))},
			nil, []string{"n1: vote t1 yes []", "n1: vote t2 no"}},
		{"a repeated prepare gets the same vote", Correct, 150 * ms,
			[]send{prep(ms, "n1", "t1", read(0, "k0")), prep(2*ms, "n1", "t1", read(0, "k0"))},
			nil, []string{"n1: vote t1 yes [{0 }]", "n1: vote t1 yes [{0 }]"}},
		{"a commit is applied, acknowledged and read later", Correct, 150 * ms,
			[]send{prep(ms, "n1", "t1", write(0, "k0", "t1")), {2 * ms, "n1", &Decision{Txn: "t1", Commit: true}},
				prep(3*ms, "n1", "t2", read(0, "k0"))},
			nil, []string{"n1: vote t1 yes []", "n1: ack t1", "n1: vote t2 yes [{0 t1}]"}},
		{"an abort releases the locks and is not acknowledged", Correct, 150 * ms,
			[]send{prep(ms, "n1", "t1", write(0, "k0", "t1")), {2 * ms, "n1", &Decision{Txn: "t1"}},
				prep(3*ms, "n1", "t2", read(0, "k0"))},
			nil, []string{"n1: vote t1 yes []", "n1: vote t2 yes [{0 }]"}},
		{"an unvoted participant answers an inquiry by aborting, durably", Correct, 150 * ms,
			[]send{{ms, "n1", &Inquire{Txn: "t1"}}, prep(20*ms, "n1", "t1", read(0, "k0"))},
			[]fault{crash(5*ms, "n1"), restart(10*ms, "n1")},
			[]string{"n1: decision t1 abort", "n1: vote t1 no"}},
		{"the prepared state and locks survive a crash", Correct, 150 * ms,
			[]send{prep(ms, "n1", "t1", write(0, "k0", "t1")), prep(50*ms, "n1", "t2", read(0, "k0")),
				{60 * ms, "n1", &Decision{Txn: "t1", Commit: true}}, prep(70*ms, "n1", "t3", read(0, "k0"))},
			[]fault{crash(5*ms, "n1"), restart(10*ms, "n1")},
			[]string{"n1: vote t1 yes []", "n1: inquire t1", "n1: vote t2 no", "n1: ack t1", "n1: vote t3 yes [{0 t1}]"}},
		{"no-prepare-sync forgets its vote and its locks in a crash", NoPrepareSync, 150 * ms,
			[]send{prep(ms, "n1", "t1", write(0, "k0", "t1")), prep(50*ms, "n1", "t2", read(0, "k0")),
				{60 * ms, "n1", &Decision{Txn: "t1", Commit: true}}, prep(70*ms, "n1", "t3", read(0, "k0"))},
			[]fault{crash(5*ms, "n1"), restart(10*ms, "n1")},
			[]string{"n1: vote t1 yes []", "n1: vote t2 yes [{0 }]", "n1: ack t1", "n1: vote t3 no"}},
		{"a silent coordinator starts the termination protocol", Correct, time.Second,
			[]send{prep(ms, "n1", "t1", read(0, "k0"))},
			nil, []string{"n1: vote t1 yes [{0 }]", "n1: inquire t1", "n1: inquire t1", "n1: inquire t1", "n1: inquire t1"}},
		{"unilateral-abort gives up instead", UnilateralAbort, time.Second,
			[]send{prep(ms, "n1", "t1", read(0, "k0"))},
			nil, []string{"n1: vote t1 yes [{0 }]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, got := handlerWorld(t, true, tc.variant, tc.until, tc.script, tc.faults...)
			assert.Equal(t, tc.want, got)
		})
	}
}

// Two participants voted yes and the coordinator is silent: each asks the
// other, learns it is uncertain too, and reports the transaction blocked.
func TestCooperativeTerminationBlocks(t *testing.T) {
	both := &Prepare{Txn: "t1", Ops: []Op{read(0, "k0")}, Participants: []sim.NodeID{1, 2}}
	w, _ := handlerWorld(t, true, Correct, 0, []send{{time.Millisecond, "n1", both}, {time.Millisecond, "n2", both}})
	notes := facts(w)
	assert.Contains(t, notes, "n1: blocked t1: the coordinator does not answer; uncertain too: n2")
	assert.Contains(t, notes, "n2: blocked t1: the coordinator does not answer; uncertain too: n1")
	assert.Equal(t, []string{"t1"}, w.Node(1).(*Participant).InDoubt())

	// If one participant never voted, it aborts when asked, and the one in
	// doubt learns the outcome from it.
	w, _ = handlerWorld(t, true, Correct, 0, []send{{time.Millisecond, "n1", both}})
	assert.Contains(t, facts(w), "n2: apply t1 abort")
	assert.Contains(t, facts(w), "n1: apply t1 abort")
	assert.Empty(t, w.Node(1).(*Participant).InDoubt())
}

func begin(at time.Duration, txn string, ops ...Op) send {
	return send{at, "coord", &Begin{Txn: txn, Ops: ops}}
}

func TestCoordinator(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name    string
		variant Variant
		script  []send
		faults  []fault
		want    []string
		notes   []string // facts that must be recorded
		count   map[string]int
	}{
		{"commit with the reads", Correct,
			[]send{begin(ms, "t1", write(0, "k0", "t1"), read(1, "k1"), read(2, "k0"))}, nil,
			[]string{`coord: result t1 committed ["" "t1"]`},
			[]string{"coord: begin t1 n1,n2", "coord: decide t1 commit", "n1: apply t1 commit", "n2: apply t1 commit"}, nil},
		{"a resent request gets the same result and does not run twice", Correct,
			[]send{begin(ms, "t1", write(0, "k0", "t1")), begin(50*ms, "t1", write(0, "k0", "t1"))}, nil,
			[]string{`coord: result t1 committed []`, `coord: result t1 committed []`},
			nil, map[string]int{"coord: begin t1 n1": 1}},
		{"presumed abort: an unknown transaction is aborted", Correct,
			[]send{{ms, "coord", &Inquire{Txn: "t9"}}}, nil,
			[]string{"coord: decision t9 abort"}, nil, nil},
		{"recovery aborts what was not decided, once", Correct,
			[]send{begin(ms, "t1", write(0, "k0", "t1")), begin(40*ms, "t1", write(0, "k0", "t1"))},
			[]fault{cut(0, "n1", "coord"), crash(20*ms, "coord"), heal(25 * ms), restart(30*ms, "coord")},
			[]string{"coord: result t1 aborted", "coord: result t1 aborted"},
			[]string{"coord: decide t1 abort", "n1: apply t1 abort"}, map[string]int{"coord: begin t1 n1": 1}},
		{"recovery re-sends the commits it logged", Correct,
			[]send{begin(ms, "t1", write(0, "k0", "t1"), write(1, "k1", "t1"))},
			[]fault{cut(3500*time.Microsecond, "coord", "n1"), crash(10*ms, "coord"), heal(12 * ms), restart(15*ms, "coord")},
			[]string{"coord: result t1 committed []", "coord: result t1 committed []"},
			[]string{"coord: recover t1 commit", "n1: apply t1 commit", "n2: apply t1 commit"},
			map[string]int{"coord: decide t1 commit": 1}},
		{"announce-before-log forgets its commit in a crash", AnnounceBeforeLog,
			[]send{begin(ms, "t1", write(0, "k0", "t1"), write(1, "k1", "t1"))},
			[]fault{cut(3500*time.Microsecond, "coord", "n1"), crash(10*ms, "coord"), heal(12 * ms), restart(15*ms, "coord")},
			[]string{"coord: result t1 committed []", "coord: result t1 aborted"},
			[]string{"coord: decide t1 commit", "coord: decide t1 abort", "n2: apply t1 commit", "n1: apply t1 abort"}, nil},
		{"early-commit does not wait for the last vote", EarlyCommit,
			[]send{begin(ms, "t1", write(0, "k0", "t1"), write(1, "k1", "t1"))},
			[]fault{cut(0, "n2", "coord")},
			[]string{"coord: result t1 committed []"},
			[]string{"coord: decide t1 commit"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, got := handlerWorld(t, false, tc.variant, 0, tc.script, tc.faults...)
			assert.Equal(t, tc.want, got)
			notes := facts(w)
			for _, n := range tc.notes {
				assert.Contains(t, notes, n)
			}
			for n, c := range tc.count {
				k := 0
				for _, m := range notes {
					if m == n {
						k++
					}
				}
				assert.Equal(t, c, k, "times %q was recorded", n)
			}
		})
	}
}

func TestOwner(t *testing.T) {
	assert.Equal(t, 0, Owner("k0", 3))
	assert.Equal(t, 1, Owner("k4", 3))
	assert.Equal(t, 2, Owner("k5", 3))
	other := Owner("account:alice", 3)
	assert.True(t, other >= 0 && other < 3)
	assert.Equal(t, other, Owner("account:alice", 3), "a fixed function")
	assert.Equal(t, Owner("k-1", 5), Owner("k-1", 5))
}

func TestMessagesDescribeThemselves(t *testing.T) {
	msgs := []any{&Begin{Txn: "t", Ops: []Op{write(0, "k0", "v")}}, &Result{Txn: "t"}, &Prepare{Txn: "t"},
		&Vote{Txn: "t"}, &Decision{Txn: "t"}, &Ack{Txn: "t"}, &Inquire{Txn: "t"}, &Uncertain{Txn: "t"},
		&PreCommit{Txn: "t"}, &PreAck{Txn: "t"}, &StateReq{Txn: "t"}, &StateRep{Txn: "t", State: PreCommitted}}
	for _, m := range msgs {
		d := sim.Describe(m)
		assert.Contains(t, d, "t", "%T", m)
		assert.NotContains(t, d, "0x", "%T prints no pointers", m)
	}
	assert.Equal(t, "precommitted", PreCommitted.String())
	assert.Equal(t, "State(9)", State(9).String())
	assert.True(t, strings.HasPrefix(fmt.Sprint(&StateRep{Txn: "t", Round: 2, State: Recovering}), "state t round 2: recovering"))
}
