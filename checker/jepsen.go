package checker

import (
	"bytes"
	"fmt"
	"io"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"olympos.io/encoding/edn"
)

// ReadJepsenHistory reads a history as Jepsen and Knossos write it: EDN
// maps, one per event, either one after another (Jepsen's history.edn) or
// in one vector (Knossos's test histories), such as
//
//	{:type :invoke, :f :write, :value 3, :process 0, :time 1000, :index 0}
//	{:type :ok, :f :write, :value 3, :process 0, :time 2000, :index 1}
//	{:type :invoke, :f :cas, :value [3 4], :process 1, :index 2}
//	{:type :info, :f :cas, :value [3 4], :process 1, :index 3}
//
// Each :invoke is paired with the next completion of the same :process:
// :ok (it took effect; a read's :value is what it read), :fail (it did not
// take effect: Outcome Fail) or :info (it may or may not have: Outcome
// Unknown), and an invocation never completed is Unknown too. Events of a
// process that is not an integer (Jepsen's :nemesis) are left out. :f is
// :read, :write or :cas (whose :value is [expected new]). For the "kv"
// model, values are [key value] pairs, as jepsen.independent writes them
// (a cas is [key [expected new]]). Values become strings: integers in
// decimal, nil as "" (the registers' initial value), keywords by name.
//
// model is "register", "kv", or "" to choose from the history: "kv" if a
// read or write carries a [key value] pair, else "register". Calls and
// returns are given the events' positions in the history, which Jepsen
// writes in real-time order. Errors wrap ErrBadHistory and name the event
// by its position and its :index, if it has one.
func ReadJepsenHistory(r io.Reader, model string) ([]Operation, string, error) {
	events, err := readEDNEvents(r)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrBadHistory, err)
	}
	if model == "" {
		model = guessJepsenModel(events)
	}
	m, err := ModelByName(model)
	if err != nil {
		return nil, "", err
	}
	ops, err := pairJepsen(events, model)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrBadHistory, err)
	}
	if err := ValidateHistory(m, ops); err != nil {
		return nil, "", err
	}
	return ops, model, nil
}

// jepsenEvent is one event of a Jepsen history.
type jepsenEvent struct {
	pos     int // position in the history, from 0
	index   any // its :index, for messages, or nil
	typ     edn.Keyword
	f       edn.Keyword
	key     any // the event's :key, or nil: then a kv value is [key value]
	value   any
	process int
}

// where names an event in messages.
func (e jepsenEvent) where() string {
	if e.index != nil {
		return fmt.Sprintf("event %d (:index %v)", e.pos, e.index)
	}
	return fmt.Sprintf("event %d", e.pos)
}

// readEDNEvents decodes every event, flattening a top-level vector.
func readEDNEvents(r io.Reader) (events []jepsenEvent, err error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading history: %w", err)
	}
	defer func() { // the EDN decoder is not ours: never let it take the process down
		if p := recover(); p != nil {
			events, err = nil, fmt.Errorf("invalid EDN: %v", p)
		}
	}()
	dec := edn.NewDecoder(bytes.NewReader(data))
	for pos := 0; ; {
		var v any
		if err := dec.Decode(&v); err == io.EOF {
			return events, nil
		} else if err != nil {
			return nil, fmt.Errorf("after event %d: invalid EDN: %w", pos, err)
		}
		items := []any{v}
		if vec, ok := v.([]any); ok {
			items = vec
		}
		for _, item := range items {
			e, keep, err := jepsenEventOf(item, pos)
			if err != nil {
				return nil, err
			}
			if keep {
				events = append(events, e)
			}
			pos++
		}
	}
}

// jepsenEventOf reads one event map; keep is false for events of a process
// that is not a client (the nemesis).
func jepsenEventOf(v any, pos int) (e jepsenEvent, keep bool, err error) {
	m, ok := v.(map[any]any)
	if !ok {
		return e, false, fmt.Errorf("event %d: want a map like {:type :invoke, :f :read, ...}, got %T", pos, v)
	}
	e = jepsenEvent{pos: pos, index: m[edn.Keyword("index")], key: m[edn.Keyword("key")], value: m[edn.Keyword("value")]}
	proc, ok := m[edn.Keyword("process")].(int64)
	if !ok {
		return e, false, nil
	}
	if proc < 0 || proc > 1<<31-1 {
		return e, false, fmt.Errorf("%s: :process %d is out of range", e.where(), proc)
	}
	e.process = int(proc)
	if e.typ, ok = m[edn.Keyword("type")].(edn.Keyword); !ok {
		return e, false, fmt.Errorf("%s: :type is missing or not a keyword (want :invoke, :ok, :fail or :info)", e.where())
	}
	if e.f, ok = m[edn.Keyword("f")].(edn.Keyword); !ok {
		return e, false, fmt.Errorf("%s: :f is missing or not a keyword (want :read, :write or :cas)", e.where())
	}
	return e, true, nil
}

// guessJepsenModel says "kv" if an event names a :key, or a read or write
// carries a [key value] pair.
func guessJepsenModel(events []jepsenEvent) string {
	for _, e := range events {
		if e.key != nil {
			return kvName
		}
		if vec, ok := e.value.([]any); ok && len(vec) == 2 && (e.f == "read" || e.f == "write") {
			return kvName
		}
	}
	return registerName
}

// jepsenOps names the operations a history's :f may take, by model.
var jepsenOps = map[string]map[edn.Keyword]string{
	registerName: {"read": "read", "write": "write", "cas": "cas"},
	kvName:       {"read": "get", "get": "get", "write": "put", "put": "put", "append": "append", "cas": "cas"},
}

// pairJepsen pairs every invocation with its process's next completion.
func pairJepsen(events []jepsenEvent, model string) ([]Operation, error) {
	var ops []Operation
	open := map[int]int{} // process -> index in ops of its open invocation
	for _, e := range events {
		i, pending := open[e.process]
		switch e.typ {
		case "invoke":
			if pending {
				return nil, fmt.Errorf("%s: process %d invokes again before its %s completed", e.where(), e.process, ops[i].Input)
			}
			in, err := jepsenInput(e, model)
			if err != nil {
				return nil, err
			}
			open[e.process] = len(ops)
			ops = append(ops, Operation{Client: e.process, Call: int64(e.pos), Input: in, Outcome: Unknown})
		case "ok", "fail", "info":
			if !pending {
				return nil, fmt.Errorf("%s: :%s of process %d, which has no invocation open", e.where(), string(e.typ), e.process)
			}
			delete(open, e.process)
			if err := completeJepsen(&ops[i], e, model); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("%s: :type :%s is not :invoke, :ok, :fail or :info", e.where(), string(e.typ))
		}
	}
	return ops, nil
}

// completeJepsen records a completion on its operation.
func completeJepsen(op *Operation, e jepsenEvent, model string) error {
	switch e.typ {
	case "info":
		return nil // may or may not have taken effect: stays Unknown
	case "fail":
		op.Outcome, op.Return = Fail, int64(e.pos)
		return nil
	}
	op.Outcome, op.Return = OK, int64(e.pos)
	value, ok := "", false
	switch jepsenOps[model][e.f] {
	case "read", "get":
		_, v, err := e.keyValue(model)
		if err != nil {
			return err
		}
		if value, err = ednString(v); err != nil {
			return fmt.Errorf("%s: :value: %w", e.where(), err)
		}
	case "cas":
		ok = true
	}
	if model == kvName {
		op.Output = KVOutput{Value: value, OK: ok}
	} else {
		op.Output = RegisterOutput{Value: value, OK: ok}
	}
	return nil
}

// keyValue splits an event's key from its value: its :key, or the first
// of a [key value] pair for the kv model; no key for the register.
func (e jepsenEvent) keyValue(model string) (key string, value any, err error) {
	switch {
	case model != kvName:
		return "", e.value, nil
	case e.key != nil:
		key, err = ednString(e.key)
		value = e.value
	default:
		pair, ok := e.value.([]any)
		if !ok || len(pair) != 2 {
			return "", nil, fmt.Errorf("%s: a kv operation's :value is [key value] (or the event names its :key), got %v", e.where(), e.value)
		}
		key, err = ednString(pair[0])
		value = pair[1]
	}
	if err != nil {
		return "", nil, fmt.Errorf("%s: key: %w", e.where(), err)
	}
	return key, value, nil
}

// jepsenInput turns an invocation into the model's input.
func jepsenInput(e jepsenEvent, model string) (any, error) {
	op, known := jepsenOps[model][e.f]
	if !known {
		var fs []string
		for f := range jepsenOps[model] {
			fs = append(fs, ":"+string(f))
		}
		slices.Sort(fs)
		return nil, fmt.Errorf("%s: :f :%s is not one of the %s model's operations (%s)", e.where(), string(e.f), model, strings.Join(fs, ", "))
	}
	key, v, err := e.keyValue(model)
	if err != nil {
		return nil, err
	}
	var expected, value string
	switch op {
	case "write", "put", "append":
		value, err = ednString(v)
	case "cas":
		expected, value, err = ednPair(v)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: :value: %w", e.where(), err)
	}
	return modelInput(model, op, key, expected, value), nil
}

// modelInput builds the register or key-value input of an operation.
func modelInput(model, op, key, expected, value string) any {
	if model == kvName {
		kinds := map[string]KVOp{"get": KVGet, "put": KVPut, "append": KVAppend, "cas": KVCAS}
		return KVInput{Op: kinds[op], Key: key, Expected: expected, Value: value}
	}
	kinds := map[string]RegisterOp{"read": RegisterRead, "write": RegisterWrite, "cas": RegisterCAS}
	return RegisterInput{Op: kinds[op], Expected: expected, Value: value}
}

// ednPair reads a cas value, [expected new].
func ednPair(v any) (string, string, error) {
	pair, ok := v.([]any)
	if !ok || len(pair) != 2 {
		return "", "", fmt.Errorf("a cas takes [expected new], got %v", v)
	}
	a, err := ednString(pair[0])
	if err != nil {
		return "", "", err
	}
	b, err := ednString(pair[1])
	return a, b, err
}

// ednString turns a scalar EDN value into the string the models compare.
func ednString(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case *big.Int:
		return x.String(), nil
	case string:
		return x, nil
	case edn.Keyword:
		return string(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	}
	return "", fmt.Errorf("want an integer, string, keyword or nil, got %v (%T)", v, v)
}
