package checker

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Constructors for hand-made Paxos traces. Node numbers 0-4 are acceptors
// and replicas, 9 is a client.

func pReq(v string) PaxosEvent { return PaxosEvent{Kind: PaxosRequest, Node: 9, Value: v} }

func pProp(node int, slot, round int64, v string) PaxosEvent {
	return PaxosEvent{Kind: PaxosPropose, Node: node, Slot: slot, Ballot: PaxosBallot{round, node}, Value: v}
}

// pAcc: acceptor node accepts v at slot with the ballot (round, owner).
func pAcc(node int, slot, round int64, owner int, v string) PaxosEvent {
	return PaxosEvent{Kind: PaxosAccept, Node: node, Slot: slot, Ballot: PaxosBallot{round, owner}, Value: v}
}

func pApply(node int, slot int64, v string) PaxosEvent {
	return PaxosEvent{Kind: PaxosApply, Node: node, Slot: slot, Value: v}
}

// choose is a whole round: the value is requested, proposed by owner at the
// slot and accepted by the given acceptors.
func choose(owner int, slot, round int64, v string, acceptors ...int) []PaxosEvent {
	evs := []PaxosEvent{pReq(v), pProp(owner, slot, round, v)}
	for _, a := range acceptors {
		evs = append(evs, pAcc(a, slot, round, owner, v))
	}
	return evs
}

func trace(parts ...[]PaxosEvent) PaxosTrace {
	var evs []PaxosEvent
	for _, p := range parts {
		evs = append(evs, p...)
	}
	for i := range evs {
		evs[i].Time = int64(i) * 1000
	}
	return PaxosTrace{Acceptors: 5, Events: evs}
}

func evs(e ...PaxosEvent) []PaxosEvent { return e }

func TestPaxosChecks(t *testing.T) {
	tests := []struct {
		name                        string
		tr                          PaxosTrace
		agreement, validity, prefix Verdict
		offending                   []string // of the first violated check
	}{
		{"empty trace", trace(), Holds, Holds, Holds, nil},
		{"one slot chosen and applied everywhere",
			trace(choose(0, 1, 1, "a", 0, 1, 2), evs(pApply(0, 1, "a"), pApply(1, 1, "a"), pApply(4, 1, "a"))),
			Holds, Holds, Holds, nil},
		{"a minority accepting another value first does not choose it",
			trace(choose(0, 1, 1, "a", 0, 1), choose(2, 1, 2, "b", 2, 3, 4), evs(pApply(3, 1, "b"))),
			Holds, Holds, Holds, nil},
		{"the same value chosen at two ballots is one chosen value",
			trace(choose(0, 1, 1, "a", 0, 1, 2), evs(pProp(3, 1, 2, "a"), pAcc(3, 1, 2, 3, "a"),
				pAcc(4, 1, 2, 3, "a"), pAcc(2, 1, 2, 3, "a"))),
			Holds, Holds, Holds, nil},
		{"duplicate accepts count once",
			trace(choose(0, 1, 1, "a", 0, 1, 1, 1), evs(pApply(0, 1, "a"))),
			Violated, Holds, Holds, []string{"slot 1"}},
		{"two values chosen at one slot",
			trace(choose(0, 1, 1, "a", 0, 1, 2), choose(4, 1, 2, "b", 2, 3, 4)),
			Violated, Holds, Holds, []string{"slot 1"}},
		{"a value chosen by acceptors who later forgot it still counts",
			// 0, 1, 2 choose a; 1 and 2 restart with empty disks and accept b with 3.
			trace(choose(0, 1, 1, "a", 0, 1, 2), choose(3, 1, 2, "b", 1, 2, 3)),
			Violated, Holds, Holds, []string{"slot 1"}},
		{"applying a value with only a minority of accepts",
			trace(choose(0, 1, 1, "a", 0, 1), evs(pApply(0, 1, "a"))),
			Violated, Holds, Holds, []string{"slot 1"}},
		{"applying a value other than the chosen one",
			trace(choose(0, 1, 1, "a", 0, 1, 2), choose(0, 2, 1, "b", 0, 1, 2), evs(pApply(0, 1, "a"), pApply(0, 2, "a"))),
			Violated, Holds, Holds, []string{"slot 2"}},
		{"accepting a value never proposed",
			trace(evs(pReq("a"), pAcc(0, 1, 1, 0, "a"))),
			Holds, Violated, Holds, []string{"slot 1"}},
		{"accepting a proposed value with another ballot",
			trace(evs(pReq("a"), pProp(0, 1, 1, "a"), pAcc(1, 1, 2, 0, "a"))),
			Holds, Violated, Holds, []string{"slot 1"}},
		{"proposing a value nobody requested",
			trace(evs(pProp(0, 3, 1, "x"))),
			Holds, Violated, Holds, []string{"slot 3"}},
		{"proposing a value before it was requested",
			trace(evs(pProp(0, 2, 1, "a"), pReq("a"))),
			Holds, Violated, Holds, []string{"slot 2"}},
		{"accepting before the proposal",
			trace(evs(pReq("a"), pAcc(1, 1, 1, 0, "a"), pProp(0, 1, 1, "a"))),
			Holds, Violated, Holds, []string{"slot 1"}},
		{"the no-op needs no request",
			trace(evs(pProp(0, 1, 1, PaxosNoop), pAcc(0, 1, 1, 0, PaxosNoop), pAcc(1, 1, 1, 0, PaxosNoop),
				pAcc(2, 1, 1, 0, PaxosNoop), pApply(1, 1, PaxosNoop))),
			Holds, Holds, Holds, nil},
		{"a gap in a replica's log",
			trace(choose(0, 1, 1, "a", 0, 1, 2), choose(0, 2, 1, "b", 0, 1, 2), evs(pApply(1, 2, "b"))),
			Holds, Holds, Violated, []string{"slot 2"}},
		{"two replicas apply different values at a slot",
			// Agreement sees the unchosen application too; prefix sees the divergence.
			trace(choose(0, 1, 1, "a", 0, 1, 2), evs(pReq("b"), pApply(0, 1, "a"), pApply(1, 1, "b"))),
			Violated, Holds, Violated, []string{"slot 1"}},
		{"huge slot numbers",
			trace(choose(0, 1<<40, 1, "a", 0, 1, 2), choose(0, 1<<40+1, 1, "b", 0, 1, 2), choose(1, 1<<40+1, 2, "c", 2, 3, 4)),
			Violated, Holds, Holds, []string{"slot 1099511627777"}},
		{"an application far beyond the first slot",
			trace(choose(0, 1<<40, 1, "a", 0, 1, 2), evs(pApply(3, 1<<40, "a"))),
			Holds, Holds, Violated, []string{"slot 1099511627776"}},
		{"a restarted replica re-applies its log",
			trace(choose(0, 1, 1, "a", 0, 1, 2), choose(0, 2, 1, "b", 0, 1, 2),
				evs(pApply(1, 1, "a"), pApply(1, 2, "b"), pApply(1, 1, "a"), pApply(1, 2, "b"))),
			Holds, Holds, Holds, nil},
		{"a restarted replica re-applies a different value",
			trace(choose(0, 1, 1, "a", 0, 1, 2), evs(pApply(1, 1, "a"), pApply(1, 1, "noop"))),
			Violated, Holds, Violated, []string{"slot 1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := CheckPaxos(tt.tr)
			require.NoError(t, err)
			require.Len(t, res, 3)
			assert.Equal(t, []string{PaxosAgreementCheck, PaxosValidityCheck, PaxosPrefixCheck},
				[]string{res[0].Check, res[1].Check, res[2].Check})
			got := []Verdict{res[0].Verdict, res[1].Verdict, res[2].Verdict}
			assert.Equal(t, []Verdict{tt.agreement, tt.validity, tt.prefix}, got, "agreement, validity, prefix: %v", res)
			for _, r := range res {
				assert.Equal(t, Safety, r.Kind)
				assert.NotEmpty(t, r.Detail)
				if r.Verdict == Violated {
					assert.Equal(t, tt.offending, r.Offending, r.Detail)
					break
				}
				assert.Empty(t, r.Offending)
			}
		})
	}
}

func TestPaxosAgreementDetail(t *testing.T) {
	tr := trace(choose(0, 4, 1, "a", 0, 1, 2), choose(4, 4, 2, "b", 2, 3, 4))
	tr.Names = []string{"n1", "n2", "n3", "n4", "n5"}
	r, err := CheckPaxosAgreement(tr)
	require.NoError(t, err)
	assert.Equal(t, Violated, r.Verdict)
	assert.Equal(t, `slot 4 has 2 chosen values: "a" (ballot 1.n1, by n1,n2,n3 at 4µs) and "b" (ballot 2.n5, by n3,n4,n5 at 9µs)`, r.Detail)
}

func TestPaxosOffendingIsCapped(t *testing.T) {
	var parts [][]PaxosEvent
	for s := int64(1); s <= 30; s++ {
		parts = append(parts, choose(0, s, 1, "a", 0, 1, 2), choose(1, s, 2, "b", 2, 3, 4))
	}
	r, err := CheckPaxosAgreement(trace(parts...))
	require.NoError(t, err)
	assert.Equal(t, Violated, r.Verdict)
	assert.Len(t, r.Offending, maxOffending)
	assert.Equal(t, "slot 1", r.Offending[0])
	assert.Equal(t, "slot 20", r.Offending[maxOffending-1])
	assert.Contains(t, r.Detail, "(30 slots at fault in all)")
}

func TestPaxosTraceValidation(t *testing.T) {
	tests := []struct {
		name string
		tr   PaxosTrace
		want string
	}{
		{"no acceptors", PaxosTrace{}, "acceptors: 0"},
		{"zero kind", PaxosTrace{Acceptors: 3, Events: []PaxosEvent{{Value: "a", Slot: 1}}}, "event 0 (PaxosEventKind(0)): kind"},
		{"negative node", PaxosTrace{Acceptors: 3, Events: []PaxosEvent{{Kind: PaxosApply, Node: -1, Slot: 1, Value: "a"}}}, "node: -1"},
		{"slot 0", PaxosTrace{Acceptors: 3, Events: []PaxosEvent{pReq("a"), pApply(0, 0, "a")}}, "event 1 (apply): slot: 0"},
		{"empty value", PaxosTrace{Acceptors: 3, Events: []PaxosEvent{pApply(0, 1, "")}}, "value: missing"},
		{"no ballot", PaxosTrace{Acceptors: 3, Events: []PaxosEvent{pAcc(0, 1, 0, 0, "a")}}, "ballot: round 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CheckPaxos(tt.tr)
			require.ErrorIs(t, err, ErrBadHistory)
			assert.ErrorContains(t, err, tt.want)
			for _, check := range []func(PaxosTrace) (Result, error){CheckPaxosAgreement, CheckPaxosValidity, CheckPaxosPrefix} {
				_, err := check(tt.tr)
				assert.ErrorIs(t, err, ErrBadHistory)
			}
		})
	}
}

// genPaxos builds the trace of a correct Multi-Paxos run by construction: a
// sequence of leaders with increasing ballots, each re-proposing the highest
// accepted value it finds in a majority before proposing new ones, with
// random acceptor subsets, and replicas applying chosen prefixes. All three
// checks must hold on it, and a random corruption must be caught.
func genPaxos(r *rand.Rand, n, slots int) PaxosTrace {
	type acc struct {
		ballot PaxosBallot
		value  string
	}
	accepted := make([]map[int64]acc, n)
	for i := range accepted {
		accepted[i] = map[int64]acc{}
	}
	var evs []PaxosEvent
	chosen := map[int64]string{}
	req := 0
	for round := int64(1); len(chosen) < slots; round++ {
		leader := r.IntN(n)
		b := PaxosBallot{round, leader}
		// Phase 1 with a random majority.
		quorum := r.Perm(n)[:n/2+1]
		for s := int64(1); s <= int64(slots); s++ {
			var best acc
			for _, a := range quorum {
				if x, ok := accepted[a][s]; ok && x.ballot.Compare(best.ballot) > 0 {
					best = x
				}
			}
			v := best.value
			if v == "" {
				req++
				v = fmt.Sprintf("v%d", req)
				evs = append(evs, PaxosEvent{Kind: PaxosRequest, Node: 9, Value: v})
			}
			evs = append(evs, PaxosEvent{Kind: PaxosPropose, Node: leader, Slot: s, Ballot: b, Value: v})
			// Phase 2 reaches a random subset, sometimes a majority.
			k := r.IntN(n + 1)
			for _, a := range r.Perm(n)[:k] {
				accepted[a][s] = acc{b, v}
				evs = append(evs, PaxosEvent{Kind: PaxosAccept, Node: a, Slot: s, Ballot: b, Value: v})
			}
			if k > n/2 {
				chosen[s] = v
			}
			if r.IntN(3) == 0 {
				break // the leader dies
			}
		}
	}
	for node := 0; node < n; node++ {
		for s := int64(1); ; s++ {
			v, ok := chosen[s]
			if !ok || r.IntN(10) == 0 {
				break
			}
			evs = append(evs, PaxosEvent{Kind: PaxosApply, Node: node, Slot: s, Value: v})
		}
	}
	for i := range evs {
		evs[i].Time = int64(i)
	}
	return PaxosTrace{Acceptors: n, Events: evs}
}

func TestPaxosChecksOnGeneratedRuns(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	caught := 0
	for i := 0; i < 200; i++ {
		tr := genPaxos(r, 3+2*r.IntN(2), 1+r.IntN(8))
		res, err := CheckPaxos(tr)
		require.NoError(t, err)
		for _, c := range res {
			require.Equal(t, Holds, c.Verdict, "run %d: %s", i, c)
		}
		// Corrupt one application: a replica applies a value nobody chose.
		var applies []int
		for j, e := range tr.Events {
			if e.Kind == PaxosApply {
				applies = append(applies, j)
			}
		}
		if len(applies) == 0 {
			continue
		}
		bad := append([]PaxosEvent(nil), tr.Events...)
		bad[applies[r.IntN(len(applies))]].Value = "forged"
		res, err = CheckPaxos(PaxosTrace{Acceptors: tr.Acceptors, Events: bad})
		require.NoError(t, err)
		assert.Equal(t, Violated, res[0].Verdict, "run %d: agreement must see the forged application", i)
		caught++
	}
	assert.Greater(t, caught, 100)
}

// Node numbers are the simulator's, so acceptors may be numbered 64 and up.
func TestPaxosLargeNodeNumbers(t *testing.T) {
	tr := trace(choose(100, 1, 1, "a", 100, 100, 101), choose(102, 1, 2, "b", 102, 103, 104))
	r, err := CheckPaxosAgreement(tr)
	require.NoError(t, err)
	assert.Equal(t, Holds, r.Verdict, "a is accepted by two acceptors only: %s", r.Detail)
	tr = trace(choose(100, 1, 1, "a", 100, 101, 102), choose(102, 1, 2, "b", 102, 103, 104))
	r, err = CheckPaxosAgreement(tr)
	require.NoError(t, err)
	assert.Equal(t, Violated, r.Verdict)
	assert.Contains(t, r.Detail, "by node 100,node 101,node 102")
}

// Two leaders with intersecting majorities: the second ignored what the
// first got chosen at slot 1 and proposed its own command there.
func ExampleCheckPaxos() {
	b1 := PaxosBallot{Round: 1, Node: 0}
	b2 := PaxosBallot{Round: 2, Node: 2}
	events := []PaxosEvent{
		{Kind: PaxosRequest, Node: 5, Value: "put x=1"},
		{Kind: PaxosPropose, Node: 0, Slot: 1, Ballot: b1, Value: "put x=1"},
		{Kind: PaxosAccept, Node: 0, Slot: 1, Ballot: b1, Value: "put x=1"},
		{Kind: PaxosAccept, Node: 1, Slot: 1, Ballot: b1, Value: "put x=1"},
		{Kind: PaxosApply, Node: 0, Slot: 1, Value: "put x=1"},
		{Kind: PaxosPropose, Node: 2, Slot: 1, Ballot: b2, Value: PaxosNoop},
		{Kind: PaxosAccept, Node: 2, Slot: 1, Ballot: b2, Value: PaxosNoop},
		{Kind: PaxosAccept, Node: 1, Slot: 1, Ballot: b2, Value: PaxosNoop},
		{Kind: PaxosApply, Node: 2, Slot: 1, Value: PaxosNoop},
	}
	results, err := CheckPaxos(PaxosTrace{Acceptors: 3, Events: events, Names: []string{"n1", "n2", "n3"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range results {
		fmt.Println(r)
	}
	// Output:
	// paxos-agreement (safety): violated: slot 1 has 2 chosen values: "put x=1" (ballot 1.n1, by n1,n2 at 0s) and "noop" (ballot 2.n3, by n3,n2 at 0s)
	// paxos-validity (safety): holds: all 4 acceptances were of proposed values, and all proposals of requested values or the no-op
	// paxos-prefix (safety): violated: n3 applied "noop" at slot 1 at 0s, but n1 applied "put x=1" there at 0s
}
