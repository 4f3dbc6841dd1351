// Package dsimtest runs dsim inside `go test`: sweeps of a scenario over
// seeds, each seed a subtest that fails with its verdicts and the command
// that replays it, and a probe that drives one node's handlers step by step.
//
// # Sweeps
//
// A test sweeps a scenario (a catalog name, a YAML file or a
// *scenarios.Scenario) over a range of seeds:
//
//	func TestCalm(t *testing.T) {
//		dsimtest.Sweep(t, "calm", "1-200",
//			dsimtest.Protocols(register.Protocol()),
//			dsimtest.Scenarios(register.Scenarios, "scenarios"),
//			dsimtest.Command("go run ./cmd/regsim"))
//	}
//
// Each seed is a parallel subtest named "seed=N". A seed whose checks do
// not all hold fails with every such check's verdict and detail, the
// command that replays it, and the line that reruns just that subtest:
//
//	seed 17 of calm failed:
//	  linearizability (safety): violated: ...
//	replay: go run ./cmd/regsim run calm --seed 17
//	rerun:  go test -run '^TestCalm$/^seed=17$'
//
// A scenario built or changed in Go has no replay command (the command
// line cannot express it); its rerun line replays it.
//
// Under `go test -short` a sweep runs only the first DefaultShort (10)
// seeds of its range, or as many as the Short option says. The seeds run
// after the test function returns, as parallel subtests do.
//
// # Planted bugs
//
// ExpectViolation turns a sweep into a bug hunt: the test passes when some
// seed violates the named checks, and fails, listing what it saw, when none
// does. Seeds after the first violating one are skipped. This is how a
// planted bug, or a teacher's bug zoo, is kept honest. ExpectAnyViolation
// is content with one of its checks, for a bug several checks may catch;
// EverySeed runs every seed and logs how many violated, a detection rate. Load loads a
// scenario with the same catalog, to be changed in Go:
//
//	s := dsimtest.Load(t, "lossy", opts...)
//	dsimtest.Sweep(t, s.WithParam("variant", "stale-read"), "1-20",
//		dsimtest.ExpectViolation("linearizability"))
//
// # Golden fingerprints
//
// Golden pins every seed's trace fingerprint in a file, one line per seed;
// a seed whose run changed fails with the old and new lines. Only
// `go test -dsimtest.update` rewrites the file, and its diff is reviewed
// like code.
//
// # The probe
//
// A Probe runs one node in a real World, surrounded by passive peers, and
// lets a test deliver a message from a peer, let time pass until a timer
// fires, crash and restart the node, and then read what it sent (to whom,
// what), which timers fired, what it stored and synced, the facts it
// recorded and the operations it invoked. The network delivers at once, so
// time moves only when the test moves it:
//
//	p := dsimtest.NewProbe("r1", register.NewReplica(register.Correct),
//		dsimtest.Nodes("r1", "r2", "r3", "c1"))
//	p.Deliver("c1", &register.Query{Phase: 1})
//	p.Take() // [c1: value 1: 0.0 ""], sent at 0s
//	p.Crash()
//	p.Restart()
//	dsimtest.FactsOf[register.Recovered](p) // what it read back from disk
//
// examples/register in dsim's repository is a protocol from outside dsim
// tested this way, and docs/write-your-own-protocol.md walks through it.
package dsimtest
