package checker

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// ReadHistory reads a history file (see HistoryVersion for the format) and
// returns its operations, in file order, and its model name, which
// ModelByName resolves. Errors wrap ErrBadHistory (and ErrUnknownModel for
// an unknown model) and say where: the line and column of a JSON syntax
// error or of bytes that are not UTF-8, or the index and line of the bad
// operation and the field at fault. A field given twice is an error, not a
// silent choice of one of them, and so is text that is not UTF-8 (which
// encoding/json would silently replace, making different values equal).
// Reading takes time in proportion to the file's size. Every operation
// returned passes ValidateHistory.
func ReadHistory(r io.Reader) ([]Operation, string, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, "", fmt.Errorf("checker: reading history: %w", err)
	}
	hr := historyReader{lex: jsonLexer{data: data}, lineNo: 1, badUTF8: invalidUTF8(data)}
	ops, model, err := hr.read()
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrBadHistory, err)
	}
	return ops, model, nil
}

// historyReader reads a history file field by field, so that it can name
// every field at fault with its path and catch a field given twice, which
// encoding/json's struct decoding lets pass.
type historyReader struct {
	lex jsonLexer
	// lineOff and lineNo cache the last position converted to a line, so
	// that finding the line of each operation in turn costs time in
	// proportion to the file, not to its square.
	lineOff, lineNo int
	// badUTF8 is the offset of the file's first byte that is not UTF-8, or
	// -1.
	badUTF8 int
	model   string
}

// The fields each object of the format may have, in the order messages
// list them.
var (
	topFields    = []string{"version", "model", "operations"}
	opFieldNames = []string{"client", "call", "return", "outcome", "input", "output"}
	inFields     = []string{"op", "key", "expected", "value"}
	outFields    = []string{"value", "ok", "unknown"}
)

func (hr *historyReader) read() ([]Operation, string, error) {
	var ops []Operation
	later := -1 // where the operations start, if they came before the model
	seen, err := hr.object("", topFields, func(key string) error {
		line := hr.line()
		switch key {
		case "version":
			return hr.version(line)
		case "model":
			return hr.modelName(line)
		}
		if hr.model == "" { // come back once the model is known
			later = hr.lex.off
			return hr.syntax(hr.lex.skip())
		}
		var err error
		ops, err = hr.operations()
		return err
	})
	if err != nil {
		return nil, "", err
	}
	if hr.badUTF8 >= 0 {
		line, col := position(hr.lex.data, hr.badUTF8)
		return nil, "", fmt.Errorf("line %d, column %d: invalid UTF-8 (a history is UTF-8 text)", line, col)
	}
	if !hr.lex.atEnd() {
		return nil, "", fmt.Errorf("line %d: data after the history object", hr.line())
	}
	if !slices.Contains(seen, "model") {
		return nil, "", errors.New(`field "model" is missing (want "register" or "kv")`)
	}
	if !slices.Contains(seen, "operations") {
		return nil, "", errors.New(`field "operations" is missing`)
	}
	if later >= 0 {
		hr.lex.off = later
		if ops, err = hr.operations(); err != nil {
			return nil, "", err
		}
	}
	return ops, hr.model, nil
}

func (hr *historyReader) version(line int) error {
	if hr.lex.kind() != "number" {
		return fmt.Errorf("line %d: %w", line, hr.wrongKind("version", "int"))
	}
	v, err := hr.lex.integer()
	if err != nil {
		return fmt.Errorf("line %d: version: %w", line, hr.syntax(err))
	}
	if v != HistoryVersion {
		return fmt.Errorf("line %d: version: %d is not supported (want %d)", line, v, HistoryVersion)
	}
	return nil
}

func (hr *historyReader) modelName(line int) error {
	if hr.lex.kind() != "string" {
		return fmt.Errorf("line %d: %w", line, hr.wrongKind("model", "string"))
	}
	name, err := hr.lex.str()
	if err != nil {
		return hr.syntax(err)
	}
	if _, err := ModelByName(name); err != nil {
		return fmt.Errorf("line %d: model: %w", line, unknownModelError{name})
	}
	hr.model = name
	return nil
}

// operations reads the array of operations and checks each one.
func (hr *historyReader) operations() ([]Operation, error) {
	if !hr.lex.consume('[') {
		return nil, fmt.Errorf("line %d: operations: want a JSON array", hr.line())
	}
	m, _ := ModelByName(hr.model)
	var ops []Operation
	if hr.lex.consume(']') {
		return ops, nil
	}
	for {
		start, opLine := hr.lex.off, hr.line()
		op, err := hr.operation()
		if err == nil && hr.badUTF8 >= start && hr.badUTF8 < hr.lex.off {
			l, c := position(hr.lex.data, hr.badUTF8)
			err = fmt.Errorf("invalid UTF-8 at line %d, column %d (a history is UTF-8 text)", l, c)
		}
		if err == nil {
			err = validateOp(m, op)
		}
		if err != nil {
			return nil, fmt.Errorf("operation %d (line %d): %w", len(ops), opLine, err)
		}
		ops = append(ops, op)
		if hr.lex.consume(']') {
			return ops, nil
		}
		if !hr.lex.consume(',') {
			return nil, hr.syntax(fmt.Errorf("%w: want ',' or ']' after an operation", errSyntax))
		}
	}
}

// wireRead is one operation as the file gives it; nil means absent.
type wireRead struct {
	client                   *int64
	call, ret                *int64
	outcome                  *string
	op, key, expected, value *string
	hasInput, hasOutput      bool
	outValue                 *string
	outOK, outUnknown        *bool
}

// operation reads one operation object.
func (hr *historyReader) operation() (Operation, error) {
	var w wireRead
	_, err := hr.object("operation", opFieldNames, func(key string) error {
		switch key {
		case "client":
			return hr.intField("client", "int", &w.client)
		case "call":
			return hr.intField("call", "int64", &w.call)
		case "return":
			return hr.intField("return", "int64", &w.ret)
		case "outcome":
			return hr.stringField("outcome", "", &w.outcome)
		case "input":
			return hr.input(&w)
		}
		return hr.output(&w)
	})
	if err != nil {
		return Operation{}, err
	}
	return opFromWire(hr.model, w)
}

func (hr *historyReader) input(w *wireRead) (err error) {
	w.hasInput, err = hr.nested("input", inFields, func(key string) error {
		switch key {
		case "op":
			return hr.stringField("input", key, &w.op)
		case "key":
			return hr.stringField("input", key, &w.key)
		case "expected":
			return hr.stringField("input", key, &w.expected)
		}
		return hr.stringField("input", key, &w.value)
	})
	return err
}

func (hr *historyReader) output(w *wireRead) (err error) {
	w.hasOutput, err = hr.nested("output", outFields, func(key string) error {
		switch key {
		case "ok":
			return hr.boolField("output.ok", &w.outOK)
		case "unknown":
			return hr.boolField("output.unknown", &w.outUnknown)
		}
		return hr.stringField("output", key, &w.outValue)
	})
	return err
}

// nested reads an object field that may also be null (absent).
func (hr *historyReader) nested(path string, known []string, field func(key string) error) (present bool, err error) {
	if hr.lex.kind() == "null" {
		_, err := hr.lex.literal()
		return false, hr.syntax(err)
	}
	_, err = hr.object(path, known, field)
	return true, err
}

// object reads a JSON object whose keys must be among known, each at most
// once, calling field with each key to read its value, and returns the keys
// it saw. path names the object in messages ("" for the whole file, whose
// messages give a line instead).
func (hr *historyReader) object(path string, known []string, field func(key string) error) ([]string, error) {
	if !hr.lex.consume('{') {
		return nil, hr.notObject(path)
	}
	var seen []string
	if hr.lex.consume('}') {
		return seen, nil
	}
	for {
		key, err := hr.lex.str()
		if err != nil {
			return nil, hr.syntax(err)
		}
		if err := hr.fieldName(path, key, known, seen); err != nil {
			return nil, err
		}
		seen = append(seen, key)
		if !hr.lex.consume(':') {
			return nil, hr.syntax(fmt.Errorf("%w: want ':' after a field name", errSyntax))
		}
		if err := field(key); err != nil {
			return nil, err
		}
		if hr.lex.consume('}') {
			return seen, nil
		}
		if !hr.lex.consume(',') {
			return nil, hr.syntax(fmt.Errorf("%w: want ',' or '}'", errSyntax))
		}
	}
}

// notObject explains why the next value is not the object path wanted.
func (hr *historyReader) notObject(path string) error {
	switch {
	case path == "" && hr.lex.atEnd():
		return errors.New("unexpected end of file: the history must be a JSON object")
	case hr.lex.atEnd():
		return errors.New("unexpected end of file: the JSON is truncated")
	case path == "":
		return fmt.Errorf("line %d: the history must be a JSON object", hr.line())
	}
	return hr.wrongKind(path, "a JSON object")
}

// wrongKind explains that the next value at path is not the kind wanted, or
// is no JSON value at all.
func (hr *historyReader) wrongKind(path, want string) error {
	k := hr.lex.kind()
	if strings.HasPrefix(k, "character") || k == "end of file" {
		return hr.syntax(fmt.Errorf("%w: unexpected %s", errSyntax, k))
	}
	return fmt.Errorf("%s: want %s, got a JSON %s", path, want, k)
}

// fieldName checks a field name against the names an object may have and
// the ones it had so far.
func (hr *historyReader) fieldName(path, key string, known, seen []string) error {
	where := path + ": "
	if path == "" {
		where = fmt.Sprintf("line %d: ", hr.line())
	}
	if slices.Contains(seen, key) {
		return fmt.Errorf("%sduplicate field %q", where, key)
	}
	if !slices.Contains(known, key) {
		return fmt.Errorf("%sunknown field %q (want %s)", where, key, strings.Join(known, ", "))
	}
	return nil
}

func (hr *historyReader) intField(path, goType string, p **int64) error {
	if hr.lex.kind() != "number" {
		return hr.wrongKind(path, goType)
	}
	v, err := hr.lex.integer()
	if err != nil {
		return fmt.Errorf("%s: want %s: %w", path, goType, hr.syntax(err))
	}
	*p = &v
	return nil
}

func (hr *historyReader) stringField(object, key string, p **string) error {
	path := object
	if key != "" {
		path += "." + key
	}
	if hr.lex.kind() != "string" {
		return hr.wrongKind(path, "string")
	}
	s, err := hr.lex.str()
	if err != nil {
		return hr.syntax(err)
	}
	*p = &s
	return nil
}

func (hr *historyReader) boolField(path string, p **bool) error {
	if hr.lex.kind() != "bool" {
		return hr.wrongKind(path, "bool")
	}
	lit, err := hr.lex.literal()
	if err != nil {
		return hr.syntax(err)
	}
	b := lit == "true"
	*p = &b
	return nil
}

// syntax gives a lexer error the line and column where it happened.
func (hr *historyReader) syntax(err error) error {
	if !errors.Is(err, errSyntax) {
		return err
	}
	if hr.lex.off >= len(hr.lex.data) {
		return errors.New("unexpected end of file: the JSON is truncated")
	}
	line, col := position(hr.lex.data, hr.lex.off)
	return fmt.Errorf("line %d, column %d: %w", line, col, err)
}

// line returns the line where the next value starts.
func (hr *historyReader) line() int {
	hr.lex.skipSpace()
	off := hr.lex.off
	if off < hr.lineOff {
		hr.lineOff, hr.lineNo = 0, 1
	}
	hr.lineNo += bytes.Count(hr.lex.data[hr.lineOff:off], []byte("\n"))
	hr.lineOff = off
	return hr.lineNo
}

// position converts a byte offset into a 1-based line and column.
func position(data []byte, off int) (line, col int) {
	off = min(off, len(data))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = off - bytes.LastIndexByte(before, '\n')
	return line, col
}

// invalidUTF8 returns the offset of the first byte of data that is not
// valid UTF-8, or -1.
func invalidUTF8(data []byte) int {
	if utf8.Valid(data) {
		return -1
	}
	for off := 0; off < len(data); {
		r, n := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && n <= 1 {
			return off
		}
		off += n
	}
	return -1
}

// opFromWire checks an operation's fields against each other and the model
// and builds it.
func opFromWire(model string, w wireRead) (Operation, error) {
	var op Operation
	if w.client == nil {
		return Operation{}, errors.New("client: missing")
	}
	op.Client = int(*w.client)
	if w.call == nil {
		return Operation{}, errors.New("call: missing")
	}
	op.Call = *w.call
	if w.outcome != nil {
		if err := op.Outcome.UnmarshalText([]byte(*w.outcome)); err != nil {
			return Operation{}, fmt.Errorf("outcome: %w", err)
		}
	}
	switch {
	case w.ret != nil:
		op.Return = *w.ret
	case op.Outcome != Unknown:
		return Operation{}, errors.New(`return: missing (an operation that never returned has "outcome": "unknown")`)
	}
	if !w.hasInput {
		return Operation{}, errors.New("input: missing")
	}
	in, fields, err := inputFromWire(model, w)
	if err != nil {
		return Operation{}, err
	}
	op.Input = in
	return outputFromWire(model, w, op, fields)
}

func outputFromWire(model string, w wireRead, op Operation, fields opFields) (Operation, error) {
	decided := op.Outcome == OK
	if !w.hasOutput {
		if decided && fields.outValue {
			return Operation{}, errors.New(`output: missing (want {"value": ...})`)
		}
		if decided && fields.outOK {
			return Operation{}, errors.New(`output: missing (want {"ok": true or false})`)
		}
		return op, nil
	}
	if decided && fields.outValue && w.outValue == nil {
		return Operation{}, errors.New("output.value: missing")
	}
	if decided && fields.outOK && w.outOK == nil {
		return Operation{}, errors.New("output.ok: missing")
	}
	var value string
	var ok, unknown bool
	if w.outUnknown != nil {
		unknown = *w.outUnknown
	}
	if w.outValue != nil {
		value = *w.outValue
	}
	if w.outOK != nil {
		ok = *w.outOK
	}
	if model == registerName {
		op.Output = RegisterOutput{Value: value, OK: ok, Unknown: unknown}
	} else {
		op.Output = KVOutput{Value: value, OK: ok, Unknown: unknown}
	}
	return op, nil
}

func inputFromWire(model string, w wireRead) (any, opFields, error) {
	if w.op == nil {
		return nil, opFields{}, errors.New("input.op: missing")
	}
	name := *w.op
	fields := fieldsOf(name)
	get := func(p *string, field string, need bool) (string, error) {
		if p == nil {
			if need {
				return "", fmt.Errorf("input.%s: missing (%s needs it)", field, name)
			}
			return "", nil
		}
		return *p, nil
	}
	value, err := get(w.value, "value", fields.value)
	if err != nil {
		return nil, fields, err
	}
	expected, err := get(w.expected, "expected", fields.expected)
	if err != nil {
		return nil, fields, err
	}
	if model == registerName {
		var op RegisterOp
		if err := op.UnmarshalText([]byte(name)); err != nil {
			return nil, fields, fmt.Errorf("input.op: %w", err)
		}
		if w.key != nil {
			return nil, fields, errors.New(`input.key: register operations have no key (use "model": "kv")`)
		}
		return RegisterInput{Op: op, Value: value, Expected: expected}, fields, nil
	}
	var op KVOp
	if err := op.UnmarshalText([]byte(name)); err != nil {
		return nil, fields, fmt.Errorf("input.op: %w", err)
	}
	key, err := get(w.key, "key", true)
	if err != nil {
		return nil, fields, err
	}
	return KVInput{Op: op, Key: key, Value: value, Expected: expected}, fields, nil
}

// MaxHistoryBytes is the largest history file ReadAnyHistory reads: 1 GiB.
// A larger one is refused before it is read into memory.
const MaxHistoryBytes = 1 << 30

// ReadAnyHistory reads a history in either format dsim knows, telling them
// apart by their first bytes: its own JSON (ReadHistory), which starts with
// {", or Jepsen's and Knossos's EDN (ReadJepsenHistory), which starts with
// {: or [. model, if not empty, is the model to check against; a JSON
// history must agree with it. It returns the operations, the model and the
// format's name ("json" or "edn").
func ReadAnyHistory(r io.Reader, model string) (ops []Operation, name, format string, err error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxHistoryBytes+1))
	if err != nil {
		return nil, "", "", fmt.Errorf("checker: reading history: %w", err)
	}
	if len(data) > MaxHistoryBytes {
		return nil, "", "", fmt.Errorf("%w: the file is larger than %s", ErrBadHistory, byteSize(MaxHistoryBytes))
	}
	if !looksLikeJSON(data) {
		ops, name, err = ReadJepsenHistory(bytes.NewReader(data), model)
		return ops, name, "edn", err
	}
	ops, name, err = ReadHistory(bytes.NewReader(data))
	if err == nil && model != "" && model != name {
		return nil, "", "", fmt.Errorf("%w: model %s was asked for, but this is a %s history", ErrBadHistory, model, name)
	}
	return ops, name, "json", err
}

// looksLikeJSON reports whether data starts like a JSON object with a
// field, rather than like EDN.
func looksLikeJSON(data []byte) bool {
	rest := bytes.TrimLeft(data, " \t\r\n")
	if len(rest) == 0 || rest[0] != '{' {
		return len(rest) == 0 || rest[0] != '['
	}
	rest = bytes.TrimLeft(rest[1:], " \t\r\n")
	return len(rest) == 0 || rest[0] == '"' || rest[0] == '}'
}
