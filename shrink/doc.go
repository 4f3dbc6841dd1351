// Package shrink makes a failing run small: given a scenario and a seed
// whose run fails a check, it looks for the smallest scenario whose run
// fails the same check the same way, in the manner of delta debugging,
// and gives it back as a scenario with fixed faults and no nemesis, which
// `dsim run FILE --seed N` replays (Scenario.WriteYAML writes it).
//
//	s, _ := library.Load("twopc-calm")
//	s = s.WithParam("variant", "early-commit")
//	res, err := shrink.Shrink(ctx, s, 1, shrink.Options{OtherSeeds: 20})
//	if err != nil { ... }                   // errors.Is(err, shrink.ErrNothingToShrink): seed 1 passes
//	fmt.Println(res.Before, "->", res.After) // 0 faults, 60 operations, 2528 events -> 0 faults, 3 operations, 13 events
//	res.Minimal.WriteYAML(file)             // fails with res.MinimalSeed
//
// # What is kept
//
// The Target is the check the original run violated (the first in report
// order, or the one Options.Check names) with its verdict, or a panic. A
// smaller candidate is kept only if its run violates that same check; an
// inconclusive check is never a target, since taking everything away
// makes a run inconclusive for want of anything to check. A liveness
// failure is kept only by candidates that leave nothing broken at their
// end that the original left whole (no node left down or paused, no
// network left split), and that keep at least a tenth of the original's
// time after their last fault (LivenessTail at least): else a run would
// lack progress for that reason alone.
//
// # How it shrinks
//
// The run's fault schedule, the nemesis's draws included, becomes fixed
// faults; the scenario with that schedule and no nemesis runs the very
// same events. Then passes, each over one dimension, try smaller
// candidates and keep the first that fails as the target says:
//
//   - faults: delta debugging (Zeller and Hildebrandt's ddmin) over units
//     of a fault and the fault that undoes it (a crash and the node's next
//     restart, a pause and its resume, a partition or cut and its heal, a
//     clock set and the node's next clock set), so no restart is left
//     without its crash; then a crash and its restart become a reboot
//     (one restart), and, for safety failures, an undoing goes on its own
//     (a crashed node stays down);
//   - time: the whole schedule earlier or compressed, then the gaps
//     between faults shorter, the run's duration shorter, and the think
//     time between operations shorter;
//   - workload: fewer operations (also fewer but further apart, over the
//     same time), fewer kinds of operation, fewer keys;
//   - the clients, the nodes (faults and links naming nodes that are gone
//     go too), integer parameters with bounds (MapReduce's tasks,
//     records and words), and the network's loss, duplication and
//     per-link settings.
//
// Which pass goes first decides what the others can do, so the passes
// run to a fixed point in three orders (strategies), each from the
// scenario with fixed faults, and the smallest result wins: fewest fault
// events, then fewest operations, then fewest events.
//
// # The seed
//
// The seed stays fixed while the passes run: dsim's random streams are
// named per node and per component, so taking a fault, a client or an
// operation away leaves everyone else's draws alone, and the minimal run
// is the original run with things taken away. Options.OtherSeeds then
// lets the search go on from the minimal scenario with the next seeds:
// each that fails the same way is shrunk again, and the smallest scenario
// of all wins, with its own seed (Result.MinimalSeed). `dsim shrink`
// tries 20 other seeds unless told --other-seeds 0.
//
// Every candidate is a whole run, so a shrink costs a few hundred to a few
// thousand runs of ever smaller scenarios: about a second for most bug-zoo
// failures. Linearizability checks of candidates have a budget of
// DefaultCheckBudget: one that runs out is inconclusive, so the candidate
// is not kept, which is the only way wall-clock time can change a
// shrink's result.
package shrink
