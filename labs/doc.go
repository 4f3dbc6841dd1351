// Package labs is dsim's graded labs: a protocol a student writes in
// parts, in a Go module of its own, against the contract of a protocol
// package dsim ships (its messages, its clients and its checks), and the
// tests that grade it, in tiers, with points, hints and replayable
// failures. The command's `lab` subcommands (package cli) are its user
// interface; docs/labs.md is the guide for teachers and students.
//
// # Labs
//
// A Lab names its parts (what the student writes, in order, and in which
// files), its tests and the scenario protocol the student's code is
// registered as. All returns the labs: Raft (election, replication,
// persistence, against package raft), TwoPC (commit, recovery, against
// package twopc) and Paxos (acceptor, leader, replica, against package
// paxos). Each lab's module is a directory of this package's source tree,
// labs/NAME, embedded in the binary: the reference solution (package
// NAMElab, which dsim's own tests grade), its command cmd/NAMElab (a main
// of one statement, cli.Main with the student's protocol and the lab's
// name) and a README that teaches the protocol and the tools.
//
// # Skeletons
//
// The reference solution is the one source of the skeleton. In the files
// the student writes, each function body the student must supply sits
// between two markers, below a TODO(lab) comment that says what it must
// do:
//
//	func (s *Server) upToDate(lastTerm, lastIndex int64) bool {
//		// TODO(lab): the election restriction.
//		//lab:solution
//		mine := s.log.LastTerm()
//		return lastTerm > mine || lastTerm == mine && lastIndex >= s.log.Last()
//		//lab:skeleton
//		// return true
//		//lab:end
//	}
//
// Strip removes each //lab:solution ... //lab:end region and keeps the
// lines of its //lab:skeleton section, uncommented; Init writes the
// stripped module (imports it no longer uses dropped, gofmt'ed) with a
// go.mod that requires dsim, and a replace directive to a checkout of
// dsim's source where dsim is not published. The untouched skeleton
// compiles, runs, and records nothing the checks can use, so every test
// fails: it scores zero.
//
// # Grading
//
// Grade runs a lab's tests on a Subject: the protocol the student's
// command registers, or one of dsim's own protocols in a bug-zoo variant
// (Lab.BuiltinSubject), which is what a student who made that mistake
// would hand in. A test is a library scenario with the test's checks and
// changes (Lab.Scenario), run for a fixed range of seeds in order; it is
// worth its points if every seed passes every check it asks for (an
// inconclusive check, such as one with nothing to check, fails it), and
// nothing otherwise. Tests come in tiers:
//
//   - Run: fixed seeds of calm and lossy networks;
//   - Search: a small configuration, run and then searched (package
//     explore) within fixed bounds;
//   - Unreliable: seed sweeps with crashes, partitions and random faults.
//
// The first failing seed of a test is its Failure: what failed (each
// check that did not hold, or the panic), the test's hint and the checks'
// (Lab.CheckHints), and, with Options.Out, the run saved as a scenario
// file with the command that replays it. Everything Grade prints is
// deterministic, so a grading's text can be a golden file.
//
//	res, err := labs.Grade(labs.Raft(), sub, labs.Options{Out: "lab-runs",
//		Command: "go run ./cmd/raftlab", Progress: os.Stdout})
//	if err == nil && !res.Full() { ... }
package labs
