// Package explore searches the runs of a scenario over the choices the
// kernel otherwise makes, as a model checker does: which pending message or
// timer is handled next, which message is lost or arrives twice, which
// server crashes and when it restarts. It is what `dsim explore` runs.
//
//	res, err := explore.Explore(s, 1, explore.Options{MaxTimers: 2, MaxCrashes: 1})
//	if err != nil { ... }
//	res.WriteText(os.Stdout)
//	if v := res.Violation; v != nil {
//		v.Path.Write(f) // dsim run --path FILE replays it
//	}
//
// # Steps
//
// A search starts where every run starts, once the nodes' first starts have
// run in the kernel's order. From a state, the steps it may take are, for
// each pending event in the kernel's order: fire it (a message arrives, a
// timer fires, a scheduled fault happens; on a FIFO link only the first
// message in flight may arrive), and for a message, drop it or duplicate it; then crash each running server (the Instance's Servers)
// and restart each crashed one. A fired event is handled at once, at the
// current virtual time (sim.World.Fire): messages arrive early and timers
// fire early, so along a path the clock stays where the starts left it.
// Options bound how many drops, duplicates, crashes and timer firings one
// path may take (a restart is free), its length, the states explored and
// the wall time. A step is a scenarios.Step, and a path a list of them, so
// every path replays exactly: the kernel is deterministic, and events are
// named by IDs that a replay gives again.
//
// # Searches
//
// BFS explores every state at depth d before any at d+1, so the first
// counterexample it finds is as short as any; DFS goes deep first. Both keep
// paths, not worlds: to reach a state they rebuild the scenario and replay
// its path (stateless re-execution), so they need nothing of the protocol.
// Random runs walks that pick each step uniformly, faults included; PCT runs
// walks under a PCT scheduler whose threads are events (each pending event
// a random priority when it appears, the highest-priority one next, and at
// PCTDepth-1 random steps the event about to go drops to the lowest
// priority instead), a probe for configurations too large to exhaust; it
// chooses no faults. Walks are reproducible from
// SearchSeed.
//
// # States
//
// Where every running node implements sim.Describer, a search hashes each
// state it reaches and does not explore again from a state it has reached
// before by a path that spent no more of any bound (and, under a depth
// bound, was no longer). A state is: for each node, whether it is up and
// paused, its DescribeState text and its disk's (sim.Storage.DescribeState:
// what is synced and what a crash would lose); the pending events as a
// multiset of what they are (a message's sender, receiver and text, a
// timer's node and tag, a scheduled fault's due time), not their IDs or due
// times; the cut links; the facts the nodes recorded so far, as a set (the
// checks read them); and the clients' operations, inputs and outputs. Not
// part of it: clocks (they stand still along a path), the position of each
// random stream (a node that draws has drawn the same values on every path
// to a state only if it drew as often), and the order of the facts. A
// message's text is its String method's (sim.Describe), so messages should
// have one that shows their content; a message printed with pointers makes
// equal states look different (the search stays correct, it only prunes
// less). Where some node cannot describe itself, or Options.Stateless is
// set, every path is run and none pruned.
//
// # Checks
//
// At every state it reaches, revisited ones included, a search runs the
// scenario's checks (the Instance's Check on the world at that point, the
// same checks a run ends with) and looks at the safety verdicts only: a
// state in the middle of a run is not its end, so liveness means nothing
// there. A check that fails is confirmed by running the path on to the end
// of the scenario in the kernel's order, as `dsim run --path` replays it:
// if the same check fails there, the path is the counterexample (Result's
// Violation); if not, the failure was transient (Result.Transient; Paxos
// agreement, for example, counts a value learned before a majority accepted
// it as a violation until one has) and the search goes on. A panic in the
// protocol's code is a counterexample too. No protocol offers cheaper
// invariants to check as the search goes: the checks are the run's.
//
// # Result
//
// A Result counts the states explored (each reached by running a path) and
// the unique ones (with hashing), the longest path, states per second, and
// says whether the space within the bounds was exhausted; WriteText and
// WriteJSON print it.
package explore
