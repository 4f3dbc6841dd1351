// Package checker decides whether the histories dsim records are correct,
// and says so in one vocabulary shared by every check.
//
// # Verdicts
//
// Every check ends in a Result: the check's name, a Verdict, a Kind (Safety
// or Liveness, reported apart) and a human Detail, plus the Offending items
// (for example keys) when there is a violation. A Verdict is one of:
//
//   - Holds: the property was proved for this history. Only Holds passes.
//   - Violated: a counterexample was found.
//   - Inconclusive: the check could not decide, typically because
//     linearizability checking (NP-complete) ran out of its time budget.
//     Inconclusive is never a pass: it is reported with the budget used,
//     counted on its own, and fails a run unless the user allowed it. The
//     zero Verdict is Inconclusive.
//
// Verdicts, kinds and results marshal to JSON as words ("violated",
// "safety").
//
// # Histories
//
// A history is a []Operation of plain data: the client, the Input and
// Output (of the model's types), and the Call and Return times in virtual
// nanoseconds. An operation whose client never learned the result (it timed
// out, crashed, or the run ended) has Outcome Unknown: it may or may not have
// taken effect, at any time after its call, and the checker treats it that
// way. The checker does not import the simulator; the kernel's history is
// converted to operations by the caller.
//
// Histories are stored as JSON by WriteHistory and read back by ReadHistory,
// which reports a bad file by line, operation index and field; HistoryVersion
// documents the format.
//
// # Linearizability
//
// CheckLinearizable checks a history against a Model with porcupine
// (github.com/anishathalye/porcupine). Two models are built in:
//
//   - RegisterModel: one string register, starting as "", with read, write
//     and compare-and-set (RegisterInput, RegisterOutput).
//   - KVModel: a key-value store of strings with get, put, append and
//     compare-and-set (KVInput, KVOutput), partitioned by key: each key's
//     sub-history is checked on its own, and a violation names the keys at
//     fault.
//
// Protocols record KVInput and KVOutput values directly as operation inputs
// and outputs. For example:
//
//	history := []checker.Operation{
//		{Client: 0, Call: 0, Return: 10,
//			Input: checker.KVInput{Op: checker.KVPut, Key: "b", Value: "2"}},
//		{Client: 1, Call: 20, Return: 30,
//			Input: checker.KVInput{Op: checker.KVGet, Key: "b"}, Output: checker.KVOutput{Value: "1"}},
//		{Client: 2, Call: 40, Outcome: checker.Unknown,
//			Input: checker.KVInput{Op: checker.KVPut, Key: "b", Value: "1"}},
//	}
//	res, err := checker.CheckLinearizable(checker.KVModel(), history, 10*time.Second)
//	if err != nil {
//		return err // a malformed history: errors.Is(err, checker.ErrBadHistory)
//	}
//	fmt.Println(res.Verdict, res.Offending) // violated [b]
//	err = res.WriteVisualization(htmlFile)  // porcupine's interactive page
//
// The put of "1" timed out, so it may have taken effect, but not before it
// was called at 40, after the get had returned: it cannot explain the get,
// which is stale. Had it been called at 5, the history would hold.
//
// The budget is wall-clock time, the only wall-clock input to any checker,
// and it can only turn a verdict into Inconclusive. A check that finishes
// within its budget is deterministic: same history, same Result and same
// visualization, byte for byte.
package checker
