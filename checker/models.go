package checker

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/anishathalye/porcupine"
)

// ErrUnknownModel is wrapped by ModelByName and ReadHistory when a model
// name is not one of "register" or "kv".
var ErrUnknownModel = errors.New("checker: unknown model")

// Model is a sequential specification that CheckLinearizable checks
// histories against: a porcupine model plus what dsim needs around it. Use
// RegisterModel or KVModel, or ModelByName.
type Model struct {
	// Name identifies the model in results and history files.
	Name string
	// Spec is the porcupine specification of one partition: Init, Step,
	// Equal, Hash and the Describe functions. Its Step must be pure and must
	// accept UnknownOutput from any state. Spec.Partition and
	// Spec.PartitionEvent are ignored: CheckLinearizable partitions by
	// PartitionKey.
	Spec porcupine.Model
	// PartitionKey returns the partition an input belongs to, for example
	// the key of a key-value operation. A history is linearizable if and
	// only if every partition's sub-history is, and violations are reported
	// by key. Nil means one partition, reported with the key "".
	PartitionKey func(input any) string
	// UnknownOutput is the output handed to Spec.Step for an operation
	// whose Outcome is Unknown. Spec.Step must accept it from any state and
	// still apply the operation's effect.
	UnknownOutput any
	// Validate, if set, reports why op's input or output does not fit the
	// model, naming the field ("input.op", "output.value").
	Validate func(op Operation) error
}

// ModelByName returns the model called name: "register" (RegisterModel) or
// "kv" (KVModel). Other names yield an error wrapping ErrUnknownModel.
func ModelByName(name string) (Model, error) {
	switch name {
	case registerName:
		return RegisterModel(), nil
	case kvName:
		return KVModel(), nil
	}
	return Model{}, fmt.Errorf("checker: %w", unknownModelError{name})
}

// unknownModelError names the unknown model; it matches ErrUnknownModel.
type unknownModelError struct{ name string }

func (e unknownModelError) Error() string {
	return fmt.Sprintf("unknown model %q (want register or kv)", e.name)
}

func (e unknownModelError) Is(target error) bool { return target == ErrUnknownModel }

const (
	registerName = "register"
	kvName       = "kv"
)

// RegisterOp is the operation of a RegisterInput. The zero RegisterOp is
// invalid, so a forgotten field is caught by validation.
type RegisterOp int

const (
	// RegisterRead reads the register; the output carries the value read.
	RegisterRead RegisterOp = iota + 1
	// RegisterWrite writes Value; its output is ignored.
	RegisterWrite
	// RegisterCAS writes Value if the register holds Expected; the output's
	// OK says whether it did.
	RegisterCAS
)

var registerOpNames = [...]string{RegisterRead: "read", RegisterWrite: "write", RegisterCAS: "cas"}

// String returns "read", "write" or "cas".
func (o RegisterOp) String() string {
	if o >= RegisterRead && o <= RegisterCAS {
		return registerOpNames[o]
	}
	return fmt.Sprintf("RegisterOp(%d)", int(o))
}

// MarshalText encodes o as its String form.
func (o RegisterOp) MarshalText() ([]byte, error) {
	if o >= RegisterRead && o <= RegisterCAS {
		return []byte(o.String()), nil
	}
	return nil, fmt.Errorf("checker: cannot marshal invalid register operation %d", int(o))
}

// UnmarshalText decodes "read", "write" or "cas".
func (o *RegisterOp) UnmarshalText(text []byte) error {
	for op := RegisterRead; op <= RegisterCAS; op++ {
		if string(text) == registerOpNames[op] {
			*o = op
			return nil
		}
	}
	return fmt.Errorf("unknown register operation %q (want read, write or cas)", text)
}

// RegisterInput is the input of a register operation.
type RegisterInput struct {
	// Op is the operation.
	Op RegisterOp
	// Value is the value written by RegisterWrite, or by RegisterCAS on
	// success. RegisterRead leaves it empty.
	Value string
	// Expected is the value RegisterCAS compares with; other operations
	// leave it empty.
	Expected string
}

// RegisterOutput is the output of a register operation.
type RegisterOutput struct {
	// Value is the value RegisterRead returned. The register starts as "".
	Value string
	// OK says whether RegisterCAS swapped.
	OK bool
	// Unknown marks the output as unknown: the model accepts it from any
	// state. The checker sets it for operations whose Outcome is Unknown;
	// protocols record Outcome Unknown instead of setting it.
	Unknown bool
}

// KVOp is the operation of a KVInput. The zero KVOp is invalid, so a
// forgotten field is caught by validation.
type KVOp int

const (
	// KVGet reads Key; the output carries the value, "" for a missing key.
	KVGet KVOp = iota + 1
	// KVPut sets Key to Value; its output is ignored.
	KVPut
	// KVAppend appends Value to Key's value ("" for a missing key); its
	// output is ignored.
	KVAppend
	// KVCAS sets Key to Value if it holds Expected ("" matches a missing
	// key); the output's OK says whether it did.
	KVCAS
)

var kvOpNames = [...]string{KVGet: "get", KVPut: "put", KVAppend: "append", KVCAS: "cas"}

// String returns "get", "put", "append" or "cas".
func (o KVOp) String() string {
	if o >= KVGet && o <= KVCAS {
		return kvOpNames[o]
	}
	return fmt.Sprintf("KVOp(%d)", int(o))
}

// MarshalText encodes o as its String form.
func (o KVOp) MarshalText() ([]byte, error) {
	if o >= KVGet && o <= KVCAS {
		return []byte(o.String()), nil
	}
	return nil, fmt.Errorf("checker: cannot marshal invalid kv operation %d", int(o))
}

// UnmarshalText decodes "get", "put", "append" or "cas".
func (o *KVOp) UnmarshalText(text []byte) error {
	for op := KVGet; op <= KVCAS; op++ {
		if string(text) == kvOpNames[op] {
			*o = op
			return nil
		}
	}
	return fmt.Errorf("unknown kv operation %q (want get, put, append or cas)", text)
}

// KVInput is the input of a key-value operation. Protocols record it
// directly as Operation.Input.
type KVInput struct {
	// Op is the operation.
	Op KVOp
	// Key is the key operated on. Keys are independent: the history is
	// checked key by key.
	Key string
	// Value is the value put, appended, or swapped in by KVCAS. KVGet
	// leaves it empty.
	Value string
	// Expected is the value KVCAS compares with; other operations leave it
	// empty.
	Expected string
}

// KVOutput is the output of a key-value operation. Protocols record it
// directly as Operation.Output.
type KVOutput struct {
	// Value is the value KVGet returned, "" for a missing key.
	Value string
	// OK says whether KVCAS swapped.
	OK bool
	// Unknown marks the output as unknown: the model accepts it from any
	// state. The checker sets it for operations whose Outcome is Unknown;
	// protocols record Outcome Unknown instead of setting it.
	Unknown bool
}

// String formats the input compactly, e.g. `put k1 "x"` or
// `cas k1 "a"->"b"`, for traces and reports. It avoids fmt, because the
// kernel fingerprints every operation's input through it.
func (in KVInput) String() string {
	switch in.Op {
	case KVGet:
		return "get " + in.Key
	case KVCAS:
		return "cas " + in.Key + " " + strconv.Quote(in.Expected) + "->" + strconv.Quote(in.Value)
	}
	return in.Op.String() + " " + in.Key + " " + strconv.Quote(in.Value)
}

// String formats the output compactly, e.g. `"x"`, `"x" ok` or `unknown`.
func (out KVOutput) String() string {
	if out.Unknown {
		return "unknown"
	}
	s := strconv.Quote(out.Value)
	if out.OK {
		s += " ok"
	}
	return s
}

// RegisterModel returns the model of a single string register that starts
// as "" and supports RegisterRead, RegisterWrite and RegisterCAS with
// RegisterInput and RegisterOutput. Its name is "register".
func RegisterModel() Model {
	return Model{
		Name: registerName,
		Spec: porcupine.Model{
			Init: func() any { return "" },
			Step: func(state, input, output any) (bool, any) {
				in := input.(RegisterInput)
				out, _ := output.(RegisterOutput) // nil: an ignored output
				ok, next := apply(state.(string), registerToKV[in.Op], in.Value, in.Expected,
					KVOutput(out))
				return ok, next
			},
			Equal:             equalString,
			Hash:              hashString,
			DescribeOperation: describeRegister,
			DescribeState:     describeString,
		},
		UnknownOutput: RegisterOutput{Unknown: true},
		Validate:      validateRegister,
	}
}

// KVModel returns the model of a key-value store of string keys and values,
// partitioned by key, that supports KVGet, KVPut, KVAppend and KVCAS with
// KVInput and KVOutput. A missing key reads as "". Its name is "kv". Each
// partition's state is the key's value, a string, so states are cheap to
// copy and compare.
func KVModel() Model {
	return Model{
		Name: kvName,
		Spec: porcupine.Model{
			Init: func() any { return "" },
			Step: func(state, input, output any) (bool, any) {
				in := input.(KVInput)
				out, _ := output.(KVOutput) // nil: an ignored output
				ok, next := apply(state.(string), in.Op, in.Value, in.Expected, out)
				return ok, next
			},
			Equal:             equalString,
			Hash:              hashString,
			DescribeOperation: describeKV,
			DescribeState:     describeString,
		},
		PartitionKey:  func(input any) string { return input.(KVInput).Key },
		UnknownOutput: KVOutput{Unknown: true},
		Validate:      validateKV,
	}
}

var registerToKV = [...]KVOp{RegisterRead: KVGet, RegisterWrite: KVPut, RegisterCAS: KVCAS}

// apply is the sequential specification shared by both models: it reports
// whether op with out is legal in state st, and the next state.
func apply(st string, op KVOp, value, expected string, out KVOutput) (bool, string) {
	switch op {
	case KVGet:
		return out.Unknown || out.Value == st, st
	case KVPut:
		return true, value
	case KVAppend:
		return true, st + value
	case KVCAS:
		if st == expected {
			return out.Unknown || out.OK, value
		}
		return out.Unknown || !out.OK, st
	}
	return false, st
}

func equalString(a, b any) bool { return a.(string) == b.(string) }

// hashString is FNV-1a over the state's bytes.
func hashString(state any) uint64 {
	s := state.(string)
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func describeString(state any) string { return strconv.Quote(state.(string)) }

func describeRegister(input, output any) string {
	in := input.(RegisterInput)
	out, _ := output.(RegisterOutput)
	switch in.Op {
	case RegisterRead:
		if out.Unknown {
			return "read() -> ?"
		}
		return fmt.Sprintf("read() -> %q", out.Value)
	case RegisterWrite:
		return fmt.Sprintf("write(%q)", in.Value)
	case RegisterCAS:
		return fmt.Sprintf("cas(%q, %q) -> %s", in.Expected, in.Value, casResult(out.OK, out.Unknown))
	}
	return in.Op.String()
}

func describeKV(input, output any) string {
	in := input.(KVInput)
	out, _ := output.(KVOutput)
	switch in.Op {
	case KVGet:
		if out.Unknown {
			return fmt.Sprintf("get(%q) -> ?", in.Key)
		}
		return fmt.Sprintf("get(%q) -> %q", in.Key, out.Value)
	case KVPut:
		return fmt.Sprintf("put(%q, %q)", in.Key, in.Value)
	case KVAppend:
		return fmt.Sprintf("append(%q, %q)", in.Key, in.Value)
	case KVCAS:
		return fmt.Sprintf("cas(%q, %q, %q) -> %s", in.Key, in.Expected, in.Value, casResult(out.OK, out.Unknown))
	}
	return in.Op.String()
}

func casResult(ok, unknown bool) string {
	switch {
	case unknown:
		return "?"
	case ok:
		return "swapped"
	}
	return "failed"
}

func validateRegister(op Operation) error {
	in, ok := op.Input.(RegisterInput)
	if !ok {
		return fmt.Errorf("input: want checker.RegisterInput, got %T", op.Input)
	}
	if in.Op < RegisterRead || in.Op > RegisterCAS {
		return fmt.Errorf("input.op: invalid register operation %d", int(in.Op))
	}
	if in.Op == RegisterRead && in.Value != "" {
		return errors.New("input.value: not used by read (the value read goes in output.value)")
	}
	if in.Op != RegisterCAS && in.Expected != "" {
		return fmt.Errorf("input.expected: not used by %s", in.Op)
	}
	if op.Outcome != OK || op.Output == nil && in.Op == RegisterWrite {
		return nil
	}
	if _, ok := op.Output.(RegisterOutput); !ok {
		return fmt.Errorf("output: want checker.RegisterOutput, got %T", op.Output)
	}
	return nil
}

func validateKV(op Operation) error {
	in, ok := op.Input.(KVInput)
	if !ok {
		return fmt.Errorf("input: want checker.KVInput, got %T", op.Input)
	}
	if in.Op < KVGet || in.Op > KVCAS {
		return fmt.Errorf("input.op: invalid kv operation %d", int(in.Op))
	}
	if in.Op == KVGet && in.Value != "" {
		return errors.New("input.value: not used by get (the value read goes in output.value)")
	}
	if in.Op != KVCAS && in.Expected != "" {
		return fmt.Errorf("input.expected: not used by %s", in.Op)
	}
	if op.Outcome != OK || op.Output == nil && (in.Op == KVPut || in.Op == KVAppend) {
		return nil
	}
	if _, ok := op.Output.(KVOutput); !ok {
		return fmt.Errorf("output: want checker.KVOutput, got %T", op.Output)
	}
	return nil
}
