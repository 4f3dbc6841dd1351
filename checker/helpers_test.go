package checker

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
)

// Constructors for hand-made histories. Times are virtual ns.

func rRead(c int, call, ret int64, v string) Operation {
	return Operation{Client: c, Call: call, Return: ret,
		Input: RegisterInput{Op: RegisterRead}, Output: RegisterOutput{Value: v}}
}

func rWrite(c int, call, ret int64, v string) Operation {
	return Operation{Client: c, Call: call, Return: ret,
		Input: RegisterInput{Op: RegisterWrite, Value: v}, Output: RegisterOutput{}}
}

func rCAS(c int, call, ret int64, expected, v string, ok bool) Operation {
	return Operation{Client: c, Call: call, Return: ret,
		Input: RegisterInput{Op: RegisterCAS, Expected: expected, Value: v}, Output: RegisterOutput{OK: ok}}
}

func kvGet(c int, call, ret int64, k, v string) Operation {
	return Operation{Client: c, Call: call, Return: ret,
		Input: KVInput{Op: KVGet, Key: k}, Output: KVOutput{Value: v}}
}

func kvPut(c int, call, ret int64, k, v string) Operation {
	return Operation{Client: c, Call: call, Return: ret,
		Input: KVInput{Op: KVPut, Key: k, Value: v}, Output: KVOutput{}}
}

func kvAppend(c int, call, ret int64, k, v string) Operation {
	return Operation{Client: c, Call: call, Return: ret,
		Input: KVInput{Op: KVAppend, Key: k, Value: v}, Output: KVOutput{}}
}

func kvCAS(c int, call, ret int64, k, expected, v string, ok bool) Operation {
	return Operation{Client: c, Call: call, Return: ret,
		Input: KVInput{Op: KVCAS, Key: k, Expected: expected, Value: v}, Output: KVOutput{OK: ok}}
}

// lost marks op as never returned: the client gave up at giveUp.
func lost(op Operation, giveUp int64) Operation {
	op.Outcome = Unknown
	op.Output = nil
	op.Return = giveUp
	return op
}

// genKV generates a linearizable KV history from a sequential reference:
// every operation gets a linearization point inside its interval (or, for
// an unknown operation that took effect, anywhere after its call), and
// outputs come from applying the operations to a map in the order of those
// points. A fraction unknownFrac of operations has an unknown outcome; half
// of those take effect. Each client has one operation in flight at a time.
func genKV(r *rand.Rand, n, clients, keys int, unknownFrac float64) []Operation {
	type planned struct {
		lin     int64
		applied bool
	}
	ops := make([]Operation, n)
	plan := make([]planned, n)
	next := make([]int64, clients)
	for i := range ops {
		c := r.IntN(clients)
		call := next[c] + r.Int64N(10)
		lin := call + r.Int64N(30)
		ret := lin + r.Int64N(30)
		next[c] = ret + 1
		op := Operation{Client: c, Call: call, Return: ret}
		key := fmt.Sprintf("k%d", r.IntN(keys))
		switch x := r.IntN(100); {
		case x < 40:
			op.Input = KVInput{Op: KVGet, Key: key}
		case x < 65:
			op.Input = KVInput{Op: KVPut, Key: key, Value: fmt.Sprintf("v%d", i)}
		case x < 85:
			op.Input = KVInput{Op: KVAppend, Key: key, Value: fmt.Sprintf("+%d", i)}
		default:
			op.Input = KVInput{Op: KVCAS, Key: key} // Expected and Value chosen at lin
		}
		applied := true
		if r.Float64() < unknownFrac {
			op.Outcome = Unknown
			applied = r.IntN(2) == 0
			lin = call + r.Int64N(200) // may take effect after the client gave up
		}
		ops[i] = op
		plan[i] = planned{lin: lin, applied: applied}
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(plan[a].lin, plan[b].lin) })
	state := map[string]string{}
	for _, i := range order {
		in := ops[i].Input.(KVInput)
		if in.Op == KVCAS {
			if r.IntN(2) == 0 {
				in.Expected = state[in.Key]
			} else {
				in.Expected = fmt.Sprintf("v%d", r.IntN(n))
			}
			in.Value = fmt.Sprintf("c%d", i)
			ops[i].Input = in
		}
		if !plan[i].applied {
			continue
		}
		var out KVOutput
		switch in.Op {
		case KVGet:
			out.Value = state[in.Key]
		case KVPut:
			state[in.Key] = in.Value
		case KVAppend:
			state[in.Key] += in.Value
		case KVCAS:
			if state[in.Key] == in.Expected {
				state[in.Key] = in.Value
				out.OK = true
			}
		}
		if ops[i].Outcome == OK {
			ops[i].Output = out
		}
	}
	return ops
}
