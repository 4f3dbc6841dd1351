package checker

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
)

// HistoryVersion is the version of the history file format that
// WriteHistory writes and ReadHistory reads.
//
// A history file is one JSON object:
//
//	{
//	  "version": 1,
//	  "model": "kv",
//	  "operations": [
//	    {"client": 0, "call": 0, "return": 40, "input": {"op": "put", "key": "a", "value": "1"}},
//	    {"client": 1, "call": 10, "return": 50, "input": {"op": "get", "key": "a"}, "output": {"value": "1"}},
//	    {"client": 2, "call": 20, "outcome": "unknown", "input": {"op": "cas", "key": "a", "expected": "1", "value": "2"}}
//	  ]
//	}
//
// "version" is optional and must be 1 if present. "model" is "register" or
// "kv". Each operation has:
//
//   - "client": the client number, zero-based (required);
//   - "call", "return": virtual nanoseconds since the start of the run;
//     "call" is required, and "return" too unless the outcome is unknown;
//   - "outcome": "ok" (the default); "unknown" for an operation that never
//     returned, which may or may not have taken effect; or "fail" for one
//     that returned a failure and did not take effect (it needs "return",
//     and the linearizability check leaves it out);
//   - "input": {"op", "key", "value", "expected"}. Register operations are
//     "read", "write" (needs "value") and "cas" (needs "expected" and
//     "value") and have no "key". Key-value operations need "key" and are
//     "get", "put" and "append" (need "value") and "cas" (needs "expected"
//     and "value");
//   - "output": {"value", "ok"}: "value" is required for a completed read or
//     get, "ok" for a completed cas; writes, puts and appends may omit the
//     output, and unknown operations' outputs are ignored. WriteHistory
//     adds "unknown": true to an output whose Unknown field is set.
//
// Unknown fields are errors, so a misspelt field is reported, not ignored.
const HistoryVersion = 1

type wireOpWrite struct {
	Client  int         `json:"client"`
	Call    int64       `json:"call"`
	Return  *int64      `json:"return,omitempty"`
	Outcome string      `json:"outcome,omitempty"`
	Input   wireInput   `json:"input"`
	Output  *wireOutput `json:"output,omitempty"`
}

type wireInput struct {
	Op       *string `json:"op,omitempty"`
	Key      *string `json:"key,omitempty"`
	Expected *string `json:"expected,omitempty"`
	Value    *string `json:"value,omitempty"`
}

type wireOutput struct {
	Value   *string `json:"value,omitempty"`
	OK      *bool   `json:"ok,omitempty"`
	Unknown bool    `json:"unknown,omitempty"`
}

// opFields says which fields an operation uses.
type opFields struct {
	value, expected, outValue, outOK bool
}

func fieldsOf(op string) opFields {
	switch op {
	case "read", "get":
		return opFields{outValue: true}
	case "write", "put", "append":
		return opFields{value: true}
	case "cas":
		return opFields{value: true, expected: true, outOK: true}
	}
	return opFields{}
}

// WriteHistory writes ops as a history file for the model named model (see
// HistoryVersion for the format), one operation per line, so ReadHistory
// reads back the same operations. It returns an error wrapping
// ErrBadHistory, and writes nothing, if ValidateHistory rejects ops. The
// output is deterministic.
func WriteHistory(w io.Writer, model string, ops []Operation) error {
	m, err := ModelByName(model)
	if err != nil {
		return err
	}
	if err := ValidateHistory(m, ops); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "{\n  \"version\": %d,\n  \"model\": %q,\n  \"operations\": [", HistoryVersion, model)
	for i, op := range ops {
		line, err := json.Marshal(encodeOp(op))
		if err != nil {
			return fmt.Errorf("checker: encoding operation %d: %w", i, err)
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		bw.Write(line)
	}
	if len(ops) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]\n}\n")
	return bw.Flush()
}

func encodeOp(op Operation) wireOpWrite {
	w := wireOpWrite{Client: op.Client, Call: op.Call}
	if op.Outcome != OK {
		w.Outcome = op.Outcome.String()
	}
	if op.Outcome == OK || op.Return != 0 {
		ret := op.Return
		w.Return = &ret
	}
	str := func(s string, need bool) *string {
		if !need && s == "" {
			return nil
		}
		return &s
	}
	var name string
	var fields opFields
	switch in := op.Input.(type) {
	case RegisterInput:
		name = in.Op.String()
		fields = fieldsOf(name)
		w.Input = wireInput{Op: &name, Value: str(in.Value, fields.value), Expected: str(in.Expected, fields.expected)}
	case KVInput:
		name = in.Op.String()
		fields = fieldsOf(name)
		w.Input = wireInput{Op: &name, Key: &in.Key, Value: str(in.Value, fields.value), Expected: str(in.Expected, fields.expected)}
	}
	var value string
	var ok, unknown bool
	switch out := op.Output.(type) {
	case RegisterOutput:
		value, ok, unknown = out.Value, out.OK, out.Unknown
	case KVOutput:
		value, ok, unknown = out.Value, out.OK, out.Unknown
	default:
		return w
	}
	wo := &wireOutput{Value: str(value, fields.outValue), Unknown: unknown}
	if ok || fields.outOK {
		wo.OK = &ok
	}
	w.Output = wo
	return w
}
