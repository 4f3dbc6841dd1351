package checker

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRegisterHistories(t *testing.T) {
	tests := []struct {
		name string
		ops  []Operation
		want Verdict
	}{
		{"empty history: nothing to check, not a pass", nil, Inconclusive},
		{"read of the initial value", []Operation{rRead(0, 0, 10, "")}, Holds},
		{"write then read", []Operation{rWrite(0, 0, 10, "1"), rRead(1, 20, 30, "1")}, Holds},
		{"read concurrent with a write sees the old value",
			[]Operation{rWrite(0, 0, 100, "1"), rRead(1, 10, 20, "")}, Holds},
		{"read concurrent with a write sees the new value",
			[]Operation{rWrite(0, 0, 100, "1"), rRead(1, 10, 20, "1")}, Holds},
		{"intervals touching at one instant are concurrent",
			[]Operation{rWrite(0, 0, 10, "1"), rRead(1, 10, 20, "")}, Holds},
		{"stale read after a completed write",
			[]Operation{rWrite(0, 0, 10, "1"), rWrite(0, 20, 30, "2"), rRead(1, 40, 50, "1")}, Violated},
		{"lost write: a later read sees the initial value",
			[]Operation{rWrite(0, 0, 10, "1"), rRead(1, 20, 30, "")}, Violated},
		{"read of a value never written",
			[]Operation{rWrite(0, 0, 10, "1"), rRead(1, 20, 30, "x")}, Violated},
		{"overlapping writes linearizable only as 2 then 1",
			[]Operation{rWrite(0, 0, 10, "1"), rWrite(1, 5, 15, "2"), rRead(2, 20, 30, "1")}, Holds},
		{"overlapping writes: the value cannot flip back",
			[]Operation{rWrite(0, 0, 10, "1"), rWrite(1, 5, 15, "2"),
				rRead(2, 20, 30, "1"), rRead(2, 40, 50, "2")}, Violated},
		{"reads order the concurrent writes one way, then the other",
			[]Operation{rWrite(0, 0, 100, "1"), rWrite(1, 0, 100, "2"),
				rRead(2, 10, 20, "1"), rRead(2, 30, 40, "2"), rRead(2, 50, 60, "1")}, Violated},
		{"cas succeeds on the expected value",
			[]Operation{rWrite(0, 0, 10, "a"), rCAS(1, 20, 30, "a", "b", true), rRead(0, 40, 50, "b")}, Holds},
		{"cas fails on another value",
			[]Operation{rWrite(0, 0, 10, "a"), rCAS(1, 20, 30, "z", "b", false), rRead(0, 40, 50, "a")}, Holds},
		{"cas anomaly: two sequential cas from the same value both succeed",
			[]Operation{rCAS(0, 0, 10, "", "1", true), rCAS(1, 20, 30, "", "2", true)}, Violated},
		{"cas anomaly: concurrent cas from the same value both succeed",
			[]Operation{rCAS(0, 0, 30, "", "1", true), rCAS(1, 0, 30, "", "2", true)}, Violated},
		{"concurrent cas from the same value: one wins",
			[]Operation{rCAS(0, 0, 30, "", "1", true), rCAS(1, 0, 30, "", "2", false), rRead(2, 40, 50, "1")}, Holds},
		{"cas anomaly: reports failure though the value matched",
			[]Operation{rWrite(0, 0, 10, "a"), rCAS(1, 20, 30, "a", "b", false)}, Violated},
		{"cas anomaly: swapped but the swap is not visible",
			[]Operation{rCAS(0, 0, 10, "", "b", true), rRead(1, 20, 30, "")}, Violated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := CheckLinearizable(RegisterModel(), tt.ops, 0)
			require.NoError(t, err)
			assert.Equal(t, tt.want, res.Verdict, res.Detail)
			assert.Equal(t, LinearizabilityCheck, res.Check)
			assert.Equal(t, Safety, res.Kind)
			assert.Equal(t, "register", res.Model)
			assert.False(t, res.TimedOut)
			if tt.want == Violated {
				require.Len(t, res.Offending, 1, "the operation no order can place")
				assert.Regexp(t, `^operation \d+ \(client \d+: `, res.Offending[0])
				assert.Contains(t, res.Detail, "the first operation no order can place is "+res.Offending[0])
			} else {
				assert.Empty(t, res.Offending)
			}
		})
	}
}

// TestUnplacedOperation checks which operation a violation names: the one
// whose return leaves the history so far with no valid order, whatever
// comes after it.
func TestUnplacedOperation(t *testing.T) {
	tests := []struct {
		name string
		ops  []Operation
		want string
	}{
		{"the stale read", []Operation{rWrite(0, 0, 10, "1"), rRead(1, 20, 30, ""), rRead(1, 40, 50, "1")},
			`operation 1 (client 1: read() -> "", called at 20ns, returned at 30ns)`},
		{"the read that flips back, not the ones before it", []Operation{rWrite(0, 0, 100, "1"), rWrite(1, 0, 100, "2"),
			rRead(2, 10, 20, "1"), rRead(2, 30, 40, "2"), rRead(2, 50, 60, "1"), rRead(2, 70, 80, "2")},
			`operation 4 (client 2: read() -> "1", called at 50ns, returned at 60ns)`},
		{"a pending write explains a read, a later read cannot be placed", []Operation{rWrite(0, 0, 100, "1"),
			rRead(1, 10, 20, "1"), rRead(1, 30, 40, "")}, `operation 2 (client 1: read() -> "", called at 30ns, returned at 40ns)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := CheckLinearizable(RegisterModel(), tt.ops, 0)
			require.NoError(t, err)
			require.Equal(t, Violated, res.Verdict)
			assert.Equal(t, []string{tt.want}, res.Offending)
		})
	}
}

func TestKVHistories(t *testing.T) {
	tests := []struct {
		name      string
		ops       []Operation
		want      Verdict
		offending []string
	}{
		{"gets see puts on their own key only",
			[]Operation{kvPut(0, 0, 10, "a", "1"), kvPut(1, 0, 10, "b", "2"),
				kvGet(2, 20, 30, "a", "1"), kvGet(2, 40, 50, "b", "2"), kvGet(0, 40, 50, "c", "")}, Holds, nil},
		{"missing key reads as empty", []Operation{kvGet(0, 0, 10, "a", "")}, Holds, nil},
		{"appends in order", []Operation{kvAppend(0, 0, 10, "a", "x"), kvAppend(1, 20, 30, "a", "y"),
			kvGet(2, 40, 50, "a", "xy")}, Holds, nil},
		{"appends out of order", []Operation{kvAppend(0, 0, 10, "a", "x"), kvAppend(1, 20, 30, "a", "y"),
			kvGet(2, 40, 50, "a", "yx")}, Violated, []string{"a"}},
		{"concurrent appends in either order", []Operation{kvAppend(0, 0, 30, "a", "x"), kvAppend(1, 0, 30, "a", "y"),
			kvGet(2, 40, 50, "a", "yx")}, Holds, nil},
		{"an append lost", []Operation{kvAppend(0, 0, 10, "a", "x"), kvAppend(1, 20, 30, "a", "y"),
			kvGet(2, 40, 50, "a", "y")}, Violated, []string{"a"}},
		{"append after put", []Operation{kvPut(0, 0, 10, "a", "p"), kvAppend(0, 20, 30, "a", "q"),
			kvGet(1, 40, 50, "a", "pq")}, Holds, nil},
		{"stale read after a completed put", []Operation{kvPut(0, 0, 10, "a", "1"), kvPut(0, 20, 30, "a", "2"),
			kvGet(1, 40, 50, "a", "1")}, Violated, []string{"a"}},
		{"lost put", []Operation{kvPut(0, 0, 10, "a", "1"), kvGet(1, 20, 30, "a", "")}, Violated, []string{"a"}},
		{"value never written", []Operation{kvGet(1, 20, 30, "a", "ghost")}, Violated, []string{"a"}},
		{"a put on another key is not a put on this one",
			[]Operation{kvPut(0, 0, 10, "b", "1"), kvGet(1, 20, 30, "a", "1")}, Violated, []string{"a"}},
		{"cas chain", []Operation{kvCAS(0, 0, 10, "a", "", "1", true), kvCAS(1, 20, 30, "a", "1", "2", true),
			kvCAS(0, 40, 50, "a", "1", "3", false), kvGet(1, 60, 70, "a", "2")}, Holds, nil},
		{"cas anomaly: both sequential cas from empty succeed",
			[]Operation{kvCAS(0, 0, 10, "a", "", "1", true), kvCAS(1, 20, 30, "a", "", "2", true)}, Violated, []string{"a"}},
		{"cas anomaly: fails on a matching value",
			[]Operation{kvPut(0, 0, 10, "a", "1"), kvCAS(1, 20, 30, "a", "1", "2", false)}, Violated, []string{"a"}},
		{"only key b violated",
			[]Operation{
				kvPut(0, 0, 10, "a", "1"), kvGet(1, 20, 30, "a", "1"),
				kvPut(0, 40, 50, "b", "1"), kvPut(0, 60, 70, "b", "2"), kvGet(1, 80, 90, "b", "1"),
				kvAppend(2, 0, 100, "a", "z"), kvGet(2, 110, 120, "a", "1z"),
			}, Violated, []string{"b"}},
		{"keys b and c violated, a holds",
			[]Operation{
				kvPut(0, 0, 10, "c", "1"), kvGet(1, 20, 30, "c", "2"),
				kvPut(0, 0, 10, "a", "1"), kvGet(1, 20, 30, "a", "1"),
				kvPut(0, 0, 10, "b", "1"), kvGet(1, 20, 30, "b", ""),
			}, Violated, []string{"b"}}, // the check stops at the first violated key: b, the first of the smallest
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := CheckLinearizable(KVModel(), tt.ops, 0)
			require.NoError(t, err)
			assert.Equal(t, tt.want, res.Verdict, res.Detail)
			assert.Equal(t, tt.offending, res.Offending)
			assert.Equal(t, "kv", res.Model)
			for _, p := range res.Partitions {
				switch {
				case slices.Contains(tt.offending, p.Key):
					assert.Equal(t, Violated, p.Verdict, "key %q", p.Key)
				case tt.want == Holds:
					assert.Equal(t, Holds, p.Verdict, "key %q", p.Key)
				default: // checked before the violation was found, or not reached
					assert.NotEqual(t, Violated, p.Verdict, "key %q", p.Key)
				}
			}
		})
	}
}

func TestOnlyKeyBViolatedIsNamed(t *testing.T) {
	ops := []Operation{
		kvPut(0, 0, 10, "a", "1"), kvGet(1, 20, 30, "a", "1"),
		kvPut(0, 0, 10, "b", "1"), kvPut(0, 20, 30, "b", "2"), kvGet(1, 40, 50, "b", "1"),
	}
	res, err := CheckLinearizable(KVModel(), ops, time.Minute)
	require.NoError(t, err)
	assert.Equal(t, Violated, res.Verdict)
	assert.Equal(t, []string{"b"}, res.Offending)
	assert.Equal(t, []PartitionResult{
		{Key: "a", Ops: 2, Verdict: Holds},
		{Key: "b", Ops: 3, Verdict: Violated},
	}, res.Partitions)
	assert.Contains(t, res.Detail, `key "b" (1 of 2 keys)`)
	assert.NotContains(t, res.Detail, `"a"`)
	assert.Equal(t, time.Minute, res.Budget)
}

func TestUnknownOutcomes(t *testing.T) {
	tests := []struct {
		name string
		ops  []Operation
		want Verdict
	}{
		{"read of a value nobody wrote",
			[]Operation{rRead(1, 10, 20, "1")}, Violated},
		{"a timed-out write that the read observed",
			[]Operation{lost(rWrite(0, 0, 5, "1"), 5), rRead(1, 10, 20, "1")}, Holds},
		{"a timed-out write may also never take effect",
			[]Operation{lost(rWrite(0, 0, 5, "1"), 5), rRead(1, 10, 20, ""), rRead(1, 30, 40, "")}, Holds},
		{"a timed-out write may take effect after the client gave up",
			[]Operation{lost(rWrite(0, 0, 5, "1"), 5), rRead(1, 10, 20, ""), rRead(1, 30, 40, "1")}, Holds},
		{"a timed-out write called after the read cannot explain it",
			[]Operation{rRead(1, 10, 20, "1"), lost(rWrite(0, 30, 40, "1"), 40)}, Violated},
		{"a timed-out write cannot be undone once observed",
			[]Operation{lost(rWrite(0, 0, 5, "1"), 5), rRead(1, 10, 20, "1"), rRead(1, 30, 40, "")}, Violated},
		{"a timed-out read says nothing",
			[]Operation{rWrite(0, 0, 10, "1"), lost(rRead(1, 20, 30, "zzz"), 30)}, Holds},
		{"a timed-out cas that took effect",
			[]Operation{rWrite(0, 0, 10, "a"), lost(rCAS(1, 20, 30, "a", "b", false), 30), rRead(0, 40, 50, "b")}, Holds},
		{"a timed-out cas that did not",
			[]Operation{rWrite(0, 0, 10, "a"), lost(rCAS(1, 20, 30, "a", "b", false), 30), rRead(0, 40, 50, "a")}, Holds},
		{"a timed-out cas cannot swap from the wrong value",
			[]Operation{rWrite(0, 0, 10, "a"), lost(rCAS(1, 20, 30, "z", "b", false), 30), rRead(0, 40, 50, "b")}, Violated},
		{"a stale read is not saved by an unrelated timed-out write",
			[]Operation{rWrite(0, 0, 10, "1"), rWrite(0, 20, 30, "2"), lost(rWrite(2, 25, 26, "3"), 26),
				rRead(1, 40, 50, "1")}, Violated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := CheckLinearizable(RegisterModel(), tt.ops, 0)
			require.NoError(t, err)
			assert.Equal(t, tt.want, res.Verdict, res.Detail)
		})
	}
}

func TestUnknownOutcomeKV(t *testing.T) {
	lostAppend := lost(kvAppend(0, 0, 10, "a", "x"), 10)
	saved := []Operation{kvAppend(1, 0, 5, "a", "w"), lostAppend, kvGet(2, 20, 30, "a", "wx")}
	res, err := CheckLinearizable(KVModel(), saved, 0)
	require.NoError(t, err)
	assert.Equal(t, Holds, res.Verdict, res.Detail)
	assert.Contains(t, res.Detail, "1 of them with unknown outcome")

	// Without the timed-out append nothing explains "wx".
	res, err = CheckLinearizable(KVModel(), []Operation{saved[0], saved[2]}, 0)
	require.NoError(t, err)
	assert.Equal(t, Violated, res.Verdict)
}

func TestRandomHistoriesAreLinearizable(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 0x5eed))
		ops := genKV(r, 500, 1+int(seed%5), 1+int(seed%7), 0.05)
		res, err := CheckLinearizable(KVModel(), ops, time.Minute)
		require.NoError(t, err)
		require.Equal(t, Holds, res.Verdict, "seed %d: %s", seed, res.Detail)
	}
	r := rand.New(rand.NewPCG(42, 42))
	ops := genKV(r, 5000, 5, 10, 0.02)
	res, err := CheckLinearizable(KVModel(), ops, time.Minute)
	require.NoError(t, err)
	assert.Equal(t, Holds, res.Verdict, res.Detail)
	assert.Len(t, res.Partitions, 10)
	assert.Contains(t, res.Detail, "linearizable: 5000 operations on 10 keys")
}

func TestRandomHistoryWithStaleReadIsCaught(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	ops := genKV(r, 2000, 4, 10, 0)
	// Append a put and, strictly after it, a get returning the old value.
	last := int64(0)
	for _, op := range ops {
		last = max(last, op.Return)
	}
	ops = append(ops,
		kvPut(0, last+10, last+20, "k3", "fresh"),
		kvGet(1, last+30, last+40, "k3", "stale"))
	res, err := CheckLinearizable(KVModel(), ops, time.Minute)
	require.NoError(t, err)
	assert.Equal(t, Violated, res.Verdict)
	assert.Equal(t, []string{"k3"}, res.Offending)
}

// hardHistory is n writes all concurrent with each other, then a read of a
// value none of them wrote: porcupine must try every order of the writes
// (n·2^(n-1) states) before it can say no, which for n = 24 takes hours.
func hardHistory(n int) []Operation {
	var ops []Operation
	for i := range n {
		ops = append(ops, rWrite(i, 0, 100, fmt.Sprint(i)))
	}
	return append(ops, rRead(n, 200, 300, "never"))
}

func TestBudgetExceededIsInconclusive(t *testing.T) {
	res, err := CheckLinearizable(RegisterModel(), hardHistory(24), time.Nanosecond)
	require.NoError(t, err)
	assert.Equal(t, Inconclusive, res.Verdict, res.Detail)
	assert.False(t, res.Verdict.Passed())
	assert.True(t, res.TimedOut)
	assert.Equal(t, time.Nanosecond, res.Budget)
	assert.Contains(t, res.Detail, "the 1ns budget ran out")
	assert.Contains(t, res.Detail, "not a pass")
	assert.Equal(t, []PartitionResult{{Key: "", Ops: 25, Verdict: Inconclusive}}, res.Partitions)
}

func TestBudgetPerPartition(t *testing.T) {
	// Key a is fine, b is violated, c is fine; the budget "runs out" on a
	// (deterministically, through the test hook).
	ops := []Operation{
		kvPut(0, 0, 10, "a", "1"), kvGet(1, 20, 30, "a", "1"),
		kvPut(0, 0, 10, "b", "1"), kvGet(1, 20, 30, "b", ""),
		kvPut(0, 0, 10, "c", "1"), kvGet(1, 20, 30, "c", "1"),
	}
	stopA := func(p int) bool { return p == 0 } // partitions are in key order
	res, err := checkLinearizable(KVModel(), ops, Limits{Time: time.Second}, stopA)
	require.NoError(t, err)
	assert.Equal(t, Violated, res.Verdict, "a violation found stands even if another key timed out")
	assert.Equal(t, []string{"b"}, res.Offending, "an unfinished key is never blamed")
	assert.True(t, res.TimedOut)
	assert.Equal(t, []PartitionResult{
		{Key: "a", Ops: 2, Verdict: Inconclusive},
		{Key: "b", Ops: 2, Verdict: Violated},
		{Key: "c", Ops: 2, Verdict: Inconclusive}, // not reached: the check stops at the first violation
	}, res.Partitions)
	assert.Contains(t, res.Detail, `the 1s budget ran out before porcupine finished key "a"`)

	// Without the violation on b, the same timeout makes it inconclusive.
	ops[3] = kvGet(1, 20, 30, "b", "1")
	res, err = checkLinearizable(KVModel(), ops, Limits{Time: time.Second}, stopA)
	require.NoError(t, err)
	assert.Equal(t, Inconclusive, res.Verdict)
	assert.Empty(t, res.Offending)
	assert.Contains(t, res.Detail, `key "a" (1 of 3 keys)`)

	// And with every key cut short nothing is decided.
	res, err = checkLinearizable(KVModel(), ops, Limits{Time: time.Second}, func(int) bool { return true })
	require.NoError(t, err)
	assert.Equal(t, Inconclusive, res.Verdict)
	for _, p := range res.Partitions {
		assert.Equal(t, Inconclusive, p.Verdict, p.Key)
	}
}

func TestCheckIsDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	ops := genKV(r, 300, 3, 4, 0.05)
	ops = append(ops, kvGet(0, 1_000_000, 1_000_001, "k1", "nope"))
	// Three concurrent puts, then three concurrent gets that each see a
	// different one: porcupine finds several partial linearizations of the
	// same length, which it collects through a map.
	for i, v := range []string{"x", "y", "z"} {
		ops = append(ops, kvPut(i, 0, 100, "k9", v), kvGet(i, 110, 120, "k9", v))
	}
	var first []byte
	for range 10 {
		res, err := CheckLinearizable(KVModel(), ops, 0)
		require.NoError(t, err)
		require.Equal(t, Violated, res.Verdict)
		var buf bytes.Buffer
		require.NoError(t, res.WriteVisualization(&buf))
		require.NoError(t, res.WriteVisualization(&buf), "a second call works too")
		if first == nil {
			first = buf.Bytes()
			continue
		}
		require.True(t, bytes.Equal(first, buf.Bytes()), "visualization differs between runs")
	}
}

func TestWriteVisualization(t *testing.T) {
	ops := []Operation{kvPut(0, 0, 10, "b", "1"), kvGet(1, 20, 30, "b", ""), lost(kvPut(2, 5, 6, "a", "x"), 6)}
	res, err := CheckLinearizable(KVModel(), ops, 0)
	require.NoError(t, err)
	var buf bytes.Buffer
	require.NoError(t, res.WriteVisualization(&buf))
	html := buf.String()
	assert.True(t, strings.HasPrefix(strings.TrimSpace(html), "<!DOCTYPE html>") || strings.Contains(html, "<html"), "not HTML")
	for _, want := range []string{`get(\"b\") -\u003e \"\"`, `put(\"a\", \"x\")`, "operation 1 of the history"} {
		assert.Contains(t, html, want)
	}

	assert.ErrorIs(t, LinResult{}.WriteVisualization(&buf), ErrNoVisualization)
}

func TestValidation(t *testing.T) {
	tests := []struct {
		name  string
		model Model
		ops   []Operation
		want  string
	}{
		{"negative client", RegisterModel(), []Operation{rWrite(-1, 0, 1, "x")}, "operation 0: client: -1 is negative"},
		{"return before call", RegisterModel(), []Operation{rWrite(0, 0, 1, "x"), rRead(0, 10, 5, "x")},
			"operation 1: return: 5 is before call 10"},
		{"negative call", KVModel(), []Operation{kvGet(0, -5, 1, "a", "")}, "operation 0: call: -5 is negative"},
		{"kv input to the register", RegisterModel(), []Operation{kvGet(0, 0, 1, "a", "")},
			"operation 0: input: want checker.RegisterInput, got checker.KVInput"},
		{"register output in kv", KVModel(), []Operation{{Input: KVInput{Op: KVGet, Key: "a"}, Output: RegisterOutput{}}},
			"operation 0: output: want checker.KVOutput, got checker.RegisterOutput"},
		{"get without output", KVModel(), []Operation{{Input: KVInput{Op: KVGet, Key: "a"}}},
			"operation 0: output: want checker.KVOutput, got <nil>"},
		{"zero op", KVModel(), []Operation{{Input: KVInput{Key: "a"}, Output: KVOutput{}}},
			"operation 0: input.op: invalid kv operation 0"},
		{"value on a get", KVModel(), []Operation{{Input: KVInput{Op: KVGet, Key: "a", Value: "1"}, Output: KVOutput{}}},
			"operation 0: input.value: not used by get"},
		{"expected on a put", KVModel(), []Operation{{Input: KVInput{Op: KVPut, Key: "a", Expected: "1"}}},
			"operation 0: input.expected: not used by put"},
		{"missing input", KVModel(), []Operation{{}}, "operation 0: input: missing"},
		{"bad outcome", KVModel(), []Operation{{Input: KVInput{Op: KVPut}, Outcome: 7}}, "operation 0: outcome: invalid value 7"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CheckLinearizable(tt.model, tt.ops, 0)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrBadHistory)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	// Puts, appends and writes may omit their output.
	_, err := CheckLinearizable(KVModel(), []Operation{{Input: KVInput{Op: KVAppend, Key: "a", Value: "x"}}}, 0)
	assert.NoError(t, err)
	_, err = CheckLinearizable(RegisterModel(), []Operation{{Input: RegisterInput{Op: RegisterWrite, Value: "x"}}}, 0)
	assert.NoError(t, err)
}

func TestModelByName(t *testing.T) {
	for _, name := range []string{"register", "kv"} {
		m, err := ModelByName(name)
		require.NoError(t, err)
		assert.Equal(t, name, m.Name)
	}
	_, err := ModelByName("queue")
	assert.ErrorIs(t, err, ErrUnknownModel)
	assert.EqualError(t, err, `checker: unknown model "queue" (want register or kv)`)
}

func TestModelSpec(t *testing.T) {
	kv := KVModel().Spec
	assert.True(t, kv.Equal("ab", "a"+"b"))
	assert.False(t, kv.Equal("a", "b"))
	assert.Equal(t, kv.Hash("ab"), kv.Hash("a"+"b"))
	assert.NotEqual(t, kv.Hash("a"), kv.Hash("b"))
	ok, next := kv.Step("x", KVInput{Op: KVAppend, Key: "k", Value: "y"}, KVOutput{})
	assert.True(t, ok)
	assert.Equal(t, "xy", next)
	ok, _ = kv.Step("x", KVInput{Op: KVGet, Key: "k"}, KVOutput{Unknown: true})
	assert.True(t, ok, "an unknown output is accepted from any state")
	assert.Equal(t, `cas("k", "1", "2") -> swapped`, kv.DescribeOperation(KVInput{Op: KVCAS, Key: "k", Expected: "1", Value: "2"}, KVOutput{OK: true}))
	assert.Equal(t, `get("k") -> ?`, kv.DescribeOperation(KVInput{Op: KVGet, Key: "k"}, KVOutput{Unknown: true}))
	assert.Equal(t, `"xy"`, kv.DescribeState("xy"))
	reg := RegisterModel().Spec
	assert.Equal(t, `read() -> "1"`, reg.DescribeOperation(RegisterInput{Op: RegisterRead}, RegisterOutput{Value: "1"}))
	assert.Equal(t, `cas("1", "2") -> failed`, reg.DescribeOperation(RegisterInput{Op: RegisterCAS, Expected: "1", Value: "2"}, RegisterOutput{}))
}

func BenchmarkCheckKV(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	ops := genKV(r, 1000, 3, 10, 0.01)
	model := KVModel()
	b.ReportAllocs()
	for b.Loop() {
		res, err := CheckLinearizable(model, ops, 0)
		if err != nil || res.Verdict != Holds {
			b.Fatalf("%v %v", err, res.Detail)
		}
	}
}

func TestFailedOperationsDidNotTakeEffect(t *testing.T) {
	failed := rWrite(0, 0, 10, "1")
	failed.Outcome = Fail
	res, err := CheckLinearizable(RegisterModel(), []Operation{failed, rRead(1, 20, 30, "")}, 0)
	require.NoError(t, err)
	assert.Equal(t, Holds, res.Verdict, res.Detail)
	assert.Contains(t, res.Detail, "1 operations; 1 failed operations left out")
	res, err = CheckLinearizable(RegisterModel(), []Operation{failed, rRead(1, 20, 30, "1")}, 0)
	require.NoError(t, err)
	assert.Equal(t, Violated, res.Verdict, "a failed write cannot explain the read")

	var buf bytes.Buffer
	require.NoError(t, WriteHistory(&buf, "register", []Operation{failed}))
	assert.Contains(t, buf.String(), `"outcome":"fail"`)
	back, _, err := ReadHistory(&buf)
	require.NoError(t, err)
	assert.Equal(t, []Operation{failed}, back)
}

func TestMemoryLimitIsInconclusive(t *testing.T) {
	res, err := CheckLinearizableWithin(RegisterModel(), hardHistory(24), Limits{Time: time.Minute, Memory: 1})
	require.NoError(t, err)
	assert.Equal(t, Inconclusive, res.Verdict, res.Detail)
	assert.Equal(t, LimitMemory, res.Limit)
	assert.False(t, res.TimedOut)
	assert.Contains(t, res.Detail, "the 1 bytes memory limit was reached before porcupine decided the 25 operations")
}

// TestFastModeStopsAtTheFirstViolation puts a cheap violation on key "a"
// beside a key whose check would take hours: porcupine's fast mode finds the
// violation and stops, instead of exploring the expensive key (which made a
// real 50-client history run for 21 minutes and 23 GB).
func TestFastModeStopsAtTheFirstViolation(t *testing.T) {
	var ops []Operation
	for i := range 24 {
		ops = append(ops, kvPut(i, 0, 100, "bomb", fmt.Sprint(i)))
	}
	ops = append(ops, kvGet(24, 200, 300, "bomb", "never"))
	ops = append(ops, kvPut(0, 1000, 1010, "a", "1"), kvGet(1, 1020, 1030, "a", ""))
	res, err := CheckLinearizable(KVModel(), ops, 30*time.Second)
	require.NoError(t, err)
	assert.Equal(t, Violated, res.Verdict, res.Detail)
	assert.Equal(t, []string{"a"}, res.Offending)
	assert.False(t, res.TimedOut, "decided long before the budget")
	assert.Equal(t, []PartitionResult{
		{Key: "a", Ops: 2, Verdict: Violated},
		{Key: "bomb", Ops: 25, Verdict: Inconclusive},
	}, res.Partitions)
	assert.Contains(t, res.Detail, "the check stops at the first key found not linearizable")
}

func TestAHistoryWithNothingToCheckIsVacuous(t *testing.T) {
	failed := rWrite(0, 0, 10, "1")
	failed.Outcome = Fail
	for _, tc := range []struct {
		ops  []Operation
		want string
	}{
		{nil, "nothing to check: the history has no operations (model register)"},
		{[]Operation{failed}, "nothing to check: every one of the history's 1 operations failed (model register)"},
	} {
		res, err := CheckLinearizable(RegisterModel(), tc.ops, 0)
		require.NoError(t, err)
		assert.Equal(t, Inconclusive, res.Verdict)
		assert.True(t, res.Vacuous)
		assert.Equal(t, tc.want, res.Detail)
	}
}
