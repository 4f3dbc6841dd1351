package checker

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Constructors for hand-made transaction histories. Times are virtual ns.

func rd(key string) TxnOp        { return TxnOp{Kind: TxnRead, Key: key} }
func wr(key, value string) TxnOp { return TxnOp{Kind: TxnWrite, Key: key, Value: value} }

// txn is a committed transaction that returned reads.
func txn(c int, call, ret int64, id string, ops []TxnOp, reads ...string) Operation {
	if reads == nil {
		reads = []string{}
	}
	return Operation{Client: c, Call: call, Return: ret, Input: TxnInput{ID: id, Ops: ops},
		Output: TxnOutput{Committed: true, Reads: reads}}
}

// abortedTxn is a transaction the client was told aborted.
func abortedTxn(c int, call, ret int64, id string, ops []TxnOp) Operation {
	return Operation{Client: c, Call: call, Return: ret, Input: TxnInput{ID: id, Ops: ops}, Output: TxnOutput{}}
}

// lostTxn is a transaction whose outcome the client never learned.
func lostTxn(c int, call int64, id string, ops []TxnOp) Operation {
	return Operation{Client: c, Call: call, Input: TxnInput{ID: id, Ops: ops}, Outcome: Unknown}
}

func TestTxnModelStep(t *testing.T) {
	st := txnState(nil).set("a", "1")
	tests := []struct {
		name  string
		ops   []TxnOp
		out   TxnOutput
		legal bool
		after string
	}{
		{"read current value", []TxnOp{rd("a"), rd("b")}, TxnOutput{Committed: true, Reads: []string{"1", ""}}, true, `{a: "1"}`},
		{"stale read", []TxnOp{rd("a")}, TxnOutput{Committed: true, Reads: []string{"0"}}, false, `{a: "1"}`},
		{"write then read own write", []TxnOp{wr("b", "x"), rd("b"), rd("a")}, TxnOutput{Committed: true, Reads: []string{"x", "1"}}, true, `{a: "1", b: "x"}`},
		{"read before own write sees old", []TxnOp{rd("a"), wr("a", "2")}, TxnOutput{Committed: true, Reads: []string{"1"}}, true, `{a: "2"}`},
		{"read before own write cannot see it", []TxnOp{rd("a"), wr("a", "2")}, TxnOutput{Committed: true, Reads: []string{"2"}}, false, `{a: "1"}`},
		{"too few reads", []TxnOp{rd("a"), rd("a")}, TxnOutput{Committed: true, Reads: []string{"1"}}, false, `{a: "1"}`},
		{"aborted has no effect", []TxnOp{wr("a", "9")}, TxnOutput{}, true, `{a: "1"}`},
		{"unknown applies its writes", []TxnOp{rd("a"), wr("a", "9")}, TxnOutput{Unknown: true}, true, `{a: "9"}`},
	}
	m := TxnModel()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, next := m.Spec.Step(st, TxnInput{ID: "t", Ops: tc.ops}, tc.out)
			assert.Equal(t, tc.legal, ok)
			if ok {
				assert.Equal(t, tc.after, m.Spec.DescribeState(next))
			}
			assert.Equal(t, `{a: "1"}`, st.String(), "steps never modify the state they are given")
		})
	}
	a, b := txnState(nil).set("x", "1").set("y", "2"), txnState(nil).set("y", "2").set("x", "1")
	assert.True(t, m.Spec.Equal(a, b), "states do not depend on write order")
	assert.Equal(t, m.Spec.Hash(a), m.Spec.Hash(b))
	assert.NotEqual(t, m.Spec.Hash(a), m.Spec.Hash(txnState(nil).set("x", "12")), "hashes separate keys from values")
}

func TestCheckIsolation(t *testing.T) {
	tests := []struct {
		name      string
		ops       []Operation
		verdict   Verdict
		offending []string
		detail    string
	}{
		{"sequential", []Operation{
			txn(0, 0, 10, "t1", []TxnOp{wr("a", "t1"), wr("b", "t1")}),
			txn(1, 20, 30, "t2", []TxnOp{rd("a"), rd("b")}, "t1", "t1"),
		}, Holds, nil, "strictly serializable: 2 transactions (0 of them with unknown outcome; 0 aborted ones left out)"},
		{"concurrent, either order", []Operation{
			txn(0, 0, 30, "t1", []TxnOp{wr("a", "t1")}),
			txn(1, 10, 40, "t2", []TxnOp{rd("a")}, ""),
			txn(2, 15, 45, "t3", []TxnOp{rd("a")}, "t1"),
		}, Holds, nil, ""},
		{"stale read after a commit returned", []Operation{
			txn(0, 0, 10, "t1", []TxnOp{wr("a", "t1")}),
			txn(1, 20, 30, "t2", []TxnOp{rd("a")}, ""),
		}, Violated, []string{"t2"}, "no order of the 2 transactions explains what t2 read"},
		{"read skew: half of a transaction", []Operation{
			txn(0, 0, 50, "t1", []TxnOp{wr("a", "t1"), wr("b", "t1")}),
			txn(1, 10, 40, "t2", []TxnOp{rd("a"), rd("b")}, "t1", ""),
		}, Violated, []string{"t2"}, ""},
		{"write skew is not serializable", []Operation{
			txn(0, 0, 50, "t1", []TxnOp{rd("a"), rd("b"), wr("a", "t1")}, "", ""),
			txn(1, 0, 50, "t2", []TxnOp{rd("a"), rd("b"), wr("b", "t2")}, "", ""),
			txn(2, 60, 70, "t3", []TxnOp{rd("a"), rd("b")}, "t1", "t2"),
		}, Violated, []string{"t2"}, "what t2 read"}, // after t1, t2 cannot have read a = ""
		{"unknown outcome may have committed", []Operation{
			lostTxn(0, 0, "t1", []TxnOp{wr("a", "t1")}),
			txn(1, 20, 30, "t2", []TxnOp{rd("a")}, "t1"),
			txn(1, 40, 50, "t3", []TxnOp{rd("a")}, "t1"),
		}, Holds, nil, "1 of them with unknown outcome"},
		{"unknown outcome may not have committed", []Operation{
			lostTxn(0, 0, "t1", []TxnOp{wr("a", "t1")}),
			txn(1, 20, 30, "t2", []TxnOp{rd("a")}, ""),
		}, Holds, nil, ""},
		{"unknown outcome cannot take effect before its call", []Operation{
			txn(1, 0, 10, "t2", []TxnOp{rd("a")}, "t1"),
			lostTxn(0, 20, "t1", []TxnOp{wr("a", "t1")}),
		}, Violated, []string{"t2"}, ""},
		{"dirty read of an aborted transaction", []Operation{
			abortedTxn(0, 0, 10, "t1", []TxnOp{wr("a", "t1")}),
			txn(1, 5, 30, "t2", []TxnOp{rd("a")}, "t1"),
		}, Violated, []string{"t2"}, `t2 read a = "t1", written only by t1, which aborted`},
		{"aborted transactions are left out", []Operation{
			abortedTxn(0, 0, 10, "t1", []TxnOp{wr("a", "t1")}),
			txn(1, 20, 30, "t2", []TxnOp{rd("a")}, ""),
		}, Holds, nil, "1 aborted ones left out"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := CheckIsolation(tc.ops, 10*time.Second)
			require.NoError(t, err)
			assert.Equal(t, IsolationCheck, res.Check)
			assert.Equal(t, Safety, res.Kind)
			assert.Equal(t, tc.verdict, res.Verdict, res.Detail)
			assert.Equal(t, tc.offending, res.Offending)
			assert.Contains(t, res.Detail, tc.detail)
			if tc.verdict == Violated {
				var b strings.Builder
				require.NoError(t, res.WriteVisualization(&b))
				assert.Contains(t, b.String(), "<html")
			}
		})
	}
}

func TestCheckIsolationBadHistory(t *testing.T) {
	tests := []struct {
		name string
		op   Operation
		want string
	}{
		{"not a transaction", Operation{Input: KVInput{Op: KVGet, Key: "a"}, Output: TxnOutput{}}, "input: want checker.TxnInput"},
		{"bad step kind", txn(0, 0, 1, "t", []TxnOp{{Kind: 7, Key: "a"}}), "input.ops[0].kind"},
		{"missing key", txn(0, 0, 1, "t", []TxnOp{{Kind: TxnWrite, Value: "v"}}), "input.ops[0].key"},
		{"value on a read", txn(0, 0, 1, "t", []TxnOp{{Kind: TxnRead, Key: "a", Value: "v"}}, ""), "input.ops[0].value"},
		{"reads missing", txn(0, 0, 1, "t", []TxnOp{rd("a"), rd("b")}, ""), "output.reads: 1 values for 2 reads"},
		{"wrong output", Operation{Input: TxnInput{ID: "t"}, Output: KVOutput{}}, "output: want checker.TxnOutput"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CheckIsolation([]Operation{tc.op}, time.Second)
			require.ErrorIs(t, err, ErrBadHistory)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestCheckIsolationAgainstReference compares CheckIsolation with a brute
// force over every order of small random histories: the committed
// transactions, and every subset of the unknown ones, in every order that
// respects real time.
func TestCheckIsolationAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	counts := map[Verdict]int{}
	for i := range 400 {
		ops := randomTxnHistory(r, 2+r.IntN(5))
		want := referenceSerializable(ops)
		res, err := CheckIsolation(ops, 10*time.Second)
		require.NoError(t, err)
		got := res.Verdict == Holds
		if !assert.Equal(t, want, got, "history %d: %s\n%s", i, res.Detail, formatTxnHistory(ops)) {
			return
		}
		counts[res.Verdict]++
	}
	// Both verdicts must occur, or the comparison proves little.
	assert.Greater(t, counts[Holds], 50)
	assert.Greater(t, counts[Violated], 50)
}

// randomTxnHistory generates transactions over keys a, b, c: each client
// runs one at a time with random intervals, and outputs come from a random
// serial execution, after which some reads are corrupted and some
// outcomes turned unknown or aborted.
func randomTxnHistory(r *rand.Rand, n int) []Operation {
	keys := []string{"a", "b", "c"}
	var ops []Operation
	state := txnState(nil)
	clock := make([]int64, 3)
	for i := range n {
		c := r.IntN(3)
		call := clock[c] + int64(r.IntN(20))
		ret := call + 1 + int64(r.IntN(40))
		clock[c] = ret + 1
		id := fmt.Sprintf("t%d", i+1)
		var steps []TxnOp
		for range 1 + r.IntN(3) {
			k := keys[r.IntN(len(keys))]
			if r.IntN(2) == 0 {
				steps = append(steps, rd(k))
			} else {
				steps = append(steps, wr(k, id))
			}
		}
		reads := []string{}
		next := state
		for _, s := range steps {
			if s.Kind == TxnRead {
				reads = append(reads, next.get(s.Key))
			} else {
				next = next.set(s.Key, s.Value)
			}
		}
		op := txn(c, call, ret, id, steps, reads...)
		switch x := r.IntN(10); {
		case x == 0:
			op.Outcome, op.Output = Unknown, nil
		case x == 1:
			op.Output = TxnOutput{}
			next = state
		case x < 4 && len(reads) > 0:
			reads[r.IntN(len(reads))] = "t" + fmt.Sprint(1+r.IntN(n))
		}
		state = next
		ops = append(ops, op)
	}
	return ops
}

// referenceSerializable decides strict serializability by brute force.
func referenceSerializable(ops []Operation) bool {
	var committed, unknown []int
	for i, op := range ops {
		switch out, _ := op.Output.(TxnOutput); {
		case op.Outcome == Unknown:
			unknown = append(unknown, i)
		case out.Committed:
			committed = append(committed, i)
		}
	}
	for mask := 0; mask < 1<<len(unknown); mask++ {
		set := slices.Clone(committed)
		for j, u := range unknown {
			if mask&(1<<j) != 0 {
				set = append(set, u)
			}
		}
		if anyOrder(ops, set, nil, txnState(nil)) {
			return true
		}
	}
	return false
}

// anyOrder reports whether the operations of rest can follow done, from
// state st, in an order that respects real time and explains every read.
func anyOrder(ops []Operation, rest, done []int, st txnState) bool {
	if len(rest) == 0 {
		return true
	}
	m := TxnModel()
	for k, i := range rest {
		// i may go next only if no other remaining operation returned
		// before i was called.
		blocked := false
		for _, j := range rest {
			if j != i && ops[j].Outcome == OK && ops[j].Return < ops[i].Call {
				blocked = true
			}
		}
		if blocked {
			continue
		}
		out := ops[i].Output
		if ops[i].Outcome == Unknown {
			out = TxnOutput{Unknown: true}
		}
		ok, next := m.Spec.Step(st, ops[i].Input, out)
		if !ok {
			continue
		}
		others := slices.Delete(slices.Clone(rest), k, k+1)
		if anyOrder(ops, others, append(done, i), next.(txnState)) {
			return true
		}
	}
	return false
}

func formatTxnHistory(ops []Operation) string {
	var b strings.Builder
	for _, op := range ops {
		fmt.Fprintf(&b, "  c%d [%d, %d] %s %s\n", op.Client, op.Call, op.Return, op.Outcome, describeTxn(op.Input, op.Output))
	}
	return b.String()
}

// Constructors for atomic-commit events.

func begin(at int64, txn string, parts ...string) TxnEvent {
	return TxnEvent{Kind: TxnBegin, Time: at, Node: "coord", Txn: txn, Participants: parts}
}

func vote(at int64, node, txn string, yes bool) TxnEvent {
	return TxnEvent{Kind: TxnVote, Time: at, Node: node, Txn: txn, Commit: yes}
}

func decide(at int64, node, txn string, commit bool) TxnEvent {
	return TxnEvent{Kind: TxnDecide, Time: at, Node: node, Txn: txn, Commit: commit}
}

func applied(at int64, node, txn string, commit bool) TxnEvent {
	return TxnEvent{Kind: TxnApply, Time: at, Node: node, Txn: txn, Commit: commit}
}

func TestCheckAtomicity(t *testing.T) {
	ms := int64(time.Millisecond)
	good := []TxnEvent{
		begin(0, "t1", "n1", "n2"),
		vote(1*ms, "n1", "t1", true), vote(2*ms, "n2", "t1", true),
		decide(3*ms, "coord", "t1", true),
		applied(4*ms, "n1", "t1", true), applied(5*ms, "n2", "t1", true),
		begin(6*ms, "t2", "n1", "n2"),
		vote(7*ms, "n1", "t2", false),
		decide(8*ms, "coord", "t2", false),
		applied(9*ms, "n2", "t2", false), // aborted before it voted
	}
	tests := []struct {
		name      string
		events    []TxnEvent
		verdict   Verdict
		offending []string
		detail    string
	}{
		{"commit and abort", good, Holds, nil, "2 transactions: 1 committed, 1 aborted, 0 undecided"},
		{"a participant disagrees", append(slices.Clone(good[:5]), applied(5*ms, "n2", "t1", false)),
			Violated, []string{"t1"}, "t1: coord decided commit at 3ms but n2 applied abort at 5ms"},
		{"a decision changes after a crash", []TxnEvent{
			begin(0, "t1", "n1"), vote(ms, "n1", "t1", true), decide(2*ms, "coord", "t1", true),
			decide(9*ms, "coord", "t1", false)},
			Violated, []string{"t1"}, "coord decided commit at 2ms, then decided abort at 9ms: a decision changed"},
		{"commit despite a no", []TxnEvent{
			begin(0, "t1", "n1", "n2"), vote(ms, "n1", "t1", true), vote(2*ms, "n2", "t1", false),
			decide(3*ms, "coord", "t1", true)},
			Violated, []string{"t1"}, "coord decided commit at 3ms although n2 voted no at 2ms"},
		{"commit before every vote", []TxnEvent{
			begin(0, "t1", "n1", "n2"), vote(ms, "n1", "t1", true), decide(2*ms, "coord", "t1", true),
			vote(3*ms, "n2", "t1", true)},
			Violated, []string{"t1"}, "coord decided commit at 2ms before n2 voted"},
		{"only the latest vote counts", []TxnEvent{
			begin(0, "t1", "n1"), vote(ms, "n1", "t1", false), vote(2*ms, "n1", "t1", true),
			decide(3*ms, "coord", "t1", true)},
			Holds, nil, ""},
		{"without a begin, voters are the participants", []TxnEvent{
			vote(ms, "n1", "t1", true), vote(2*ms, "n2", "t1", false), decide(3*ms, "n3", "t1", true)},
			Violated, []string{"t1"}, "n3 decided commit at 3ms although n2 voted no"},
		{"commit without the prepared state", []TxnEvent{
			begin(0, "t1", "n1"), vote(ms, "n1", "t1", true), decide(2*ms, "coord", "t1", true),
			{Kind: TxnApply, Time: 3 * ms, Node: "n1", Txn: "t1", Commit: true, Unprepared: true}},
			Violated, []string{"t1"}, "n1 applied commit at 3ms without its prepared state"},
		{"offending is sorted and detail capped", []TxnEvent{
			decide(1, "a", "t4", true), decide(2, "b", "t4", false),
			decide(3, "a", "t3", true), decide(4, "b", "t3", false),
			decide(5, "a", "t2", true), decide(6, "b", "t2", false),
			decide(7, "a", "t1", true), decide(8, "b", "t1", false)},
			Violated, []string{"t1", "t2", "t3", "t4"}, "4 transactions of 4 not atomic: t4: a decided commit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := CheckAtomicity(tc.events)
			require.NoError(t, err)
			assert.Equal(t, AtomicityCheck, res.Check)
			assert.Equal(t, Safety, res.Kind)
			assert.Equal(t, tc.verdict, res.Verdict, res.Detail)
			assert.Equal(t, tc.offending, res.Offending)
			assert.Contains(t, res.Detail, tc.detail)
		})
	}
}

func TestValidateTxnEvents(t *testing.T) {
	tests := []struct {
		name  string
		event TxnEvent
		want  string
	}{
		{"no kind", TxnEvent{Node: "n1", Txn: "t"}, "kind: invalid value 0"},
		{"no node", TxnEvent{Kind: TxnVote, Txn: "t"}, "node: missing"},
		{"no txn", TxnEvent{Kind: TxnVote, Node: "n1"}, "txn: missing"},
		{"begin without participants", TxnEvent{Kind: TxnBegin, Node: "c", Txn: "t"}, "participants"},
		{"unprepared abort", TxnEvent{Kind: TxnApply, Node: "n1", Txn: "t", Unprepared: true}, "unprepared"},
		{"out of order", TxnEvent{Kind: TxnVote, Node: "n1", Txn: "t", Time: -1}, "before the previous event"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CheckAtomicity([]TxnEvent{tc.event})
			require.ErrorIs(t, err, ErrBadHistory)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	assert.Equal(t, "decide", TxnDecide.String())
	assert.Equal(t, "TxnEventKind(9)", TxnEventKind(9).String())
}

func TestCheckTermination(t *testing.T) {
	ok := CheckTermination(nil)
	assert.Equal(t, Holds, ok.Verdict)
	assert.Equal(t, Liveness, ok.Kind)
	assert.Equal(t, TerminationCheck, ok.Check)

	res := CheckTermination([]BlockedTxn{
		{Txn: "t9", Nodes: []string{"n2"}, Since: int64(2 * time.Millisecond), Reason: "n2 is cut off"},
		{Txn: "t1", Nodes: []string{"n1", "n3"}, Since: int64(time.Millisecond), Reason: "the coordinator is down"},
	})
	assert.Equal(t, Violated, res.Verdict)
	assert.Equal(t, Liveness, res.Kind)
	assert.Equal(t, []string{"t1", "t9"}, res.Offending)
	assert.Equal(t, "2 transactions blocked at the end of the run: t1 held prepared by n1, n3 since 1ms: the coordinator is down; "+
		"t9 held prepared by n2 since 2ms: n2 is cut off", res.Detail)
}

// Two participants vote yes, the coordinator commits, but n2 applies an
// abort: the check names the transaction and the disagreement.
func ExampleCheckAtomicity() {
	ms := int64(time.Millisecond)
	events := []TxnEvent{
		{Kind: TxnBegin, Time: 0, Node: "coord", Txn: "c1-1", Participants: []string{"n1", "n2"}},
		{Kind: TxnVote, Time: 2 * ms, Node: "n1", Txn: "c1-1", Commit: true},
		{Kind: TxnVote, Time: 3 * ms, Node: "n2", Txn: "c1-1", Commit: true},
		{Kind: TxnDecide, Time: 5 * ms, Node: "coord", Txn: "c1-1", Commit: true},
		{Kind: TxnApply, Time: 7 * ms, Node: "n1", Txn: "c1-1", Commit: true},
		{Kind: TxnApply, Time: 9 * ms, Node: "n2", Txn: "c1-1", Commit: false},
	}
	res, err := CheckAtomicity(events)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Verdict, res.Offending)
	fmt.Println(res.Detail)
	// Output:
	// violated [c1-1]
	// 1 transaction of 1 not atomic: c1-1: coord decided commit at 5ms but n2 applied abort at 9ms
}

// Transaction t1 moves x from a to b; t2, concurrent with it, sees the
// move half done. No order of the two explains that.
func ExampleCheckIsolation() {
	history := []Operation{
		{Client: 0, Call: 0, Return: 50,
			Input:  TxnInput{ID: "t1", Ops: []TxnOp{{Kind: TxnWrite, Key: "a", Value: ""}, {Kind: TxnWrite, Key: "b", Value: "x"}}},
			Output: TxnOutput{Committed: true, Reads: []string{}}},
		{Client: 1, Call: 10, Return: 40,
			Input:  TxnInput{ID: "t2", Ops: []TxnOp{{Kind: TxnRead, Key: "a"}, {Kind: TxnRead, Key: "b"}}},
			Output: TxnOutput{Committed: true, Reads: []string{"", ""}}},
		{Client: 2, Call: 0, Return: 5,
			Input:  TxnInput{ID: "t0", Ops: []TxnOp{{Kind: TxnWrite, Key: "a", Value: "x"}}},
			Output: TxnOutput{Committed: true, Reads: []string{}}},
	}
	res, err := CheckIsolation(history, 10*time.Second)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Verdict, res.Offending)
	fmt.Println(res.Detail)
	// Output:
	// violated [t2]
	// not strictly serializable: no order of the 3 transactions explains what t2 read
}

func TestTxnStrings(t *testing.T) {
	in := TxnInput{ID: "c1-3", Ops: []TxnOp{wr("k1", "c1-3"), rd("k2")}}
	assert.Equal(t, `c1-3: w(k1, "c1-3") r(k2)`, in.String())
	assert.Equal(t, `committed ["c1-3" ""]`, TxnOutput{Committed: true, Reads: []string{"c1-3", ""}}.String())
	assert.Equal(t, "aborted", TxnOutput{}.String())
	assert.Equal(t, "unknown", TxnOutput{Unknown: true}.String())
	assert.Equal(t, "write", TxnWrite.String())
	assert.Equal(t, "TxnOpKind(0)", TxnOpKind(0).String())
}
