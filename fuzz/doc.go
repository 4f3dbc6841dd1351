// Package fuzz runs a scenario's seeds without end and keeps what fails,
// in the spirit of TigerBeetle's continuous fuzzing: `dsim fuzz SCENARIO
// --corpus DIR` is its command.
//
// Failures are grouped by a Signature: the protocol, the check that failed
// and its verdict, and the shape of the violation, the first thing the
// check's detail reports with every number and duration replaced by "#"
// (a panic's shape is its value, so shaped, and the function that
// panicked). Two seeds that lose a write the same way share a signature;
// a lost write and a stale read do not, nor do two checks.
//
// A Corpus is a directory:
//
//	DIR/fuzz.json              the scenario, the program's version, the
//	                           lowest seed not yet run, runs and failures
//	DIR/<id>/finding.json      one group: its signature, its fastest-failing
//	                           seed (fewest events), how often it was seen,
//	                           and how its seed shrank
//	DIR/<id>/minimal.yaml      that seed's failure, shrunk (package shrink):
//	                           `dsim run DIR/<id>/minimal.yaml --seed N`
//
// Every file is written whole or not at all (a temporary file renamed over
// it), so a fuzzer can be stopped at any moment, even by SIGKILL, and
// started again: Run carries on from the lowest seed that had not
// finished, with every finding it had, and shrinks again any seed whose
// shrink was cut short.
//
//	c, err := fuzz.Open("corpus", "paxos-nemesis", "dsim v1", 1)
//	if err != nil { ... }
//	err = fuzz.Run(ctx, s, c, fuzz.Options{Shrink: true}) // until ctx is done
//	for _, f := range c.Findings() {
//		fmt.Println(f.Signature, f.Seed, f.Minimal)
//	}
//
// Fuzzing runs with swarm testing on: every seed draws its own fault and
// workload mix, within the scenario's swarm bounds (scenarios.SwarmBounds),
// so a finding's seed replays with --swarm.
package fuzz
