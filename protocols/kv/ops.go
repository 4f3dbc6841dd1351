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
