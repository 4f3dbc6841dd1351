package kv

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
)

// ParseOp returns the key-value operation a workload operation name stands
// for: "get", "put", "append" or "cas" (checker.KVGet, KVPut, KVAppend,
// KVCAS). It reports false for any other name.
func ParseOp(name string) (checker.KVOp, bool) {
	switch name {
	case "get":
		return checker.KVGet, true
	case "put":
		return checker.KVPut, true
	case "append":
		return checker.KVAppend, true
	case "cas":
		return checker.KVCAS, true
	}
	return 0, false
}

// ValidateMix returns an error naming the first operation of mix that is
// not one of the operations a protocol serves, given as allowed.
func ValidateMix(mix []protocols.MixEntry, allowed ...checker.KVOp) error {
	for _, m := range mix {
		if op, ok := ParseOp(m.Op); !ok || !slices.Contains(allowed, op) {
			names := make([]string, len(allowed))
			for i, a := range allowed {
				names[i] = a.String()
			}
			return fmt.Errorf("operation %q is not one of %s", m.Op, strings.Join(names, ", "))
		}
	}
	return nil
}

// Apply performs operation op on key of state, the key-value map a
// replicated state machine keeps: a put writes value, an append appends it,
// a cas writes it if the key holds expected. It returns what a get read
// and whether a cas swapped; other operations return "" and false.
func Apply(state map[string]string, op checker.KVOp, key, value, expected string) (read string, swapped bool) {
	switch op {
	case checker.KVGet:
		return state[key], false
	case checker.KVPut:
		state[key] = value
	case checker.KVAppend:
		state[key] += value
	case checker.KVCAS:
		if state[key] == expected {
			state[key] = value
			return "", true
		}
	}
	return "", false
}
