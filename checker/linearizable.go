package checker

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/anishathalye/porcupine"
)

// LinearizabilityCheck is the Check name of every result of
// CheckLinearizable.
const LinearizabilityCheck = "linearizability"

// LinResult is the result of CheckLinearizable: the shared Result plus the
// verdict of every partition and porcupine's visualization data.
type LinResult struct {
	Result
	// Model is the name of the model checked against.
	Model string `json:"model"`
	// Partitions has one entry per partition, sorted by key. For the
	// register model there is one partition, with the key "".
	Partitions []PartitionResult `json:"partitions,omitempty"`

	vis *visualization
}

// PartitionResult is the verdict on one partition (for the KV model, one
// key) of a history.
type PartitionResult struct {
	// Key is the partition's key.
	Key string `json:"key"`
	// Ops is the number of operations on the key.
	Ops int `json:"ops"`
	// Verdict is Holds, Violated, or Inconclusive if the budget ran out
	// before porcupine finished this partition.
	Verdict Verdict `json:"verdict"`
}

// visualization keeps what porcupine.Visualize needs. Visualize sorts the
// partial linearizations in place, so calls are serialised and the data is
// put back in a canonical order before each one.
type visualization struct {
	mu    sync.Mutex
	model porcupine.Model
	info  porcupine.LinearizationInfo
}

// CheckLinearizable checks whether ops is linearizable with respect to
// model, using porcupine, within a wall-clock budget (zero or negative: no
// limit). It returns an error wrapping ErrBadHistory, before checking
// anything, if ValidateHistory rejects ops.
//
// The verdict is Holds if every partition is linearizable, Violated if at
// least one partition is not (Offending then lists those partitions' keys,
// sorted), and Inconclusive if no partition is known to be violated but the
// budget ran out before every partition was decided. A partition that
// porcupine did not finish is never reported as violated, and a violation
// found is reported even if other partitions ran out of time.
//
// Checking linearizability is NP-complete, hence the budget. It is the only
// use of the wall clock in dsim's checkers: it can only turn a verdict into
// Inconclusive. A check that finishes within its budget is deterministic:
// the same history always yields the same Result, byte for byte, and the
// same visualization. Result.Detail never mentions time actually spent.
//
// CheckLinearizable enforces the budget itself, per partition, rather than
// through porcupine's timeout: porcupine reports Illegal when one partition
// is illegal even if it also timed out, without saying which partitions it
// finished. Once the budget expires, every model step returns false, which
// makes porcupine unwind quickly, and the partitions that saw this are
// marked undecided. Porcupine checks partitions in parallel goroutines.
func CheckLinearizable(model Model, ops []Operation, budget time.Duration) (LinResult, error) {
	return checkLinearizable(model, ops, budget, nil)
}

// taggedInput is the input handed to porcupine: the operation's input and
// its partition index, so the step wrapper knows which partition it runs.
type taggedInput struct {
	part  int
	input any
}

// checkLinearizable is CheckLinearizable with an optional stop function for
// tests: stop(p) reports whether partition p has run out of budget. Nil
// means the budget timer decides.
func checkLinearizable(model Model, ops []Operation, budget time.Duration, stop func(part int) bool) (LinResult, error) {
	if model.Spec.Step == nil && model.Spec.StepContext == nil {
		return LinResult{}, fmt.Errorf("checker: model %q has no Step function", model.Name)
	}
	if err := ValidateHistory(model, ops); err != nil {
		return LinResult{}, err
	}
	if budget < 0 {
		budget = 0
	}

	// Partition by key, in sorted key order so that results and the
	// visualization do not depend on map iteration.
	opKey := make([]string, len(ops))
	count := make(map[string]int)
	unknownReturn := int64(0)
	for i, op := range ops {
		if model.PartitionKey != nil {
			opKey[i] = model.PartitionKey(op.Input)
		}
		count[opKey[i]]++
		if op.Outcome == Unknown {
			if model.UnknownOutput == nil {
				return LinResult{}, fmt.Errorf("checker: model %q has no UnknownOutput, but operation %d has an unknown outcome", model.Name, i)
			}
			unknownReturn = max(unknownReturn, op.Call+1)
		} else {
			unknownReturn = max(unknownReturn, op.Return+1)
		}
	}
	keys := slices.Sorted(maps.Keys(count))
	partOf := make(map[string]int, len(keys))
	for p, k := range keys {
		partOf[k] = p
	}

	history := make([]porcupine.Operation, len(ops))
	for i, op := range ops {
		pop := porcupine.Operation{
			ClientId: op.Client,
			Input:    taggedInput{part: partOf[opKey[i]], input: op.Input},
			Call:     op.Call,
			Output:   op.Output,
			Return:   op.Return,
			Metadata: i,
		}
		if op.Outcome == Unknown {
			pop.Output = model.UnknownOutput
			pop.Return = unknownReturn
		}
		history[i] = pop
	}

	if stop == nil {
		var expired atomic.Bool
		if budget > 0 {
			timer := time.AfterFunc(budget, func() { expired.Store(true) })
			defer timer.Stop()
		}
		stop = func(int) bool { return expired.Load() }
	}
	cut := make([]atomic.Bool, len(keys))
	step := specStep(model.Spec)
	checkModel := wrapSpec(model.Spec, len(keys), func(state, input, output any) (bool, any) {
		t := input.(taggedInput)
		if stop(t.part) {
			cut[t.part].Store(true)
			return false, nil
		}
		return step(state, t.input, output)
	})
	visModel := wrapSpec(model.Spec, len(keys), func(state, input, output any) (bool, any) {
		return step(state, input.(taggedInput).input, output)
	})

	res, info := porcupine.CheckOperationsVerbose(checkModel, history, 0)

	partials := info.PartialLinearizations()
	result := LinResult{
		Result: Result{
			Check:  LinearizabilityCheck,
			Kind:   Safety,
			Budget: budget,
		},
		Model:      model.Name,
		Partitions: make([]PartitionResult, len(keys)),
		vis:        &visualization{model: visModel, info: info},
	}
	var violated, undecided []string
	for p, k := range keys {
		v := Violated
		switch {
		case hasComplete(partials, p, count[k]):
			v = Holds
		case cut[p].Load():
			v = Inconclusive
			undecided = append(undecided, k)
		default:
			violated = append(violated, k)
		}
		result.Partitions[p] = PartitionResult{Key: k, Ops: count[k], Verdict: v}
	}
	switch {
	case len(violated) > 0:
		result.Verdict = Violated
	case len(undecided) > 0:
		result.Verdict = Inconclusive
	default:
		result.Verdict = Holds
	}
	// Porcupine's own verdict must agree: it says Ok exactly when every
	// partition has a complete linearization.
	if (res == porcupine.Ok) != (result.Verdict == Holds) {
		return LinResult{}, fmt.Errorf("checker: internal error: porcupine says %s, partitions say %s", res, result.Verdict)
	}
	result.TimedOut = len(undecided) > 0
	if model.PartitionKey != nil {
		result.Offending = violated
	}
	result.Detail = linDetail(model, ops, len(keys), violated, undecided, budget)
	return result, nil
}

// hasComplete reports whether porcupine found a linearization of all n
// operations of partition p. Porcupine records a complete linearization
// exactly when the partition is linearizable.
func hasComplete(partials [][][]int, p, n int) bool {
	if p >= len(partials) {
		return n == 0
	}
	for _, l := range partials[p] {
		if len(l) == n {
			return true
		}
	}
	return false
}

// specStep returns spec's step function, whichever of Step and StepContext
// it defines.
func specStep(spec porcupine.Model) func(state, input, output any) (bool, any) {
	if spec.Step != nil {
		return spec.Step
	}
	ctx := context.Background()
	return func(state, input, output any) (bool, any) {
		return spec.StepContext(ctx, state, input, output)
	}
}

// wrapSpec returns a porcupine model over tagged inputs: it partitions by
// tag, steps with step, and describes operations through spec.
func wrapSpec(spec porcupine.Model, parts int, step func(state, input, output any) (bool, any)) porcupine.Model {
	m := porcupine.Model{
		Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
			out := make([][]porcupine.Operation, parts)
			for _, op := range history {
				p := op.Input.(taggedInput).part
				out[p] = append(out[p], op)
			}
			return out
		},
		Init:          spec.Init,
		Step:          step,
		Equal:         spec.Equal,
		Hash:          spec.Hash,
		DescribeState: spec.DescribeState,
		DescribeOperationMetadata: func(info any) string {
			return fmt.Sprintf("operation %d of the history", info)
		},
	}
	describe := spec.DescribeOperation
	m.DescribeOperation = func(input, output any) string {
		in := input.(taggedInput).input
		if describe == nil {
			return fmt.Sprintf("%v -> %v", in, output)
		}
		return describe(in, output)
	}
	return m
}

func linDetail(model Model, ops []Operation, parts int, violated, undecided []string, budget time.Duration) string {
	budgetText := "the " + budget.String() + " budget"
	partitioned := model.PartitionKey != nil
	var b strings.Builder
	switch {
	case len(violated) > 0 && partitioned:
		fmt.Fprintf(&b, "not linearizable: no valid order exists for the operations on %s (%d of %s)",
			keyList(violated), len(violated), keyCount(parts))
		if len(undecided) > 0 {
			fmt.Fprintf(&b, "; %s ran out before porcupine finished %s", budgetText, keyList(undecided))
		}
	case len(violated) > 0:
		fmt.Fprintf(&b, "not linearizable: no valid order exists for the %d operations", len(ops))
	case len(undecided) > 0 && partitioned:
		fmt.Fprintf(&b, "undecided, which is not a pass: %s ran out before porcupine finished %s (%d of %s)",
			budgetText, keyList(undecided), len(undecided), keyCount(parts))
	case len(undecided) > 0:
		fmt.Fprintf(&b, "undecided, which is not a pass: %s ran out before porcupine decided the %d operations",
			budgetText, len(ops))
	default:
		fmt.Fprintf(&b, "linearizable: %d operations", len(ops))
		if partitioned {
			fmt.Fprintf(&b, " on %s", keyCount(parts))
		}
		unknown := 0
		for _, op := range ops {
			if op.Outcome == Unknown {
				unknown++
			}
		}
		if unknown > 0 {
			fmt.Fprintf(&b, ", %d of them with unknown outcome", unknown)
		}
	}
	fmt.Fprintf(&b, " (model %s)", model.Name)
	return b.String()
}

// keyCount returns "1 key" or "n keys".
func keyCount(n int) string {
	if n == 1 {
		return "1 key"
	}
	return strconv.Itoa(n) + " keys"
}

// keyList names keys for a human: `key "a"`, `keys "a", "b"`, and at most
// ten of them.
func keyList(keys []string) string {
	const limit = 10
	var b strings.Builder
	if len(keys) == 1 {
		b.WriteString("key ")
	} else {
		b.WriteString("keys ")
	}
	for i, k := range keys[:min(len(keys), limit)] {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(k))
	}
	if len(keys) > limit {
		fmt.Fprintf(&b, " and %d more", len(keys)-limit)
	}
	return b.String()
}

// ErrNoVisualization is returned by WriteVisualization on a LinResult that
// did not come from CheckLinearizable.
var ErrNoVisualization = errors.New("checker: no visualization data in this result")

// WriteVisualization writes porcupine's interactive HTML visualization of
// the history checked (one section per partition, with the longest partial
// linearizations and, on a violation, the operations no order can place) to
// w. The output is deterministic for a check that finished within its
// budget. It is safe to call more than once and from several goroutines.
func (r LinResult) WriteVisualization(w io.Writer) error {
	if r.vis == nil {
		return ErrNoVisualization
	}
	r.vis.mu.Lock()
	defer r.vis.mu.Unlock()
	// Porcupine collects partial linearizations through a map and sorts
	// them by length only, so fix their order first.
	for _, part := range r.vis.info.PartialLinearizations() {
		slices.SortFunc(part, func(a, b []int) int {
			if c := cmp.Compare(len(b), len(a)); c != 0 {
				return c
			}
			return slices.Compare(a, b)
		})
	}
	return porcupine.Visualize(r.vis.model, r.vis.info, w)
}
