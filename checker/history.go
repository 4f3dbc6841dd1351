package checker

import (
	"errors"
	"fmt"
	"math"
)

// ErrBadHistory is wrapped by every error about a malformed history: a bad
// JSON file, an operation whose input does not fit the model, a return
// before its call.
var ErrBadHistory = errors.New("checker: bad history")

// Outcome says whether a client saw an operation complete.
type Outcome int

const (
	// OK means the operation returned, at Return, with Output.
	OK Outcome = iota
	// Unknown means the client never learned the result: it timed out, or
	// crashed, or the run ended first. The operation may or may not have
	// taken effect, at any time after its Call. The checker ignores its
	// Output and Return (see Operation).
	Unknown
	// Fail means the client was told the operation failed and did not take
	// effect (Jepsen's :fail). The checker leaves it out.
	Fail
)

// String returns "ok", "unknown" or "fail".
func (o Outcome) String() string {
	switch o {
	case OK:
		return "ok"
	case Unknown:
		return "unknown"
	case Fail:
		return "fail"
	}
	return fmt.Sprintf("Outcome(%d)", int(o))
}

// MarshalText encodes o as its String form.
func (o Outcome) MarshalText() ([]byte, error) {
	switch o {
	case OK, Unknown, Fail:
		return []byte(o.String()), nil
	}
	return nil, fmt.Errorf("checker: cannot marshal invalid outcome %d", int(o))
}

// UnmarshalText decodes "ok", "unknown" or "fail".
func (o *Outcome) UnmarshalText(text []byte) error {
	switch string(text) {
	case "ok":
		*o = OK
	case "unknown":
		*o = Unknown
	case "fail":
		*o = Fail
	default:
		return fmt.Errorf("unknown outcome %q (want ok, unknown or fail)", text)
	}
	return nil
}

// Operation is one client operation of a history, as plain data: what the
// client asked, what it was told, and when, in virtual nanoseconds since the
// start of the run.
//
// Input and Output hold the model's types: RegisterInput and RegisterOutput
// for RegisterModel, KVInput and KVOutput for KVModel.
//
// Two operations are concurrent when their [Call, Return] intervals overlap,
// ends included (porcupine's convention): an operation precedes another only
// if it returned strictly before the other was called.
//
// An operation whose Outcome is Unknown is handed to porcupine the way
// porcupine expects a call that never returned: its return time is moved
// after every other event of the history (one nanosecond after the latest
// Call or Return) and its output is replaced by the model's UnknownOutput,
// which the model accepts from any state. So porcupine may linearize it at
// any point after its Call, or, by placing it last, treat it as never having
// taken effect. Its recorded Output and Return are kept for reports only.
type Operation struct {
	// Client identifies the client, zero-based; porcupine's visualization
	// draws one line per client.
	Client int
	// Input is what the client asked for, for example a KVInput.
	Input any
	// Output is what the client was told, for example a KVOutput. It may be
	// nil for operations whose output the model ignores (writes, puts,
	// appends) and for Unknown operations.
	Output any
	// Call is when the client invoked the operation, in virtual ns.
	Call int64
	// Return is when the client got the result, in virtual ns; it must not
	// be before Call. It is ignored when Outcome is Unknown.
	Return int64
	// Outcome says whether the client saw the operation complete.
	Outcome Outcome
}

// ValidateHistory checks that every operation of ops is well formed for
// model: non-negative client and times, Return not before Call, an outcome
// that exists, and an input and output of the model's types. It returns an
// error wrapping ErrBadHistory that names the first bad operation by index.
// CheckLinearizable calls it first.
func ValidateHistory(model Model, ops []Operation) error {
	for i, op := range ops {
		if err := validateOp(model, op); err != nil {
			return fmt.Errorf("%w: operation %d: %w", ErrBadHistory, i, err)
		}
	}
	return nil
}

func validateOp(model Model, op Operation) error {
	if op.Client < 0 {
		return fmt.Errorf("client: %d is negative", op.Client)
	}
	if op.Call < 0 {
		return fmt.Errorf("call: %d is negative (virtual time starts at 0)", op.Call)
	}
	if op.Call == math.MaxInt64 {
		return errors.New("call: math.MaxInt64 is reserved for operations that never returned")
	}
	switch op.Outcome {
	case OK, Fail:
		if op.Return == math.MaxInt64 {
			return errors.New("return: math.MaxInt64 is reserved for operations that never returned")
		}
		if op.Return < op.Call {
			return fmt.Errorf("return: %d is before call %d", op.Return, op.Call)
		}
	case Unknown:
	default:
		return fmt.Errorf("outcome: invalid value %d", int(op.Outcome))
	}
	if op.Input == nil {
		return errors.New("input: missing")
	}
	if model.Validate != nil {
		return model.Validate(op)
	}
	return nil
}
