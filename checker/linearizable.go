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

	vis      *visualization
	unplaced string // the first operation no order can place, described
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

// visualization computes porcupine's visualization data on demand: the
// verbose mode records every partial order it tries, which is what makes it
// costly, so it runs only when someone asks for the page. Visualize sorts
// the partial linearizations in place, so calls are serialised and the data
// is put back in a canonical order before each one.
type visualization struct {
	mu   sync.Mutex
	lc   *linCheck
	info *porcupine.LinearizationInfo
}

// DefaultMemoryLimit is the heap, in bytes, a linearizability check lets
// the process reach before it gives up with an inconclusive verdict, unless
// SetMemoryLimit chose another: 4 GiB.
const DefaultMemoryLimit = 4 << 30

// memoryLimit is the process's default of Limits.Memory.
var memoryLimit atomic.Uint64

func init() { memoryLimit.Store(DefaultMemoryLimit) }

// SetMemoryLimit sets the memory limit of every check whose Limits.Memory
// is zero, in bytes of heap, and returns the previous one. The limit is on
// the whole process, which is what can run out, so a program sets it once
// (dsim's commands do, from --check-memory); zero restores
// DefaultMemoryLimit.
func SetMemoryLimit(bytes uint64) uint64 {
	if bytes == 0 {
		bytes = DefaultMemoryLimit
	}
	return memoryLimit.Swap(bytes)
}

// Limits bound one linearizability check. Reaching either makes the
// verdict Inconclusive (never a crash and never a pass), naming the limit.
type Limits struct {
	// Time is the wall-clock budget; zero or negative means none.
	Time time.Duration
	// Memory is the most heap, in bytes, the process may hold while the
	// check runs; zero means the process's limit (SetMemoryLimit). Porcupine's search can
	// need memory exponential in the operations that overlap, and a
	// process that runs out of memory loses everything it found, so the
	// check watches the heap as it goes. The limit is on the whole
	// process, which is what can run out.
	Memory uint64
}

// CheckLinearizable checks whether ops is linearizable with respect to
// model, using porcupine, within a wall-clock budget (zero or negative: no
// limit) and the process's memory limit. It is CheckLinearizableWithin
// with those limits.
func CheckLinearizable(model Model, ops []Operation, budget time.Duration) (LinResult, error) {
	return CheckLinearizableWithin(model, ops, Limits{Time: budget})
}

// CheckLinearizableWithin checks whether ops is linearizable with respect
// to model, using porcupine, within the limits. It returns an error
// wrapping ErrBadHistory, before checking anything, if ValidateHistory
// rejects ops. Operations whose Outcome is Fail did not take effect and
// are left out; a history with no operation left is vacuous (Vacuously):
// inconclusive, not a pass.
//
// Porcupine runs first in its fast mode, which checks the partitions (for
// KVModel, the keys) side by side and stops at the first that is not
// linearizable. If every partition is, the verdict is Holds. If one is not,
// the verdict is Violated, and the partitions are then checked one by one,
// smallest first, until the first violated one is found and named in
// Offending; the rest are left undecided. A partition that porcupine did
// not finish within the limits is never reported as violated: if no
// violation is known, the verdict is Inconclusive. The verbose mode, which
// records every partial order porcupine tried, runs only when the
// visualization is asked for (WriteVisualization).
//
// Checking linearizability is NP-complete, hence the limits. They are the
// only nondeterministic input of dsim's checkers, and can only turn a
// verdict into Inconclusive: a check that finishes within them is
// deterministic, the same history always yielding the same Result, byte
// for byte, and the same visualization. Result.Detail never mentions time
// actually spent.
//
// The limits are enforced in the model's step function rather than through
// porcupine's timeout: once a limit is reached, every step fails, which
// makes porcupine unwind quickly, and the partitions that saw this are
// marked undecided.
func CheckLinearizableWithin(model Model, ops []Operation, lim Limits) (LinResult, error) {
	return checkLinearizable(model, ops, lim, nil)
}

// taggedInput is the input handed to porcupine: the operation's input and
// its partition index, so the step wrapper knows which partition it runs.
type taggedInput struct {
	part  int
	input any
}

// checkLinearizable is CheckLinearizableWithin with an optional stop
// function for tests: stop(p) reports whether partition p has run out of
// its limits. Nil means the limits decide.
func checkLinearizable(model Model, ops []Operation, lim Limits, stop func(part int) bool) (LinResult, error) {
	if model.Spec.Step == nil && model.Spec.StepContext == nil {
		return LinResult{}, fmt.Errorf("checker: model %q has no Step function", model.Name)
	}
	if err := ValidateHistory(model, ops); err != nil {
		return LinResult{}, err
	}
	lc, err := newLinCheck(model, ops, lim, stop)
	if err != nil {
		return LinResult{}, err
	}
	defer lc.guard.release()
	if len(lc.keys) == 0 {
		what := "the history has no operations"
		if lc.failed > 0 {
			what = fmt.Sprintf("every one of the history's %d operations failed", lc.failed)
		}
		return LinResult{Result: Vacuously(LinearizabilityCheck, Safety, what+" (model "+model.Name+")"),
			Model: model.Name, vis: &visualization{lc: lc}}, nil
	}
	return lc.run(), nil
}

// linCheck is one linearizability check in progress.
type linCheck struct {
	model   Model
	lim     Limits
	ops     []Operation // as given, Fail included
	keys    []string    // partition keys, sorted
	parts   [][]porcupine.Operation
	failed  int // operations left out because they failed
	unknown int // operations with an unknown outcome
	guard   *guard
	cut     []atomic.Bool // partitions that hit a limit
	check   porcupine.Model
	vis     porcupine.Model
}

// newLinCheck partitions the history by key, in sorted key order so that
// results and the visualization do not depend on map iteration, and
// prepares the models porcupine runs.
func newLinCheck(model Model, ops []Operation, lim Limits, stop func(part int) bool) (*linCheck, error) {
	lc := &linCheck{model: model, lim: lim, ops: ops}
	if lc.lim.Time < 0 {
		lc.lim.Time = 0
	}
	if lc.lim.Memory == 0 {
		lc.lim.Memory = memoryLimit.Load()
	}
	kept, err := lc.keep(ops)
	if err != nil {
		return nil, err
	}
	partOf := map[string]int{}
	for _, op := range kept {
		key := ""
		if model.PartitionKey != nil {
			key = model.PartitionKey(op.Input.(taggedInput).input)
		}
		partOf[key] = 0
	}
	lc.keys = slices.Sorted(maps.Keys(partOf))
	for p, k := range lc.keys {
		partOf[k] = p
	}
	lc.parts = make([][]porcupine.Operation, len(lc.keys))
	for _, op := range kept {
		key := ""
		if model.PartitionKey != nil {
			key = model.PartitionKey(op.Input.(taggedInput).input)
		}
		p := partOf[key]
		op.Input = taggedInput{part: p, input: op.Input.(taggedInput).input}
		lc.parts[p] = append(lc.parts[p], op)
	}
	lc.guard = newGuard(lc.lim)
	if stop == nil {
		stop = func(int) bool { return lc.guard.stop() }
	}
	lc.cut = make([]atomic.Bool, len(lc.keys))
	step := specStep(model.Spec)
	lc.check = wrapSpec(model.Spec, func(state, input, output any) (bool, any) {
		t := input.(taggedInput)
		if stop(t.part) {
			lc.cut[t.part].Store(true)
			return false, nil
		}
		return step(state, t.input, output)
	})
	lc.vis = wrapSpec(model.Spec, func(state, input, output any) (bool, any) {
		if lc.guard.stop() {
			return false, nil
		}
		return step(state, input.(taggedInput).input, output)
	})
	return lc, nil
}

// keep turns the operations that may have taken effect into porcupine's
// form: failed ones are left out, and unknown ones return after every other
// event with the model's UnknownOutput.
func (lc *linCheck) keep(ops []Operation) ([]porcupine.Operation, error) {
	unknownReturn := int64(0)
	for i, op := range ops {
		switch op.Outcome {
		case Fail:
			lc.failed++
			continue
		case Unknown:
			if lc.model.UnknownOutput == nil {
				return nil, fmt.Errorf("checker: model %q has no UnknownOutput, but operation %d has an unknown outcome", lc.model.Name, i)
			}
			lc.unknown++
			unknownReturn = max(unknownReturn, op.Call+1)
		default:
			unknownReturn = max(unknownReturn, op.Return+1)
		}
	}
	kept := make([]porcupine.Operation, 0, len(ops)-lc.failed)
	for i, op := range ops {
		if op.Outcome == Fail {
			continue
		}
		pop := porcupine.Operation{ClientId: op.Client, Input: taggedInput{input: op.Input},
			Call: op.Call, Output: op.Output, Return: op.Return, Metadata: i}
		if op.Outcome == Unknown {
			pop.Output, pop.Return = lc.model.UnknownOutput, unknownReturn
		}
		kept = append(kept, pop)
	}
	return kept, nil
}

// run decides the verdict: fast mode over every partition, then, on a
// violation, partition by partition until the first violated one.
func (lc *linCheck) run() LinResult {
	res := LinResult{Result: Result{Check: LinearizabilityCheck, Kind: Safety, Budget: lc.lim.Time},
		Model: lc.model.Name, Partitions: make([]PartitionResult, len(lc.keys)), vis: &visualization{lc: lc}}
	for p, k := range lc.keys {
		res.Partitions[p] = PartitionResult{Key: k, Ops: len(lc.parts[p]), Verdict: Inconclusive}
	}
	all := porcupine.CheckOperations(lc.partitioned(), slices.Concat(lc.parts...))
	someCut := false
	for p := range lc.cut {
		someCut = someCut || lc.cut[p].Load()
	}
	switch {
	case all && !someCut:
		for p := range res.Partitions {
			res.Partitions[p].Verdict = Holds
		}
	case !all && !someCut:
		res.Verdict = Violated
		lc.findViolation(&res)
	default:
		lc.findViolation(&res)
	}
	return lc.finish(res)
}

// partitioned returns the check model with porcupine partitioning by tag.
func (lc *linCheck) partitioned() porcupine.Model {
	m := lc.check
	m.Partition = func(history []porcupine.Operation) [][]porcupine.Operation {
		out := make([][]porcupine.Operation, len(lc.keys))
		for _, op := range history {
			p := op.Input.(taggedInput).part
			out[p] = append(out[p], op)
		}
		return out
	}
	return m
}

// findViolation checks the partitions one at a time, smallest first, and
// stops at the first that is not linearizable. Partitions that hit a limit
// stay Inconclusive; so do the ones it did not reach.
func (lc *linCheck) findViolation(res *LinResult) {
	order := make([]int, len(lc.keys))
	for p := range order {
		order[p] = p
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(len(lc.parts[a]), len(lc.parts[b])) })
	for _, p := range order {
		if lc.cut[p].Load() && lc.guard.stop() {
			continue // it hit a limit, and the limit still holds
		}
		lc.cut[p].Store(false)
		ok := porcupine.CheckOperations(lc.check, lc.parts[p])
		switch {
		case lc.cut[p].Load():
		case ok:
			res.Partitions[p].Verdict = Holds
		default:
			res.Partitions[p].Verdict = Violated
			res.Verdict = Violated
			res.unplaced = lc.unplaced(p)
			return
		}
	}
}

// finish sets the verdict, offending keys and detail from the partitions.
func (lc *linCheck) finish(res LinResult) LinResult {
	var violated, undecided []string
	for _, p := range res.Partitions {
		switch p.Verdict {
		case Violated:
			violated = append(violated, p.Key)
		case Inconclusive:
			undecided = append(undecided, p.Key)
		}
	}
	switch {
	case res.Verdict == Violated:
	case len(undecided) > 0:
		res.Verdict = Inconclusive
	default:
		res.Verdict = Holds
	}
	res.Limit = lc.guard.hit()
	for p := range lc.cut {
		if lc.cut[p].Load() && res.Limit == "" {
			res.Limit = LimitTime // the test hook's stop, which stands for the budget
		}
	}
	res.TimedOut = res.Limit == LimitTime
	if lc.model.PartitionKey != nil {
		res.Offending = violated
	} else if res.unplaced != "" {
		res.Offending = []string{res.unplaced}
	}
	res.Detail = lc.detail(res, violated, undecided)
	if res.unplaced != "" {
		res.Detail += "; the first operation no order can place is " + res.unplaced
	}
	return res
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

// wrapSpec returns a porcupine model over tagged inputs: it steps with
// step and describes operations through spec. It does not partition: the
// checker hands it one partition at a time, or sets Partition itself.
func wrapSpec(spec porcupine.Model, step func(state, input, output any) (bool, any)) porcupine.Model {
	m := porcupine.Model{
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

// detail explains the verdict in a sentence or two.
func (lc *linCheck) detail(res LinResult, violated, undecided []string) string {
	n := len(lc.ops) - lc.failed
	partitioned := lc.model.PartitionKey != nil
	var limited []string // partitions a limit cut short
	for p, k := range lc.keys {
		if lc.cut[p].Load() {
			limited = append(limited, k)
		}
	}
	var b strings.Builder
	switch {
	case len(violated) > 0 && partitioned:
		fmt.Fprintf(&b, "not linearizable: no valid order exists for the operations on %s (%d of %s",
			keyList(violated), len(violated), keyCount(len(lc.keys)))
		if len(undecided) > len(limited) {
			b.WriteString("; the check stops at the first key found not linearizable")
		}
		b.WriteString(")")
		if len(limited) > 0 {
			fmt.Fprintf(&b, "; %s before porcupine finished %s", lc.limitPhrase(res.Limit), keyList(limited))
		}
	case len(violated) > 0 || res.Verdict == Violated:
		fmt.Fprintf(&b, "not linearizable: no valid order exists for the %d operations", n)
	case len(undecided) > 0 && partitioned:
		fmt.Fprintf(&b, "undecided, which is not a pass: %s before porcupine finished %s (%d of %s)",
			lc.limitPhrase(res.Limit), keyList(undecided), len(undecided), keyCount(len(lc.keys)))
	case len(undecided) > 0:
		fmt.Fprintf(&b, "undecided, which is not a pass: %s before porcupine decided the %d operations",
			lc.limitPhrase(res.Limit), n)
	default:
		fmt.Fprintf(&b, "linearizable: %d operations", n)
		if partitioned {
			fmt.Fprintf(&b, " on %s", keyCount(len(lc.keys)))
		}
		if lc.unknown > 0 {
			fmt.Fprintf(&b, ", %d of them with unknown outcome", lc.unknown)
		}
	}
	if lc.failed > 0 {
		fmt.Fprintf(&b, "; %d failed operations left out", lc.failed)
	}
	fmt.Fprintf(&b, " (model %s)", lc.model.Name)
	return b.String()
}

// limitPhrase names the limit that cut the check short.
func (lc *linCheck) limitPhrase(limit string) string {
	if limit == LimitMemory {
		return fmt.Sprintf("the %s memory limit was reached", byteSize(lc.lim.Memory))
	}
	return "the " + lc.lim.Time.String() + " budget ran out"
}

// byteSize writes a number of bytes for people: "512 MiB", "4 GiB".
func byteSize(n uint64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return strconv.FormatUint(n>>30, 10) + " GiB"
	case n >= 1<<20:
		return strconv.FormatUint(n>>20, 10) + " MiB"
	}
	return strconv.FormatUint(n, 10) + " bytes"
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
// w. The first call runs porcupine's verbose mode, within the check's
// limits, to collect what the page shows. The output is deterministic for
// a check that finished within its limits. It is safe to call more than
// once and from several goroutines.
func (r LinResult) WriteVisualization(w io.Writer) error {
	if r.vis == nil {
		return ErrNoVisualization
	}
	r.vis.mu.Lock()
	defer r.vis.mu.Unlock()
	lc := r.vis.lc
	if r.vis.info == nil {
		lc.guard = newGuard(lc.lim)
		m := lc.vis
		m.Partition = lc.partitioned().Partition
		_, info := porcupine.CheckOperationsVerbose(m, slices.Concat(lc.parts...), 0)
		lc.guard.release()
		r.vis.info = &info
	}
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
	vis := lc.vis
	vis.Step = specStepTagged(lc.model.Spec)
	return porcupine.Visualize(vis, *r.vis.info, w)
}

// specStepTagged steps spec over tagged inputs, with no limits: porcupine's
// Visualize replays the recorded orders through it.
func specStepTagged(spec porcupine.Model) func(state, input, output any) (bool, any) {
	step := specStep(spec)
	return func(state, input, output any) (bool, any) {
		return step(state, input.(taggedInput).input, output)
	}
}
