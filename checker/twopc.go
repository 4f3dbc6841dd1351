package checker

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

// The Check names of the atomic-commit checks (two- and three-phase
// commit).
const (
	// AtomicityCheck: every node that decides a transaction decides the same
	// way, no node changes its decision (not even across crashes), a
	// transaction commits only if every participant's latest vote was yes,
	// and a participant commits only from its prepared state.
	AtomicityCheck = "atomicity"
	// IsolationCheck: the committed transactions are strictly serializable,
	// checked with porcupine against TxnModel.
	IsolationCheck = "isolation"
	// TerminationCheck: no transaction is left blocked at the end of the
	// run. It is a liveness check: 2PC blocks by design when its
	// coordinator fails at the wrong moment.
	TerminationCheck = "termination"
)

// TxnEventKind is the kind of a TxnEvent.
type TxnEventKind uint8

// The kinds of atomic-commit events. The zero kind is invalid, so a
// forgotten field is caught by validation.
const (
	// TxnBegin: coordinator Node started Txn with Participants.
	TxnBegin TxnEventKind = iota + 1
	// TxnVote: participant Node voted on Txn, yes if Commit is true. Only
	// a participant's latest vote counts: one that voted no, crashed
	// before anyone heard it and forgot it may vote again.
	TxnVote
	// TxnDecide: coordinator Node (or a node acting as coordinator)
	// decided Txn: commit if Commit is true, else abort.
	TxnDecide
	// TxnApply: participant Node learned the decision of Txn and applied
	// it, or aborted Txn on its own before voting. Unprepared marks a
	// commit applied without the participant's prepared state (it lost it).
	TxnApply
)

var txnKindNames = [...]string{TxnBegin: "begin", TxnVote: "vote", TxnDecide: "decide", TxnApply: "apply"}

// String returns "begin", "vote", "decide" or "apply".
func (k TxnEventKind) String() string {
	if k >= TxnBegin && k <= TxnApply {
		return txnKindNames[k]
	}
	return fmt.Sprintf("TxnEventKind(%d)", int(k))
}

// TxnEvent is one step of an atomic-commit protocol that CheckAtomicity
// reads. Protocols record them as facts (sim.Context.Record) and convert them.
type TxnEvent struct {
	Kind TxnEventKind
	Time int64  // virtual ns since the start of the run
	Node string // the node's name
	Txn  string // the transaction's id
	// Commit is the vote (yes) for TxnVote and the decision (commit) for
	// TxnDecide and TxnApply.
	Commit bool
	// Participants lists the participants, for TxnBegin.
	Participants []string
	// Unprepared marks a TxnApply of a commit by a participant that held
	// no prepared state for Txn.
	Unprepared bool
}

// ValidateTxnEvents checks that events are well formed: valid kinds,
// non-empty nodes and transactions, participants on every TxnBegin, and
// times in order. It returns an error wrapping ErrBadHistory naming the
// first bad event by index.
func ValidateTxnEvents(events []TxnEvent) error {
	var last int64
	for i, e := range events {
		var err error
		switch {
		case e.Kind < TxnBegin || e.Kind > TxnApply:
			err = fmt.Errorf("kind: invalid value %d", int(e.Kind))
		case e.Node == "":
			err = errors.New("node: missing")
		case e.Txn == "":
			err = errors.New("txn: missing")
		case e.Time < last:
			err = fmt.Errorf("time: %d is before the previous event's %d (events must be in order)", e.Time, last)
		case e.Kind == TxnBegin && len(e.Participants) == 0:
			err = errors.New("participants: a begin event needs at least one")
		case e.Unprepared && (e.Kind != TxnApply || !e.Commit):
			err = errors.New("unprepared: only for the apply of a commit")
		}
		if err != nil {
			return fmt.Errorf("%w: txn event %d: %w", ErrBadHistory, i, err)
		}
		last = e.Time
	}
	return nil
}

// CheckAtomicity checks that the transactions of a run were atomic:
//
//   - agreement and stability: every decide and apply event of a
//     transaction has the same outcome, whichever node made it and however
//     many times it crashed in between;
//   - validity: when a transaction first commits (decided or applied), the
//     latest vote of each of its participants is yes (participants come
//     from its TxnBegin; without one, from the votes seen);
//   - durability of the vote: no participant applies a commit without its
//     prepared state (TxnApply with Unprepared).
//
// Offending lists the transactions at fault, sorted. It returns an error
// wrapping ErrBadHistory if ValidateTxnEvents rejects events.
func CheckAtomicity(events []TxnEvent) (Result, error) {
	if err := ValidateTxnEvents(events); err != nil {
		return Result{}, err
	}
	type vote struct {
		yes  bool
		time int64
	}
	type txn struct {
		parts     []string
		votes     map[string]vote
		voters    []string // in first-vote order, when there is no begin
		decided   bool
		outcome   bool
		by        string // the node of the first decision
		byKind    TxnEventKind
		at        int64
		committed bool // validity was checked at the first commit
		problem   string
		problemAt int64
	}
	txns := map[string]*txn{}
	var commits, aborts int
	for _, e := range events {
		t := txns[e.Txn]
		if t == nil {
			t = &txn{votes: map[string]vote{}}
			txns[e.Txn] = t
		}
		note := func(format string, args ...any) {
			if t.problem == "" {
				t.problem = e.Txn + ": " + fmt.Sprintf(format, args...)
				t.problemAt = e.Time
			}
		}
		switch e.Kind {
		case TxnBegin:
			if t.parts == nil {
				t.parts = slices.Clone(e.Participants)
			}
		case TxnVote:
			if _, ok := t.votes[e.Node]; !ok {
				t.voters = append(t.voters, e.Node)
			}
			t.votes[e.Node] = vote{yes: e.Commit, time: e.Time}
		case TxnDecide, TxnApply:
			verb := "decided"
			if e.Kind == TxnApply {
				verb = "applied"
			}
			if e.Unprepared {
				note("%s applied commit at %s without its prepared state (its yes vote was not durable)", e.Node, fmtNs(e.Time))
			}
			if !t.decided {
				t.decided, t.outcome, t.by, t.byKind, t.at = true, e.Commit, e.Node, e.Kind, e.Time
				if e.Commit {
					commits++
				} else {
					aborts++
				}
			} else if e.Commit != t.outcome {
				firstVerb := "decided"
				if t.byKind == TxnApply {
					firstVerb = "applied"
				}
				if e.Node == t.by {
					note("%s %s %s at %s, then %s %s at %s: a decision changed", t.by, firstVerb, outcomeWord(t.outcome),
						fmtNs(t.at), verb, outcomeWord(e.Commit), fmtNs(e.Time))
				} else {
					note("%s %s %s at %s but %s %s %s at %s", t.by, firstVerb, outcomeWord(t.outcome), fmtNs(t.at),
						e.Node, verb, outcomeWord(e.Commit), fmtNs(e.Time))
				}
			}
			if e.Commit && !t.committed {
				t.committed = true
				parts := t.parts
				if parts == nil {
					parts = t.voters
				}
				for _, p := range parts {
					v, ok := t.votes[p]
					switch {
					case !ok:
						note("%s %s commit at %s before %s voted", e.Node, verb, fmtNs(e.Time), p)
					case !v.yes:
						note("%s %s commit at %s although %s voted no at %s", e.Node, verb, fmtNs(e.Time), p, fmtNs(v.time))
					}
				}
			}
		}
	}
	ids := slices.Sorted(maps.Keys(txns))
	var bad []string
	for _, id := range ids {
		if txns[id].problem != "" {
			bad = append(bad, id)
		}
	}
	res := Result{Check: AtomicityCheck, Kind: Safety, Verdict: Holds}
	if len(bad) == 0 {
		res.Detail = fmt.Sprintf("%d transactions: %d committed, %d aborted, %d undecided; every decision agrees and never changed, every commit had all votes yes",
			len(ids), commits, aborts, len(ids)-commits-aborts)
		return res, nil
	}
	res.Verdict = Violated
	res.Offending = bad
	byTime := slices.Clone(bad)
	slices.SortStableFunc(byTime, func(a, b string) int { return cmp.Compare(txns[a].problemAt, txns[b].problemAt) })
	problems := make([]string, 0, 3)
	for _, id := range byTime[:min(3, len(byTime))] {
		problems = append(problems, txns[id].problem)
	}
	more := ""
	if len(bad) > 3 {
		more = fmt.Sprintf("; and %d more", len(bad)-3)
	}
	res.Detail = fmt.Sprintf("%s of %d not atomic: %s%s", countTxns(len(bad)), len(ids), strings.Join(problems, "; "), more)
	return res, nil
}

func outcomeWord(commit bool) string {
	if commit {
		return "commit"
	}
	return "abort"
}

// fmtNs formats virtual nanoseconds as a duration since the start, e.g.
// "1.5ms".
func fmtNs(ns int64) string { return time.Duration(ns).String() }

func countTxns(n int) string {
	if n == 1 {
		return "1 transaction"
	}
	return strconv.Itoa(n) + " transactions"
}

// BlockedTxn is a transaction left undecided at the end of a run by
// participants that voted yes and so may not decide alone: the finding of
// a termination check.
type BlockedTxn struct {
	Txn   string
	Nodes []string // the participants holding it prepared, sorted
	Since int64    // virtual ns: when the first of them voted yes
	// Reason says why none of them could decide, e.g. "the coordinator
	// coord is down (crashed at 1.2s) and every participant voted yes".
	Reason string
}

// CheckTermination reports the transactions left blocked at the end of a
// run as a liveness result: Holds when there are none, else Violated with
// every blocked transaction, where and since when it is held, and why, in
// Detail (the first five) and Offending (all, sorted).
func CheckTermination(blocked []BlockedTxn) Result {
	res := Result{Check: TerminationCheck, Kind: Liveness, Verdict: Holds,
		Detail: "no transaction is blocked: every participant that voted yes learned the decision"}
	if len(blocked) == 0 {
		return res
	}
	bs := slices.Clone(blocked)
	slices.SortFunc(bs, func(a, b BlockedTxn) int {
		return cmp.Or(cmp.Compare(a.Since, b.Since), strings.Compare(a.Txn, b.Txn))
	})
	res.Verdict = Violated
	var parts []string
	for _, b := range bs[:min(5, len(bs))] {
		parts = append(parts, fmt.Sprintf("%s held prepared by %s since %s: %s", b.Txn, strings.Join(b.Nodes, ", "), fmtNs(b.Since), b.Reason))
	}
	if len(bs) > 5 {
		parts = append(parts, fmt.Sprintf("and %d more", len(bs)-5))
	}
	for _, b := range bs {
		res.Offending = append(res.Offending, b.Txn)
	}
	slices.Sort(res.Offending)
	res.Offending = slices.Compact(res.Offending)
	res.Detail = fmt.Sprintf("%s blocked at the end of the run: %s", countTxns(len(res.Offending)), strings.Join(parts, "; "))
	return res
}

// TxnOpKind is the kind of one step of a transaction. The zero kind is
// invalid.
type TxnOpKind uint8

// The steps a transaction can take.
const (
	// TxnRead reads Key; the transaction's output carries the value.
	TxnRead TxnOpKind = iota + 1
	// TxnWrite sets Key to Value.
	TxnWrite
)

// String returns "read" or "write".
func (k TxnOpKind) String() string {
	switch k {
	case TxnRead:
		return "read"
	case TxnWrite:
		return "write"
	}
	return fmt.Sprintf("TxnOpKind(%d)", int(k))
}

// TxnOp is one step of a transaction.
type TxnOp struct {
	Kind  TxnOpKind
	Key   string
	Value string // written by TxnWrite; empty for TxnRead
}

// TxnInput is the input of a transaction operation in TxnModel: the steps
// run in order, so a read after a write of the same key sees that write.
// Protocols record it directly as Operation.Input.
type TxnInput struct {
	ID  string // names the transaction in reports; unique in a history
	Ops []TxnOp
}

// TxnOutput is the output of a transaction operation. Protocols record it
// directly as Operation.Output.
type TxnOutput struct {
	// Committed says whether the transaction committed. An aborted
	// transaction has no effect.
	Committed bool
	// Reads holds the value of each TxnRead step, in order, for a
	// committed transaction ("" for a missing key).
	Reads []string
	// Unknown marks the output as unknown (see KVOutput.Unknown).
	Unknown bool
}

// String formats the transaction for traces, e.g. `c1-3: w(k1, "c1-3") r(k2)`.
func (in TxnInput) String() string {
	var b strings.Builder
	b.WriteString(in.ID)
	b.WriteByte(':')
	for _, op := range in.Ops {
		b.WriteByte(' ')
		if op.Kind == TxnRead {
			b.WriteString("r(" + op.Key + ")")
		} else {
			b.WriteString("w(" + op.Key + ", " + strconv.Quote(op.Value) + ")")
		}
	}
	return b.String()
}

// String formats the outcome for traces, e.g. `committed ["c1-3" ""]`.
func (out TxnOutput) String() string {
	switch {
	case out.Unknown:
		return "unknown"
	case !out.Committed:
		return "aborted"
	}
	var b strings.Builder
	b.WriteString("committed [")
	for i, r := range out.Reads {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.Quote(r))
	}
	b.WriteByte(']')
	return b.String()
}

const txnName = "txn"

// TxnModel returns the model of a key-value map of strings whose operations
// are whole transactions (TxnInput, TxnOutput), each applied atomically:
// checking a history against it with porcupine decides strict
// serializability. A missing key reads as "". There is one partition (a
// transaction may touch any key), so keep histories small: tens of
// transactions, a few clients. Its name is "txn".
func TxnModel() Model {
	return Model{
		Name: txnName,
		Spec: porcupine.Model{
			Init:              func() any { return txnState(nil) },
			Step:              txnStep,
			Equal:             func(a, b any) bool { return slices.Equal(a.(txnState), b.(txnState)) },
			Hash:              hashTxnState,
			DescribeOperation: describeTxn,
			DescribeState:     func(state any) string { return state.(txnState).String() },
		},
		UnknownOutput: TxnOutput{Unknown: true},
		Validate:      validateTxn,
	}
}

// txnState is the model's state: the map's entries sorted by key. It is
// never modified in place; set returns a copy.
type txnState []txnEntry

type txnEntry struct{ key, value string }

func (s txnState) get(key string) string {
	i, ok := slices.BinarySearchFunc(s, key, func(e txnEntry, k string) int { return strings.Compare(e.key, k) })
	if !ok {
		return ""
	}
	return s[i].value
}

func (s txnState) set(key, value string) txnState {
	i, ok := slices.BinarySearchFunc(s, key, func(e txnEntry, k string) int { return strings.Compare(e.key, k) })
	next := make(txnState, len(s), len(s)+1)
	copy(next, s)
	if ok {
		next[i].value = value
		return next
	}
	return slices.Insert(next, i, txnEntry{key, value})
}

// String formats the state as {k1: "v", k2: "w"}.
func (s txnState) String() string {
	var b strings.Builder
	b.WriteByte('{')
	for i, e := range s {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(e.key)
		b.WriteString(": ")
		b.WriteString(strconv.Quote(e.value))
	}
	b.WriteByte('}')
	return b.String()
}

func hashTxnState(state any) uint64 {
	h := uint64(14695981039346656037)
	for _, e := range state.(txnState) {
		for _, s := range [2]string{e.key, e.value} {
			for i := 0; i < len(s); i++ {
				h ^= uint64(s[i])
				h *= 1099511628211
			}
			h ^= 0xff
			h *= 1099511628211
		}
	}
	return h
}

func txnStep(state, input, output any) (bool, any) {
	st := state.(txnState)
	in := input.(TxnInput)
	out, _ := output.(TxnOutput)
	if !out.Unknown && !out.Committed {
		return true, st
	}
	next, r := st, 0
	for _, op := range in.Ops {
		switch op.Kind {
		case TxnRead:
			if !out.Unknown && (r >= len(out.Reads) || out.Reads[r] != next.get(op.Key)) {
				return false, st
			}
			r++
		case TxnWrite:
			next = next.set(op.Key, op.Value)
		}
	}
	return true, next
}

func describeTxn(input, output any) string {
	in := input.(TxnInput)
	out, _ := output.(TxnOutput)
	var b strings.Builder
	b.WriteString(in.ID)
	b.WriteString(":")
	r := 0
	for _, op := range in.Ops {
		b.WriteByte(' ')
		switch op.Kind {
		case TxnRead:
			fmt.Fprintf(&b, "r(%s)", op.Key)
			if out.Committed && !out.Unknown && r < len(out.Reads) {
				fmt.Fprintf(&b, "=%q", out.Reads[r])
			}
			r++
		case TxnWrite:
			fmt.Fprintf(&b, "w(%s, %q)", op.Key, op.Value)
		}
	}
	switch {
	case out.Unknown:
		b.WriteString(" -> ?")
	case out.Committed:
		b.WriteString(" -> committed")
	default:
		b.WriteString(" -> aborted")
	}
	return b.String()
}

func validateTxn(op Operation) error {
	in, ok := op.Input.(TxnInput)
	if !ok {
		return fmt.Errorf("input: want checker.TxnInput, got %T", op.Input)
	}
	reads := 0
	for i, s := range in.Ops {
		switch {
		case s.Kind != TxnRead && s.Kind != TxnWrite:
			return fmt.Errorf("input.ops[%d].kind: invalid value %d", i, int(s.Kind))
		case s.Key == "":
			return fmt.Errorf("input.ops[%d].key: missing", i)
		case s.Kind == TxnRead && s.Value != "":
			return fmt.Errorf("input.ops[%d].value: not used by read (the value read goes in output.reads)", i)
		}
		if s.Kind == TxnRead {
			reads++
		}
	}
	if op.Outcome == Unknown {
		return nil
	}
	out, ok := op.Output.(TxnOutput)
	if !ok {
		return fmt.Errorf("output: want checker.TxnOutput, got %T", op.Output)
	}
	if out.Committed && len(out.Reads) != reads {
		return fmt.Errorf("output.reads: %d values for %d reads", len(out.Reads), reads)
	}
	return nil
}

// CheckIsolation checks that the committed transactions of a history
// (inputs TxnInput, outputs TxnOutput) are strictly serializable: that one
// order of them, consistent with real time, explains every value read.
// Aborted transactions are left out (they must have had no effect);
// transactions with unknown outcome may or may not have committed. It runs
// CheckLinearizable with TxnModel within budget, and adds two things:
//
//   - dirty reads: a committed transaction that read a value only aborted
//     transactions wrote is reported by name, whatever porcupine says;
//   - on a violation, Offending names the transactions no order can place
//     next after porcupine's longest partial order (the ones whose reads
//     contradict it), rather than partition keys.
//
// The result's Check is IsolationCheck. It returns an error wrapping
// ErrBadHistory for a malformed history.
func CheckIsolation(ops []Operation, budget time.Duration) (LinResult, error) {
	model := TxnModel()
	if err := ValidateHistory(model, ops); err != nil {
		return LinResult{}, err
	}
	var kept []Operation
	aborted := 0
	for _, op := range ops {
		if out, ok := op.Output.(TxnOutput); ok && op.Outcome == OK && !out.Committed {
			aborted++
			continue
		}
		kept = append(kept, op)
	}
	dirty, dirtyText := dirtyReads(ops)
	res, err := CheckLinearizable(model, kept, budget)
	if err != nil {
		return LinResult{}, err
	}
	res.Check = IsolationCheck
	res.Offending = nil
	unknown := 0
	for _, op := range kept {
		if op.Outcome == Unknown {
			unknown++
		}
	}
	if len(dirty) > 0 {
		res.Verdict = Violated
	}
	switch res.Verdict {
	case Holds:
		res.Detail = fmt.Sprintf("strictly serializable: %d transactions (%d of them with unknown outcome; %d aborted ones left out)",
			len(kept), unknown, aborted)
	case Inconclusive:
		res.Detail = fmt.Sprintf("undecided, which is not a pass: the %s budget ran out before porcupine decided the %d transactions",
			budget, len(kept))
		if res.Vacuous {
			res.Detail = fmt.Sprintf("nothing to check: no transaction committed or was left in doubt (%d aborted)", aborted)
		}
	case Violated:
		var stuck []string
		if len(res.Partitions) > 0 && res.Partitions[0].Verdict == Violated {
			stuck = txnStuck(model, kept, budget)
		}
		res.Offending = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(dirty), stuck...))))
		var b strings.Builder
		fmt.Fprintf(&b, "not strictly serializable: ")
		if len(dirty) > 0 {
			b.WriteString(dirtyText)
			if len(stuck) > 0 {
				b.WriteString("; and ")
			}
		}
		if len(stuck) > 0 {
			fmt.Fprintf(&b, "no order of the %d transactions explains what %s read", len(kept), strings.Join(stuck, ", "))
		}
		res.Detail = b.String()
	}
	return res, nil
}

// dirtyReads returns the committed transactions that read a non-empty
// value written only by transactions known to have aborted, and a sentence
// about the first.
func dirtyReads(ops []Operation) ([]string, string) {
	writers := map[string][]int{} // value -> writing operations
	for i, op := range ops {
		for _, s := range op.Input.(TxnInput).Ops {
			if s.Kind == TxnWrite {
				writers[s.Value] = append(writers[s.Value], i)
			}
		}
	}
	var bad []string
	text := ""
	for _, op := range ops {
		out, ok := op.Output.(TxnOutput)
		if !ok || op.Outcome != OK || !out.Committed {
			continue
		}
		in := op.Input.(TxnInput)
		r := 0
		for _, s := range in.Ops {
			if s.Kind != TxnRead {
				continue
			}
			v := out.Reads[r]
			r++
			ws := writers[v]
			if v == "" || len(ws) == 0 {
				continue
			}
			allAborted := true
			for _, w := range ws {
				wout, ok := ops[w].Output.(TxnOutput)
				if !ok || ops[w].Outcome != OK || wout.Committed {
					allAborted = false
				}
			}
			if allAborted {
				if text == "" {
					text = fmt.Sprintf("%s read %s = %q, written only by %s, which aborted", in.ID, s.Key, v, ops[ws[0]].Input.(TxnInput).ID)
				}
				bad = append(bad, in.ID)
				break
			}
		}
	}
	return bad, text
}

// txnStuck names the transactions that cannot come next after the longest
// partial order porcupine found: those that were called before any other
// remaining transaction returned and whose reads contradict the state the
// partial order leads to (all such candidates if none contradicts it).
func txnStuck(model Model, ops []Operation, budget time.Duration) []string {
	var last int64
	for _, op := range ops {
		if op.Outcome == Unknown {
			last = max(last, op.Call)
		} else {
			last = max(last, op.Return)
		}
	}
	history := make([]porcupine.Operation, len(ops))
	ret := make([]int64, len(ops))
	for i, op := range ops {
		history[i] = porcupine.Operation{ClientId: op.Client, Input: op.Input, Call: op.Call, Output: op.Output, Return: op.Return}
		if op.Outcome == Unknown {
			history[i].Output, history[i].Return = model.UnknownOutput, last+1
		}
		ret[i] = history[i].Return
	}
	_, info := porcupine.CheckOperationsVerbose(model.Spec, history, budget)
	var longest []int
	for _, part := range info.PartialLinearizations() {
		for _, l := range part {
			if len(l) > len(longest) || len(l) == len(longest) && slices.Compare(l, longest) < 0 {
				longest = l
			}
		}
	}
	state := model.Spec.Init()
	done := make([]bool, len(ops))
	for _, i := range longest {
		_, state = model.Spec.Step(state, history[i].Input, history[i].Output)
		done[i] = true
	}
	first := int64(1<<63 - 1)
	for i := range ops {
		if !done[i] {
			first = min(first, ret[i])
		}
	}
	var rejected, candidates []string
	for i, op := range ops {
		if done[i] || op.Outcome == Unknown || op.Call > first {
			continue
		}
		id := op.Input.(TxnInput).ID
		candidates = append(candidates, id)
		if ok, _ := model.Spec.Step(state, history[i].Input, history[i].Output); !ok {
			rejected = append(rejected, id)
		}
	}
	if len(rejected) == 0 {
		rejected = candidates
	}
	slices.Sort(rejected)
	return rejected
}
