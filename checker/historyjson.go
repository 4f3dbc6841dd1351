package checker

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
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
//   - "outcome": "ok" (the default) or "unknown" for an operation that never
//     returned, which may or may not have taken effect;
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

type wireOp struct {
	Client  *int            `json:"client"`
	Call    *int64          `json:"call"`
	Return  *int64          `json:"return"`
	Outcome *string         `json:"outcome"`
	Input   json.RawMessage `json:"input"`
	Output  json.RawMessage `json:"output"`
}

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

// ReadHistory reads a history file (see HistoryVersion for the format) and
// returns its operations, in file order, and its model name, which
// ModelByName resolves. Errors wrap ErrBadHistory (and ErrUnknownModel for
// an unknown model) and say where: the line and column of a JSON syntax
// error, or the index and line of the bad operation and the field at fault.
// Every operation returned passes ValidateHistory.
func ReadHistory(r io.Reader) ([]Operation, string, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, "", fmt.Errorf("checker: reading history: %w", err)
	}
	hr := historyReader{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	ops, model, err := hr.read()
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrBadHistory, err)
	}
	return ops, model, nil
}

type historyReader struct {
	data []byte
	dec  *json.Decoder
}

type rawOp struct {
	raw  json.RawMessage
	line int
}

func (hr *historyReader) read() ([]Operation, string, error) {
	if err := hr.delim('{', "the history must be a JSON object"); err != nil {
		return nil, "", err
	}
	var (
		model            string
		raws             []rawOp
		seen             = map[string]bool{}
		hasModel, hasOps bool
	)
	for hr.dec.More() {
		tok, err := hr.dec.Token()
		if err != nil {
			return nil, "", hr.syntax(err)
		}
		key, _ := tok.(string)
		if seen[key] {
			return nil, "", fmt.Errorf("line %d: duplicate field %q", hr.line(), key)
		}
		seen[key] = true
		line := hr.line()
		switch key {
		case "version":
			var v int
			if err := hr.dec.Decode(&v); err != nil {
				return nil, "", fmt.Errorf("line %d: version: %s", line, hr.valueError(err))
			}
			if v != HistoryVersion {
				return nil, "", fmt.Errorf("line %d: version: %d is not supported (want %d)", line, v, HistoryVersion)
			}
		case "model":
			if err := hr.dec.Decode(&model); err != nil {
				return nil, "", fmt.Errorf("line %d: model: %s", line, hr.valueError(err))
			}
			if _, err := ModelByName(model); err != nil {
				return nil, "", fmt.Errorf("line %d: model: %w", line, unknownModelError{model})
			}
			hasModel = true
		case "operations":
			hasOps = true
			if err := hr.delim('[', fmt.Sprintf("line %d: operations: want a JSON array", line)); err != nil {
				return nil, "", err
			}
			for hr.dec.More() {
				start := hr.line()
				var raw json.RawMessage
				if err := hr.dec.Decode(&raw); err != nil {
					return nil, "", hr.syntax(err)
				}
				raws = append(raws, rawOp{raw: raw, line: start})
			}
			if err := hr.delim(']', "operations: want ]"); err != nil {
				return nil, "", err
			}
		default:
			return nil, "", fmt.Errorf("line %d: unknown field %q (want version, model, operations)", line, key)
		}
	}
	if err := hr.delim('}', "want }"); err != nil {
		return nil, "", err
	}
	if _, err := hr.dec.Token(); err != io.EOF {
		return nil, "", fmt.Errorf("line %d: data after the history object", hr.line())
	}
	if !hasModel {
		return nil, "", errors.New(`field "model" is missing (want "register" or "kv")`)
	}
	if !hasOps {
		return nil, "", errors.New(`field "operations" is missing`)
	}
	m, _ := ModelByName(model)
	ops := make([]Operation, len(raws))
	for i, r := range raws {
		op, err := decodeOp(model, r.raw)
		if err == nil {
			err = validateOp(m, op)
		}
		if err != nil {
			return nil, "", fmt.Errorf("operation %d (line %d): %w", i, r.line, err)
		}
		ops[i] = op
	}
	return ops, model, nil
}

// delim reads the next token and checks that it is d.
func (hr *historyReader) delim(d json.Delim, msg string) error {
	tok, err := hr.dec.Token()
	if err == io.EOF {
		return fmt.Errorf("unexpected end of file: %s", msg)
	}
	if err != nil {
		return hr.syntax(err)
	}
	if tok != d {
		return fmt.Errorf("line %d: %s", hr.line(), msg)
	}
	return nil
}

// line returns the line of the next non-blank, non-separator byte after the
// decoder's position: where the next value starts.
func (hr *historyReader) line() int {
	off := int(hr.dec.InputOffset())
	for off < len(hr.data) && strings.IndexByte(" \t\r\n,:", hr.data[off]) >= 0 {
		off++
	}
	line, _ := position(hr.data, off)
	return line
}

// syntax turns a JSON syntax error into one with a line and column.
func (hr *historyReader) syntax(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := position(hr.data, int(se.Offset))
		return fmt.Errorf("line %d, column %d: invalid JSON: %s", line, col, se.Error())
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("unexpected end of file: the JSON is truncated")
	}
	return err
}

// valueError explains why a value could not be decoded.
func (hr *historyReader) valueError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Sprintf("want %s, got a JSON %s", te.Type, te.Value)
	}
	return hr.syntax(err).Error()
}

// position converts a byte offset into a 1-based line and column.
func position(data []byte, off int) (line, col int) {
	off = min(off, len(data))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = off - bytes.LastIndexByte(before, '\n')
	return line, col
}

// decodeStrict decodes raw into v, rejecting unknown fields, and names the
// offending field, prefixed with where.
func decodeStrict(raw json.RawMessage, v any, where, want string) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := where
		if te.Field != "" {
			field = strings.TrimPrefix(where+"."+te.Field, ".")
		}
		if field == "" {
			field = "operation"
		}
		if te.Field == "" {
			return fmt.Errorf("%s: want a JSON object, got a JSON %s", field, te.Value)
		}
		return fmt.Errorf("%s: want %s, got a JSON %s", field, te.Type, te.Value)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if where == "" {
			where = "operation"
		}
		return fmt.Errorf("%s: unknown field %s (want %s)", where, name, want)
	}
	return fmt.Errorf("%s: %w", where, err)
}

func decodeOp(model string, raw json.RawMessage) (Operation, error) {
	var w wireOp
	if err := decodeStrict(raw, &w, "", "client, call, return, outcome, input, output"); err != nil {
		return Operation{}, err
	}
	var op Operation
	if w.Client == nil {
		return Operation{}, errors.New("client: missing")
	}
	op.Client = *w.Client
	if w.Call == nil {
		return Operation{}, errors.New("call: missing")
	}
	op.Call = *w.Call
	if w.Outcome != nil {
		if err := op.Outcome.UnmarshalText([]byte(*w.Outcome)); err != nil {
			return Operation{}, fmt.Errorf("outcome: %w", err)
		}
	}
	switch {
	case w.Return != nil:
		op.Return = *w.Return
	case op.Outcome == OK:
		return Operation{}, errors.New(`return: missing (an operation that never returned has "outcome": "unknown")`)
	}
	if len(w.Input) == 0 || string(w.Input) == "null" {
		return Operation{}, errors.New("input: missing")
	}
	var wi wireInput
	if err := decodeStrict(w.Input, &wi, "input", "op, key, expected, value"); err != nil {
		return Operation{}, err
	}
	in, fields, err := decodeInput(model, wi)
	if err != nil {
		return Operation{}, err
	}
	op.Input = in
	hasOutput := len(w.Output) > 0 && string(w.Output) != "null"
	if !hasOutput {
		if op.Outcome == OK && fields.outValue {
			return Operation{}, errors.New(`output: missing (want {"value": ...})`)
		}
		if op.Outcome == OK && fields.outOK {
			return Operation{}, errors.New(`output: missing (want {"ok": true or false})`)
		}
		return op, nil
	}
	var wo wireOutput
	if err := decodeStrict(w.Output, &wo, "output", "value, ok"); err != nil {
		return Operation{}, err
	}
	if op.Outcome == OK && fields.outValue && wo.Value == nil {
		return Operation{}, errors.New("output.value: missing")
	}
	if op.Outcome == OK && fields.outOK && wo.OK == nil {
		return Operation{}, errors.New("output.ok: missing")
	}
	var value string
	var ok bool
	if wo.Value != nil {
		value = *wo.Value
	}
	if wo.OK != nil {
		ok = *wo.OK
	}
	if model == registerName {
		op.Output = RegisterOutput{Value: value, OK: ok, Unknown: wo.Unknown}
	} else {
		op.Output = KVOutput{Value: value, OK: ok, Unknown: wo.Unknown}
	}
	return op, nil
}

func decodeInput(model string, wi wireInput) (any, opFields, error) {
	if wi.Op == nil {
		return nil, opFields{}, errors.New("input.op: missing")
	}
	fields := fieldsOf(*wi.Op)
	get := func(p *string, name string, need bool) (string, error) {
		if p == nil {
			if need {
				return "", fmt.Errorf("input.%s: missing (%s needs it)", name, *wi.Op)
			}
			return "", nil
		}
		return *p, nil
	}
	if model == registerName {
		var op RegisterOp
		if err := op.UnmarshalText([]byte(*wi.Op)); err != nil {
			return nil, fields, fmt.Errorf("input.op: %w", err)
		}
		if wi.Key != nil {
			return nil, fields, errors.New(`input.key: register operations have no key (use "model": "kv")`)
		}
		value, err := get(wi.Value, "value", fields.value)
		if err != nil {
			return nil, fields, err
		}
		expected, err := get(wi.Expected, "expected", fields.expected)
		if err != nil {
			return nil, fields, err
		}
		return RegisterInput{Op: op, Value: value, Expected: expected}, fields, nil
	}
	var op KVOp
	if err := op.UnmarshalText([]byte(*wi.Op)); err != nil {
		return nil, fields, fmt.Errorf("input.op: %w", err)
	}
	key, err := get(wi.Key, "key", true)
	if err != nil {
		return nil, fields, err
	}
	value, err := get(wi.Value, "value", fields.value)
	if err != nil {
		return nil, fields, err
	}
	expected, err := get(wi.Expected, "expected", fields.expected)
	if err != nil {
		return nil, fields, err
	}
	return KVInput{Op: op, Key: key, Value: value, Expected: expected}, fields, nil
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
	if op.Outcome == Unknown {
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
