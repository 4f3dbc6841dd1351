package kv_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/kv"
)

func put(client int, key, value string, call, ret int64) checker.Operation {
	return checker.Operation{Client: client, Input: checker.KVInput{Op: checker.KVPut, Key: key, Value: value},
		Output: checker.KVOutput{}, Call: call, Return: ret}
}

func get(client int, key, value string, call, ret int64) checker.Operation {
	return checker.Operation{Client: client, Input: checker.KVInput{Op: checker.KVGet, Key: key},
		Output: checker.KVOutput{Value: value}, Call: call, Return: ret}
}

func TestCheckLinearizablePolicy(t *testing.T) {
	tests := []struct {
		name    string
		hist    []checker.Operation
		verdict checker.Verdict
		vis     bool
		detail  string
	}{
		{"holds", []checker.Operation{put(0, "k", "a;", 0, 10), get(1, "k", "a;", 20, 30)}, checker.Holds, false, "linearizable"},
		{"violated: a stale read", []checker.Operation{put(0, "k", "a;", 0, 10), get(1, "k", "", 20, 30)}, checker.Violated, true, ""},
		{"the checker rejects the history: inconclusive", []checker.Operation{put(0, "k", "a;", 10, 5)}, checker.Inconclusive, false, "before call"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, vis := kv.CheckLinearizable(tc.hist, time.Minute)
			assert.Equal(t, tc.verdict, res.Verdict, res.Detail)
			assert.Equal(t, checker.LinearizabilityCheck, res.Check)
			assert.Equal(t, checker.Safety, res.Kind)
			assert.Contains(t, res.Detail, tc.detail)
			if !tc.vis {
				assert.Nil(t, vis)
				return
			}
			require.NotNil(t, vis)
			var b bytes.Buffer
			require.NoError(t, vis(&b))
			assert.Contains(t, b.String(), "<html")
		})
	}
}

func TestStats(t *testing.T) {
	unknown := put(2, "k", "b;", 5, 0)
	unknown.Outcome, unknown.Output = checker.Unknown, nil
	hist := []checker.Operation{
		put(0, "k", "a;", 0, int64(2*time.Millisecond)),
		get(1, "k", "a;", 0, int64(4*time.Millisecond)),
		unknown,
	}
	byName := map[string]protocols.Stat{}
	for _, s := range kv.Stats(hist) {
		byName[s.Name] = s
	}
	assert.Equal(t, 3.0, byName["operations"].Value)
	assert.Equal(t, 2.0, byName["operations completed"].Value)
	assert.Equal(t, 1.0, byName["operations with unknown outcome"].Value)
	assert.Equal(t, 3.0, byName["latency mean"].Value)
	assert.Equal(t, "ms", byName["latency mean"].Unit)
	assert.Equal(t, 2.0, byName["latency p50"].Value)
	assert.Equal(t, 4.0, byName["latency p99"].Value)

	assert.Len(t, kv.Stats(hist[2:]), 3, "no latency without a completed operation")
}

func TestParseOpAndValidateMix(t *testing.T) {
	for name, want := range map[string]checker.KVOp{"get": checker.KVGet, "put": checker.KVPut,
		"append": checker.KVAppend, "cas": checker.KVCAS} {
		op, ok := kv.ParseOp(name)
		assert.True(t, ok, name)
		assert.Equal(t, want, op)
		assert.Equal(t, name, op.String())
	}
	_, ok := kv.ParseOp("delete")
	assert.False(t, ok)

	mix := []protocols.MixEntry{{Op: "get", Weight: 1}, {Op: "cas", Weight: 1}}
	assert.NoError(t, kv.ValidateMix(mix, checker.KVGet, checker.KVCAS))
	err := kv.ValidateMix(mix, checker.KVGet, checker.KVPut, checker.KVAppend)
	require.Error(t, err)
	assert.Equal(t, `operation "cas" is not one of get, put, append`, err.Error())
	assert.Error(t, kv.ValidateMix([]protocols.MixEntry{{Op: "delete", Weight: 1}}, checker.KVGet))
}

func TestUniqueValue(t *testing.T) {
	assert.Equal(t, "c1.7;", kv.UniqueValue("c1", 7))
}

// TestApply applies each operation to a map, a cas that swaps and one
// that does not.
func TestApply(t *testing.T) {
	state := map[string]string{}
	for _, tc := range []struct {
		op              checker.KVOp
		value, expected string
		read            string
		swapped         bool
		after           string
	}{
		{checker.KVGet, "", "", "", false, ""},
		{checker.KVPut, "a", "", "", false, "a"},
		{checker.KVAppend, "b", "", "", false, "ab"},
		{checker.KVGet, "", "", "ab", false, "ab"},
		{checker.KVCAS, "c", "x", "", false, "ab"},
		{checker.KVCAS, "c", "ab", "", true, "c"},
	} {
		read, swapped := kv.Apply(state, tc.op, "k", tc.value, tc.expected)
		assert.Equal(t, tc.read, read, "%v", tc)
		assert.Equal(t, tc.swapped, swapped, "%v", tc)
		assert.Equal(t, tc.after, state["k"], "%v", tc)
	}
}
