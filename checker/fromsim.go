package checker

import "github.com/dsimlab/dsim/sim"

// FromSim converts a run's history, as the kernel recorded it, into checker
// operations: times become virtual nanoseconds, the client is the node's id,
// and an operation that never returned gets Outcome Unknown (it may or may
// not have taken effect), as CheckLinearizable expects.
func FromSim(history []sim.Operation) []Operation {
	ops := make([]Operation, len(history))
	for i, h := range history {
		op := Operation{Client: int(h.Client), Input: h.Input, Output: h.Output,
			Call: int64(h.Invoke), Return: int64(h.Return)}
		if !h.Returned {
			op.Outcome = Unknown
			op.Output = nil
		}
		ops[i] = op
	}
	return ops
}
