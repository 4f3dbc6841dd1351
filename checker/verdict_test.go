package checker

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVerdict(t *testing.T) {
	tests := []struct {
		v      Verdict
		text   string
		passed bool
	}{
		{Holds, "holds", true},
		{Violated, "violated", false},
		{Inconclusive, "inconclusive", false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			assert.Equal(t, tt.text, tt.v.String())
			assert.Equal(t, tt.passed, tt.v.Passed())
			b, err := tt.v.MarshalText()
			require.NoError(t, err)
			assert.Equal(t, tt.text, string(b))
			var back Verdict
			require.NoError(t, back.UnmarshalText(b))
			assert.Equal(t, tt.v, back)
		})
	}
	var zero Verdict
	assert.Equal(t, Inconclusive, zero, "a Result nobody filled in must not pass")
	assert.False(t, Result{}.Verdict.Passed())

	_, err := Verdict(9).MarshalText()
	assert.ErrorContains(t, err, "invalid verdict 9")
	assert.Equal(t, "Verdict(9)", Verdict(9).String())
	var v Verdict
	assert.ErrorContains(t, v.UnmarshalText([]byte("passed")), `unknown verdict "passed"`)
}

func TestKindAndOutcomeText(t *testing.T) {
	for _, k := range []Kind{Safety, Liveness} {
		b, err := k.MarshalText()
		require.NoError(t, err)
		var back Kind
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, k, back)
	}
	assert.Equal(t, "liveness", Liveness.String())
	_, err := Kind(5).MarshalText()
	assert.Error(t, err)
	var k Kind
	assert.Error(t, k.UnmarshalText([]byte("speed")))

	for _, o := range []Outcome{OK, Unknown} {
		b, err := o.MarshalText()
		require.NoError(t, err)
		var back Outcome
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, o, back)
	}
	assert.Equal(t, "unknown", Unknown.String())
	for _, op := range []KVOp{KVGet, KVPut, KVAppend, KVCAS} {
		b, err := op.MarshalText()
		require.NoError(t, err)
		var back KVOp
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, op, back)
	}
	for _, op := range []RegisterOp{RegisterRead, RegisterWrite, RegisterCAS} {
		b, err := op.MarshalText()
		require.NoError(t, err)
		var back RegisterOp
		require.NoError(t, back.UnmarshalText(b))
		assert.Equal(t, op, back)
	}
	_, err = KVOp(0).MarshalText()
	assert.Error(t, err, "the zero operation is invalid")
}

func TestResultJSON(t *testing.T) {
	r := Result{
		Check:     "linearizability",
		Verdict:   Violated,
		Kind:      Safety,
		Detail:    "lost write",
		Offending: []string{"b"},
		Budget:    5 * time.Second,
	}
	b, err := json.Marshal(r)
	require.NoError(t, err)
	assert.JSONEq(t, `{"check":"linearizability","verdict":"violated","kind":"safety","detail":"lost write",
		"offending":["b"],"budget_ns":5000000000}`, string(b))
	var back Result
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, r, back)
	assert.Equal(t, "linearizability (safety): violated: lost write", r.String())

	liveness, err := json.Marshal(Result{Check: "2pc-termination", Verdict: Inconclusive, Kind: Liveness, Detail: "x"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"check":"2pc-termination","verdict":"inconclusive","kind":"liveness","detail":"x"}`, string(liveness))
}

func TestLinResultJSON(t *testing.T) {
	ops := []Operation{kvPut(0, 0, 10, "a", "1"), kvGet(1, 20, 30, "a", "2")}
	res, err := CheckLinearizable(KVModel(), ops, time.Second)
	require.NoError(t, err)
	b, err := json.Marshal(res)
	require.NoError(t, err)
	assert.JSONEq(t, `{"check":"linearizability","verdict":"violated","kind":"safety",
		"detail":"not linearizable: no valid order exists for the operations on key \"a\" (1 of 1 key) (model kv); the first operation no order can place is operation 1 (client 1: get(\"a\") -> \"2\", called at 20ns, returned at 30ns)",
		"offending":["a"],"budget_ns":1000000000,"model":"kv",
		"partitions":[{"key":"a","ops":2,"verdict":"violated"}]}`, string(b))
}
