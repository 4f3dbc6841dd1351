package checker

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteHistoryFormat(t *testing.T) {
	ops := []Operation{
		kvPut(0, 0, 40, "a", "1"),
		kvGet(1, 10, 50, "a", "1"),
		lost(kvCAS(2, 20, 0, "a", "1", "2", false), 0),
		kvCAS(2, 60, 70, "a", "", "3", false),
		{Client: 0, Call: 80, Return: 90, Input: KVInput{Op: KVAppend, Key: "b", Value: ""}},
	}
	var buf bytes.Buffer
	require.NoError(t, WriteHistory(&buf, "kv", ops))
	want := `{
  "version": 1,
  "model": "kv",
  "operations": [
    {"client":0,"call":0,"return":40,"input":{"op":"put","key":"a","value":"1"},"output":{}},
    {"client":1,"call":10,"return":50,"input":{"op":"get","key":"a"},"output":{"value":"1"}},
    {"client":2,"call":20,"outcome":"unknown","input":{"op":"cas","key":"a","expected":"1","value":"2"}},
    {"client":2,"call":60,"return":70,"input":{"op":"cas","key":"a","expected":"","value":"3"},"output":{"ok":false}},
    {"client":0,"call":80,"return":90,"input":{"op":"append","key":"b","value":""}}
  ]
}
`
	assert.Equal(t, want, buf.String())

	buf.Reset()
	require.NoError(t, WriteHistory(&buf, "register", nil))
	assert.Equal(t, "{\n  \"version\": 1,\n  \"model\": \"register\",\n  \"operations\": []\n}\n", buf.String())
}

func TestHistoryRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	kv := genKV(r, 400, 4, 5, 0.1)
	kv = append(kv, lost(kvGet(1, 5, 77, "k0", "x"), 77)) // an unknown op that recorded a give-up time
	register := []Operation{
		rWrite(0, 0, 10, "1"), rRead(1, 5, 15, ""), rCAS(2, 20, 30, "1", "2", true),
		lost(rWrite(0, 40, 0, "3"), 0), {Client: 3, Call: 1, Return: 2, Input: RegisterInput{Op: RegisterWrite, Value: ""}},
		{Client: 0, Call: 50, Return: 60, Input: RegisterInput{Op: RegisterRead}, Output: RegisterOutput{Value: "", Unknown: true}},
	}
	for _, tc := range []struct {
		model string
		ops   []Operation
	}{{"kv", kv}, {"register", register}} {
		t.Run(tc.model, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, WriteHistory(&buf, tc.model, tc.ops))
			got, model, err := ReadHistory(bytes.NewReader(buf.Bytes()))
			require.NoError(t, err)
			assert.Equal(t, tc.model, model)
			assert.Equal(t, tc.ops, got)

			var again bytes.Buffer
			require.NoError(t, WriteHistory(&again, model, got))
			assert.Equal(t, buf.String(), again.String())
		})
	}
}

func TestReadHistoryAcceptsHandWrittenFiles(t *testing.T) {
	in := `{"model": "kv", "operations": [
	  {"client": 0, "call": 0, "return": 10, "input": {"op": "put", "key": "a", "value": "1"}},
	  {"client": 1, "call": 20, "return": 30, "outcome": "ok", "input": {"op": "get", "key": "a"}, "output": {"value": "1"}},
	  {"client": 2, "call": 25, "outcome": "unknown", "input": {"op": "append", "key": "a", "value": "x"}, "output": null}
	]}`
	ops, model, err := ReadHistory(strings.NewReader(in))
	require.NoError(t, err)
	assert.Equal(t, "kv", model)
	assert.Equal(t, []Operation{
		{Client: 0, Call: 0, Return: 10, Input: KVInput{Op: KVPut, Key: "a", Value: "1"}},
		kvGet(1, 20, 30, "a", "1"),
		{Client: 2, Call: 25, Input: KVInput{Op: KVAppend, Key: "a", Value: "x"}, Outcome: Unknown},
	}, ops)
}

func TestReadHistoryErrors(t *testing.T) {
	op := func(s string) string { return "{\"model\": \"kv\", \"operations\": [\n" + s + "\n]}" }
	reg := func(s string) string { return "{\"model\": \"register\", \"operations\": [\n" + s + "\n]}" }
	good := `{"client": 0, "call": 0, "return": 1, "input": {"op": "put", "key": "a", "value": "1"}},`
	tests := []struct {
		name, in, want string
	}{
		{"empty file", "", "unexpected end of file: the history must be a JSON object"},
		{"not an object", "[1, 2]", "line 1: the history must be a JSON object"},
		{"syntax error", "{\n  \"model\": \"kv\",\n  \"operations\": [}\n", "line 3, column 18: invalid JSON"},
		{"truncated", "{\"model\": \"kv\", \"operations\": [", "unexpected end of file"},
		{"misspelt top-level field", "{\"model\": \"kv\",\n\"operation\": []}", `line 2: unknown field "operation" (want version, model, operations)`},
		{"duplicate field", "{\"model\": \"kv\", \"model\": \"kv\", \"operations\": []}", `duplicate field "model"`},
		{"missing model", `{"operations": []}`, `field "model" is missing`},
		{"missing operations", `{"model": "kv"}`, `field "operations" is missing`},
		{"unknown model", `{"model": "queue", "operations": []}`, `checker: bad history: line 1: model: unknown model "queue" (want register or kv)`},
		{"model not a string", `{"model": 3, "operations": []}`, "line 1: model: want string, got a JSON number"},
		{"unsupported version", `{"version": 2, "model": "kv", "operations": []}`, "version: 2 is not supported (want 1)"},
		{"operations not an array", `{"model": "kv", "operations": {}}`, "operations: want a JSON array"},
		{"trailing data", `{"model": "kv", "operations": []} {}`, "data after the history object"},
		{"operation not an object", op("3"), "operation 0 (line 2): operation: want a JSON object, got a JSON number"},
		{"missing client", op(`{"call": 0, "return": 1, "input": {"op": "get", "key": "a"}, "output": {"value": ""}}`),
			"operation 0 (line 2): client: missing"},
		{"misspelt field", op(good + "\n" + `{"clinet": 0}`), `operation 1 (line 3): operation: unknown field "clinet" (want client, call, return, outcome, input, output)`},
		{"call is a string", op(good + "\n" + `{"client": 0, "call": "soon"}`), "operation 1 (line 3): call: want int64, got a JSON string"},
		{"missing call", op(`{"client": 0, "return": 1}`), "operation 0 (line 2): call: missing"},
		{"missing return", op(`{"client": 0, "call": 1, "input": {"op": "put", "key": "a", "value": "1"}}`),
			`operation 0 (line 2): return: missing (an operation that never returned has "outcome": "unknown")`},
		{"return before call", op(good + "\n" + good + "\n" + `{"client": 0, "call": 10, "return": 5, "input": {"op": "put", "key": "a", "value": "1"}}`),
			"operation 2 (line 4): return: 5 is before call 10"},
		{"negative client", op(`{"client": -1, "call": 0, "return": 1, "input": {"op": "put", "key": "a", "value": "1"}}`),
			"operation 0 (line 2): client: -1 is negative"},
		{"bad outcome", op(`{"client": 0, "call": 0, "return": 1, "outcome": "maybe", "input": {"op": "put", "key": "a", "value": "1"}}`),
			`operation 0 (line 2): outcome: unknown outcome "maybe" (want ok, unknown or fail)`},
		{"missing input", op(`{"client": 0, "call": 0, "return": 1}`), "operation 0 (line 2): input: missing"},
		{"input not an object", op(`{"client": 0, "call": 0, "return": 1, "input": "get a"}`),
			"operation 0 (line 2): input: want a JSON object, got a JSON string"},
		{"misspelt input field", op(`{"client": 0, "call": 0, "return": 1, "input": {"op": "put", "key": "a", "vaule": "1"}}`),
			`operation 0 (line 2): input: unknown field "vaule" (want op, key, expected, value)`},
		{"unknown kv op", op(`{"client": 0, "call": 0, "return": 1, "input": {"op": "gett", "key": "a"}}`),
			`operation 0 (line 2): input.op: unknown kv operation "gett" (want get, put, append or cas)`},
		{"missing op", op(`{"client": 0, "call": 0, "return": 1, "input": {"key": "a"}}`), "operation 0 (line 2): input.op: missing"},
		{"missing key", op(`{"client": 0, "call": 0, "return": 1, "input": {"op": "put", "value": "1"}}`),
			"operation 0 (line 2): input.key: missing (put needs it)"},
		{"key is a number", op(`{"client": 0, "call": 0, "return": 1, "input": {"op": "put", "key": 1, "value": "1"}}`),
			"operation 0 (line 2): input.key: want string, got a JSON number"},
		{"put without value", op(`{"client": 0, "call": 0, "return": 1, "input": {"op": "put", "key": "a"}}`),
			"operation 0 (line 2): input.value: missing (put needs it)"},
		{"cas without expected", op(`{"client": 0, "call": 0, "return": 1, "input": {"op": "cas", "key": "a", "value": "1"}, "output": {"ok": true}}`),
			"operation 0 (line 2): input.expected: missing (cas needs it)"},
		{"value on a get", op(`{"client": 0, "call": 0, "return": 1, "input": {"op": "get", "key": "a", "value": "1"}, "output": {"value": "1"}}`),
			"operation 0 (line 2): input.value: not used by get (the value read goes in output.value)"},
		{"get without output", op(`{"client": 0, "call": 0, "return": 1, "input": {"op": "get", "key": "a"}}`),
			`operation 0 (line 2): output: missing (want {"value": ...})`},
		{"get output without value", op(`{"client": 0, "call": 0, "return": 1, "input": {"op": "get", "key": "a"}, "output": {}}`),
			"operation 0 (line 2): output.value: missing"},
		{"cas without output", op(`{"client": 0, "call": 0, "return": 1, "input": {"op": "cas", "key": "a", "expected": "", "value": "1"}}`),
			`operation 0 (line 2): output: missing (want {"ok": true or false})`},
		{"cas output without ok", op(`{"client": 0, "call": 0, "return": 1, "input": {"op": "cas", "key": "a", "expected": "", "value": "1"}, "output": {"value": "1"}}`),
			"operation 0 (line 2): output.ok: missing"},
		{"ok is a string", op(`{"client": 0, "call": 0, "return": 1, "input": {"op": "cas", "key": "a", "expected": "", "value": "1"}, "output": {"ok": "yes"}}`),
			"operation 0 (line 2): output.ok: want bool, got a JSON string"},
		{"misspelt output field", op(`{"client": 0, "call": 0, "return": 1, "input": {"op": "get", "key": "a"}, "output": {"val": "1"}}`),
			`operation 0 (line 2): output: unknown field "val" (want value, ok, unknown)`},
		{"repeated field in an operation", op(good + "\n" + `{"client": 0, "call": 0, "call": 5, "return": 9, "input": {"op": "put", "key": "a", "value": "1"}}`),
			`operation 1 (line 3): operation: duplicate field "call"`},
		{"repeated field in an input", op(`{"client": 0, "call": 0, "return": 1, "input": {"op": "put", "key": "a", "value": "1", "value": "2"}}`),
			`operation 0 (line 2): input: duplicate field "value"`},
		{"repeated field in an output", op(`{"client": 0, "call": 0, "return": 1, "input": {"op": "get", "key": "a"}, "output": {"value": "1", "value": "2"}}`),
			`operation 0 (line 2): output: duplicate field "value"`},
		{"invalid UTF-8 in a value", op(good + "\n" + good + "\n" + "{\"client\": 0, \"call\": 0, \"return\": 1, \"input\": {\"op\": \"put\", \"key\": \"a\", \"value\": \"x\xff\"}}"),
			"operation 2 (line 4): invalid UTF-8 at line 4, column 85 (a history is UTF-8 text)"},
		{"invalid UTF-8 outside the operations", "{\"model\": \"kv\", \"operations\": []}\n\xc3", "line 2, column 1: invalid"},
		{"register op with a key", reg(`{"client": 0, "call": 0, "return": 1, "input": {"op": "write", "key": "a", "value": "1"}}`),
			`operation 0 (line 2): input.key: register operations have no key (use "model": "kv")`},
		{"kv op in a register history", reg(`{"client": 0, "call": 0, "return": 1, "input": {"op": "put", "value": "1"}}`),
			`operation 0 (line 2): input.op: unknown register operation "put" (want read, write or cas)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops, model, err := ReadHistory(strings.NewReader(tt.in))
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrBadHistory)
			assert.Contains(t, err.Error(), tt.want)
			assert.Nil(t, ops)
			assert.Empty(t, model)
		})
	}
	_, _, err := ReadHistory(strings.NewReader(`{"model": "queue", "operations": []}`))
	assert.ErrorIs(t, err, ErrUnknownModel)
}

// TestReadHistoryTellsInvalidBytesApart is the case that made strict UTF-8
// necessary: a write and a read that differ only in bytes that are not
// UTF-8 decode to the same replacement character, so the history would
// check as linearizable. It is rejected as bad input instead.
func TestReadHistoryTellsInvalidBytesApart(t *testing.T) {
	in := "{\"model\": \"register\", \"operations\": [\n" +
		"{\"client\": 0, \"call\": 0, \"return\": 1, \"input\": {\"op\": \"write\", \"value\": \"\xff\"}},\n" +
		"{\"client\": 1, \"call\": 2, \"return\": 3, \"input\": {\"op\": \"read\"}, \"output\": {\"value\": \"\xfe\"}}\n]}"
	_, _, err := ReadHistory(strings.NewReader(in))
	require.ErrorIs(t, err, ErrBadHistory)
	assert.Contains(t, err.Error(), "operation 0 (line 2): invalid UTF-8")
}

func TestReadHistoryTakesOperationsBeforeTheModel(t *testing.T) {
	in := `{"operations": [
	  {"client": 0, "call": 0, "return": 10, "input": {"op": "write", "value": "1"}},
	  {"client": 1, "call": 20, "return": 30, "input": {"op": "read"}, "output": {"value": "1"}}
	], "model": "register"}`
	ops, model, err := ReadHistory(strings.NewReader(in))
	require.NoError(t, err)
	assert.Equal(t, "register", model)
	assert.Len(t, ops, 2)
	bad := strings.Replace(in, `"op": "read"`, `"op": "get"`, 1)
	_, _, err = ReadHistory(strings.NewReader(bad))
	assert.ErrorContains(t, err, `operation 1 (line 3): input.op: unknown register operation "get"`, "lines still count from the file's start")
}

// BenchmarkReadHistory reads a history of 100,000 register operations: one
// op is one whole file. The goal is well under half a second.
func BenchmarkReadHistory(b *testing.B) {
	ops := make([]Operation, 100_000)
	for i := range ops {
		ops[i] = Operation{Client: i % 50, Call: int64(2 * i), Return: int64(2*i + 1),
			Input: RegisterInput{Op: RegisterWrite, Value: "v" + strconv.Itoa(i)}}
	}
	var buf bytes.Buffer
	if err := WriteHistory(&buf, "register", ops); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		if _, _, err := ReadHistory(bytes.NewReader(buf.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
}

func TestWriteHistoryErrors(t *testing.T) {
	var buf bytes.Buffer
	err := WriteHistory(&buf, "queue", nil)
	assert.ErrorIs(t, err, ErrUnknownModel)

	err = WriteHistory(&buf, "register", []Operation{kvGet(0, 0, 1, "a", "")})
	assert.ErrorIs(t, err, ErrBadHistory)
	assert.Contains(t, err.Error(), "operation 0: input: want checker.RegisterInput, got checker.KVInput")
	assert.Zero(t, buf.Len(), "nothing is written for a bad history")
}

func TestReadHistoryThenCheck(t *testing.T) {
	in := `{"version": 1, "model": "register", "operations": [
	  {"client": 0, "call": 0, "return": 10, "input": {"op": "write", "value": "1"}},
	  {"client": 1, "call": 20, "return": 30, "input": {"op": "read"}, "output": {"value": ""}}
	]}`
	ops, name, err := ReadHistory(strings.NewReader(in))
	require.NoError(t, err)
	model, err := ModelByName(name)
	require.NoError(t, err)
	res, err := CheckLinearizable(model, ops, 0)
	require.NoError(t, err)
	assert.Equal(t, Violated, res.Verdict)
}

// FuzzReadHistory feeds ReadHistory arbitrary bytes: it must never panic,
// every error must wrap ErrBadHistory, and whatever it accepts must survive
// a round trip through WriteHistory unchanged.
func FuzzReadHistory(f *testing.F) {
	f.Add([]byte(`{"model": "kv", "operations": [{"client": 0, "call": 0, "return": 1, "input": {"op": "put", "key": "a", "value": "1"}}]}`))
	f.Add([]byte(`{"operations": [{"client": 1, "call": 2, "outcome": "unknown", "input": {"op": "cas", "expected": "", "value": "\u00e9"}}], "model": "register", "version": 1}`))
	f.Add([]byte(`{"model": "register", "operations": [{"client": 0, "call": 0, "return": 1, "input": {"op": "read"}, "output": {"value": "x", "unknown": true}}]}`))
	f.Add([]byte("{\"model\": \"kv\", \"operations\": [\n{\"client\": 0, \"call\": 0, \"call\": 1}]}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ops, model, err := ReadHistory(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrBadHistory) {
				t.Fatalf("error does not wrap ErrBadHistory: %v", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := WriteHistory(&buf, model, ops); err != nil {
			t.Fatalf("WriteHistory of what ReadHistory accepted: %v", err)
		}
		again, model2, err := ReadHistory(&buf)
		if err != nil || model2 != model || !reflect.DeepEqual(again, ops) {
			t.Fatalf("round trip changed the history: %v\n%v\n%v", err, ops, again)
		}
	})
}
