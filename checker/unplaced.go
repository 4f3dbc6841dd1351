package checker

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/anishathalye/porcupine"
)

// This file names the operation a violated partition cannot place. A
// history's prefix up to a time T holds the operations called by T; those
// that had not returned by then are pending, and may or may not have taken
// effect (the model's UnknownOutput). If a prefix has no valid order, no
// longer one has, so a binary search over the return times of the
// partition's operations finds the first return after which no order
// exists: that operation is the first one no order can place, given what
// came before it. Each probe is one run of porcupine's fast mode over a
// prefix, within the check's limits.

// unplaced describes the first operation of partition p that no order can
// place, or returns "" if it cannot tell (no UnknownOutput in the model, a
// limit reached).
func (lc *linCheck) unplaced(p int) string {
	if lc.model.UnknownOutput == nil {
		return ""
	}
	part := lc.parts[p]
	ends := make([]int64, 0, len(part))
	for _, op := range part {
		ends = append(ends, op.Return)
	}
	slices.Sort(ends)
	ends = slices.Compact(ends)
	bad := sort.Search(len(ends), func(i int) bool {
		return lc.guard.stop() || !porcupine.CheckOperations(lc.check, lc.prefix(part, ends[i]))
	})
	if bad == len(ends) || lc.guard.stop() {
		return ""
	}
	i := slices.IndexFunc(part, func(op porcupine.Operation) bool { return op.Return == ends[bad] })
	return lc.describe(part[i])
}

// prefix returns the operations of part called by t, those still running
// at t made pending.
func (lc *linCheck) prefix(part []porcupine.Operation, t int64) []porcupine.Operation {
	var out []porcupine.Operation
	for _, op := range part {
		switch {
		case op.Call > t:
		case op.Return > t:
			op.Output, op.Return = lc.model.UnknownOutput, t+1
			out = append(out, op)
		default:
			out = append(out, op)
		}
	}
	return out
}

// describe names an operation of the history: its index, client, what it
// did and when.
func (lc *linCheck) describe(op porcupine.Operation) string {
	i := op.Metadata.(int)
	orig := lc.ops[i]
	what := fmt.Sprintf("%v -> %v", orig.Input, orig.Output)
	if d := lc.model.Spec.DescribeOperation; d != nil {
		what = d(orig.Input, orig.Output)
	}
	return fmt.Sprintf("operation %d (client %d: %s, called at %v, returned at %v)", i, orig.Client, what,
		time.Duration(orig.Call), time.Duration(orig.Return))
}
