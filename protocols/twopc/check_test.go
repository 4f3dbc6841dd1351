package twopc

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// A hand-made run: coord (node 0) and participants n1 (1) and n2 (2).
const (
	coordID sim.NodeID = 0
	n1ID    sim.NodeID = 1
	n2ID    sim.NodeID = 2
)

// recorded is one fact, recorded by node at ms milliseconds.
type recorded struct {
	ms   int
	node sim.NodeID
	fact fmt.Stringer
}

// checkFacts feeds the facts to a fresh instance and runs the checks
// named. Its world has idle nodes coord, n1 and n2, and client c1 if
// client is not nil; it runs for a millisecond.
func checkFacts(t *testing.T, client sim.Factory, facts []recorded, checks ...string) []checker.Result {
	t.Helper()
	w, err := sim.New(sim.Config{Seed: 1})
	require.NoError(t, err)
	for _, name := range []string{"coord", "n1", "n2"} {
		w.MustAddNode(name, func() sim.Node { return idle{} })
	}
	if client != nil {
		w.MustAddNode("c1", client)
	}
	w.RunUntil(sim.Time(time.Millisecond))
	in := &instance{cfg: DefaultConfig(coordID, []sim.NodeID{n1ID, n2ID}), world: w, names: []string{"coord", "n1", "n2"},
		blockedAfter: time.Second, yesAt: map[doubtKey]sim.Time{}, parts: map[string][]string{},
		down: map[sim.NodeID]sim.Time{}, blockedSeen: map[string]bool{}}
	for _, r := range facts {
		in.observe(&sim.Event{Time: sim.Time(time.Duration(r.ms) * time.Millisecond), Kind: sim.KindRecord,
			Node: r.node, Peer: sim.None, Msg: r.fact, Text: r.fact.String()})
	}
	return in.Check(protocols.CheckRequest{World: w, Checks: checks, Budget: time.Second}).Checks
}

func TestAtomicityCheckReadsTheFacts(t *testing.T) {
	began := recorded{1, coordID, Began{Txn: "t1", Participants: []string{"n1", "n2"}}}
	yes1, yes2 := recorded{2, n1ID, Voted{Txn: "t1", Yes: true}}, recorded{2, n2ID, Voted{Txn: "t1", Yes: true}}
	for _, tc := range []struct {
		name    string
		facts   []recorded
		verdict checker.Verdict
		detail  string
	}{
		{"commit on unanimous yes", []recorded{began, yes1, yes2, {3, coordID, Decided{Txn: "t1", Commit: true}},
			{4, n1ID, Applied{Txn: "t1", Commit: true}}, {4, n2ID, Applied{Txn: "t1", Commit: true}}}, checker.Holds, ""},
		{"abort after a no", []recorded{began, yes1, {2, n2ID, Voted{Txn: "t1"}}, {3, coordID, Decided{Txn: "t1"}},
			{4, n1ID, Applied{Txn: "t1"}}}, checker.Holds, ""},
		{"commit despite a no", []recorded{began, yes1, {2, n2ID, Voted{Txn: "t1"}},
			{3, coordID, Decided{Txn: "t1", Commit: true}}}, checker.Violated, "t1"},
		{"a backup decides against the coordinator", []recorded{began, yes1, yes2, {3, coordID, Decided{Txn: "t1", Commit: true}},
			{5, n2ID, Decided{Txn: "t1", Backup: true}}}, checker.Violated, "t1"},
		{"applied both ways", []recorded{began, yes1, yes2, {3, coordID, Decided{Txn: "t1", Commit: true}},
			{4, n1ID, Applied{Txn: "t1", Commit: true}}, {4, n2ID, Applied{Txn: "t1"}}}, checker.Violated, "t1"},
		{"other facts are not decisions", []recorded{began, yes1, yes2, {3, coordID, PreCommitStarted{Txn: "t1"}},
			{4, coordID, CoordinatorRecovered{Txn: "t1"}}, {4, n1ID, ParticipantRecovered{Txn: "t1", State: PreCommitted}},
			{5, n1ID, Blocked{Txn: "t1", NoBackup: true}}}, checker.Holds, ""},
		{"a fact the check cannot read is inconclusive", []recorded{{1, coordID, Began{Txn: "t1"}}},
			checker.Inconclusive, "cannot check"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rs := checkFacts(t, nil, tc.facts, checker.AtomicityCheck)
			require.Len(t, rs, 1)
			assert.Equal(t, tc.verdict, rs[0].Verdict, rs[0].Detail)
			assert.Contains(t, rs[0].Detail, tc.detail)
		})
	}
}

// The termination check's detail mentions transactions reported blocked
// during the run, and how long a yes vote waited for its outcome.
func TestBlockedFactsAreCounted(t *testing.T) {
	rs := checkFacts(t, nil, []recorded{{1, coordID, Began{Txn: "t1", Participants: []string{"n1"}}},
		{2, n1ID, Voted{Txn: "t1", Yes: true}}, {300, n1ID, Blocked{Txn: "t1"}},
		{900, coordID, Decided{Txn: "t1", Commit: true}}, {902, n1ID, Applied{Txn: "t1", Commit: true}}},
		checker.TerminationCheck)
	require.Len(t, rs, 1)
	assert.Equal(t, checker.Holds, rs[0].Verdict, rs[0].Detail)
	assert.Contains(t, rs[0].Detail, "1 blocked for a while during the run (longest in doubt: 900ms, t1)")
}

// idle is a node that does nothing.
type idle struct{}

func (idle) Start(*sim.Context)                    {}
func (idle) Receive(*sim.Context, sim.NodeID, any) {}
func (idle) Timer(*sim.Context, any)               {}

// oddClient invokes one operation the transaction model cannot read.
type oddClient struct{ idle }

func (oddClient) Start(ctx *sim.Context) { ctx.Return(ctx.Invoke("not a transaction"), "?") }

// A history the isolation check cannot read is inconclusive, with the
// reason, never a violation.
func TestIsolationCheckThatCannotDecideIsInconclusive(t *testing.T) {
	rs := checkFacts(t, func() sim.Node { return oddClient{} }, nil, checker.IsolationCheck)
	require.Len(t, rs, 1)
	assert.Equal(t, checker.Inconclusive, rs[0].Verdict)
	assert.Contains(t, rs[0].Detail, "cannot check")
	assert.Equal(t, checker.Safety, rs[0].Kind)
}

// The facts describe themselves with the stable lines the traces and
// fingerprints have always had.
func TestFactsDescribeThemselves(t *testing.T) {
	for _, tc := range []struct {
		fact fmt.Stringer
		want string
	}{
		{Began{Txn: "t1", Participants: []string{"n1", "n2"}}, "begin t1 n1,n2"},
		{Voted{Txn: "t1", Yes: true}, "vote t1 yes"},
		{Voted{Txn: "t1"}, "vote t1 no"},
		{Decided{Txn: "t1", Commit: true}, "decide t1 commit"},
		{Decided{Txn: "t1", Backup: true}, "decide t1 abort as backup"},
		{Applied{Txn: "t1", Commit: true, Unprepared: true}, "apply t1 commit unprepared"},
		{Applied{Txn: "t1"}, "apply t1 abort"},
		{PreCommitStarted{Txn: "t1"}, "precommit t1"},
		{CoordinatorRecovered{Txn: "t1", Commit: true}, "recover t1 commit"},
		{CoordinatorRecovered{Txn: "t1"}, "recover t1 in doubt: the participants decide"},
		{ParticipantRecovered{Txn: "t1", State: Prepared}, "recover t1 prepared"},
		{Blocked{Txn: "t1", NoBackup: true}, "blocked t1: no backup coordinator decided in the last round"},
		{Blocked{Txn: "t1"}, "blocked t1: the coordinator does not answer"},
		{Blocked{Txn: "t1", Uncertain: []string{"n2", "n3"}, Silent: []string{"n4"}},
			"blocked t1: the coordinator does not answer; uncertain too: n2,n3; silent: n4"},
	} {
		assert.Equal(t, tc.want, tc.fact.String())
	}
}
