package checker

import "github.com/dsimlab/dsim/sim"

// FromSim converts a run's history, as the kernel recorded it, into checker
// operations: times become virtual nanoseconds, clients are numbered 0, 1,
// ... in the order of their first operation (so porcupine's visualization
// draws one row per client and no empty rows for server nodes), and an
// operation that never returned gets Outcome Unknown (it may or may not have
// taken effect), as CheckLinearizable expects.
func FromSim(history []sim.Operation) []Operation {
	ops := make([]Operation, len(history))
	clients := map[sim.NodeID]int{}
	for i, h := range history {
		c, ok := clients[h.Client]
		if !ok {
			c = len(clients)
			clients[h.Client] = c
		}
		op := Operation{Client: c, Input: h.Input, Output: h.Output,
			Call: int64(h.Invoke), Return: int64(h.Return)}
		if !h.Returned {
			op.Outcome = Unknown
			op.Output = nil
		}
		ops[i] = op
	}
	return ops
}
