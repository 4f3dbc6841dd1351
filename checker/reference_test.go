package checker

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refLinearizable is the slow, obvious definition of linearizability for
// the operations on one key: try every order that respects real time (an
// operation that returned before another was called comes first; an
// operation with an unknown outcome never returned, so it constrains
// nothing and may be left out) and see whether a sequential key-value store
// produces the recorded outputs. It shares no code with the models.
func refLinearizable(ops []Operation) bool {
	done := make([]bool, len(ops))
	mustPlace := 0
	for _, op := range ops {
		if op.Outcome == OK {
			mustPlace++
		}
	}
	var search func(state string, left int) bool
	search = func(state string, left int) bool {
		if left == 0 {
			return true
		}
		for i, op := range ops {
			if done[i] {
				continue
			}
			first := true
			for j, other := range ops {
				if !done[j] && j != i && other.Outcome == OK && other.Return < op.Call {
					first = false
				}
			}
			if !first {
				continue
			}
			in := op.Input.(KVInput)
			out, _ := op.Output.(KVOutput)
			unknown := op.Outcome == Unknown
			next := state
			legal := true
			switch in.Op {
			case KVGet:
				legal = unknown || out.Value == state
			case KVPut:
				next = in.Value
			case KVAppend:
				next = state + in.Value
			case KVCAS:
				swapped := state == in.Expected
				if swapped {
					next = in.Value
				}
				legal = unknown || out.OK == swapped
			}
			if !legal {
				continue
			}
			done[i] = true
			placed := 0
			if op.Outcome == OK {
				placed = 1
			}
			if search(next, left-placed) {
				return true
			}
			done[i] = false
		}
		return false
	}
	return search("", mustPlace)
}

// genSmall generates a small random KV history over keys a and b, with
// outputs drawn at random: some are linearizable, many are not.
func genSmall(r *rand.Rand) []Operation {
	values := []string{"", "1", "2", "12", "21"}
	n := 1 + r.IntN(8)
	ops := make([]Operation, n)
	for i := range ops {
		call := r.Int64N(30)
		op := Operation{Client: i, Call: call, Return: call + r.Int64N(15)}
		key := []string{"a", "b"}[r.IntN(2)]
		switch r.IntN(4) {
		case 0:
			op.Input = KVInput{Op: KVGet, Key: key}
			op.Output = KVOutput{Value: values[r.IntN(len(values))]}
		case 1:
			op.Input = KVInput{Op: KVPut, Key: key, Value: values[1+r.IntN(2)]}
		case 2:
			op.Input = KVInput{Op: KVAppend, Key: key, Value: values[1+r.IntN(2)]}
		case 3:
			op.Input = KVInput{Op: KVCAS, Key: key, Expected: values[r.IntN(3)], Value: values[1+r.IntN(2)]}
			op.Output = KVOutput{OK: r.IntN(2) == 0}
		}
		if r.IntN(6) == 0 {
			op.Outcome = Unknown
			op.Output = nil
		}
		ops[i] = op
	}
	return ops
}

// TestAgainstReference checks porcupine, through CheckLinearizable and the
// KV model, against refLinearizable on thousands of small random
// histories, key by key.
func TestAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(2024, 11))
	counts := map[Verdict]int{}
	for i := range 3000 {
		ops := genSmall(r)
		// The check stops at the first violated key, smallest first (then
		// by name), and names that one.
		var wantOffending []string
		bad := map[string]bool{}
		smallest := -1
		for _, key := range []string{"a", "b"} {
			var sub []Operation
			for _, op := range ops {
				if op.Input.(KVInput).Key == key {
					sub = append(sub, op)
				}
			}
			if len(sub) > 0 && !refLinearizable(sub) {
				bad[key] = true
				if smallest < 0 || len(sub) < smallest {
					wantOffending, smallest = []string{key}, len(sub)
				}
			}
		}
		want := Holds
		if len(wantOffending) > 0 {
			want = Violated
		}
		res, err := CheckLinearizable(KVModel(), ops, 0)
		require.NoError(t, err)
		require.Equal(t, want, res.Verdict, "history %d: %+v\n%s", i, ops, res.Detail)
		require.Equal(t, wantOffending, res.Offending, "history %d: %+v", i, ops)
		for _, p := range res.Partitions {
			if p.Verdict != Inconclusive {
				require.Equal(t, bad[p.Key], p.Verdict == Violated, "history %d: key %s", i, p.Key)
			}
		}
		counts[res.Verdict]++
	}
	// Both verdicts must be common, or this test proves little.
	assert.Greater(t, counts[Holds], 500, "%v", counts)
	assert.Greater(t, counts[Violated], 500, "%v", counts)
	t.Log(counts)
}

func TestReferenceItself(t *testing.T) {
	assert.True(t, refLinearizable([]Operation{kvPut(0, 0, 10, "a", "1"), kvGet(1, 20, 30, "a", "1")}))
	assert.False(t, refLinearizable([]Operation{kvPut(0, 0, 10, "a", "1"), kvGet(1, 20, 30, "a", "")}))
	assert.True(t, refLinearizable([]Operation{kvPut(0, 0, 10, "a", "1"), kvGet(1, 5, 30, "a", "")}))
	assert.True(t, refLinearizable([]Operation{lost(kvPut(0, 0, 10, "a", "1"), 10), kvGet(1, 20, 30, "a", "")}))
	assert.True(t, refLinearizable([]Operation{lost(kvPut(0, 0, 10, "a", "1"), 10), kvGet(1, 20, 30, "a", "1")}))
	assert.False(t, refLinearizable([]Operation{kvGet(1, 20, 30, "a", "1"), lost(kvPut(0, 40, 50, "a", "1"), 50)}))
}
