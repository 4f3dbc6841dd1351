// Package twopc implements atomic commitment in dsim: two-phase commit
// (2PC) with presumed abort, durable logs, crash recovery, timeouts and the
// cooperative termination protocol, and three-phase commit (3PC) for
// comparison. Both run as plain sim nodes and plug into scenarios as the
// protocols "twopc" (Protocol) and "threepc" (ThreePhaseProtocol).
//
// # Nodes
//
// A Coordinator runs transactions for Clients over Participants. Each
// participant holds the keys Owner assigns it (kI lives on participant I mod
// N). A transaction is a list of steps (checker.TxnOp: reads and writes);
// its participants are the owners of its keys.
//
//	client ──Begin──▶ coordinator ──Prepare──▶ participants   lock, read, sync prepared state
//	                  coordinator ◀──Vote───── participants   yes (with reads) or no
//	                  coordinator                             all yes: sync commit record
//	client ◀─Result── coordinator ──Decision─▶ participants   apply, sync, Ack (commits only)
//
// Participants lock the keys of a transaction when asked to prepare and
// vote no at once on a conflict (no waiting, so no deadlock), or with
// probability Config.NoProbability. Reads happen under the locks, which are
// held until the decision: strict two-phase locking, which makes committed
// transactions strictly serializable.
//
// # Durability and presumed abort
//
// Every node logs to its sim.Storage and syncs before the message that
// depends on it: a participant syncs its prepared state (steps, reads,
// participants) before voting yes, and its data and decision before
// acknowledging a commit; the coordinator syncs the transaction's start
// before preparing (so a resent client request never runs it twice) and its
// commit record before announcing the commit. Aborts are not forced and not
// acknowledged: a coordinator without a commit record for a transaction
// answers abort (presumed abort).
//
// After a crash, a participant reloads its data, its decisions and its
// prepared transactions, takes their locks again and asks for their
// outcome; a coordinator re-sends the commits not yet acknowledged and
// aborts every transaction it started but had not decided.
//
// # Termination and blocking
//
// The coordinator aborts if a vote is missing after Config.VoteTimeout. A
// participant that voted yes and has no decision after
// Config.DecisionTimeout asks the coordinator and every other participant
// (cooperative termination): a participant that knows the outcome says it,
// one that has not voted aborts and says abort, one that voted yes says it is
// uncertain too. If the coordinator is down and every participant voted yes,
// nobody may decide: the transaction is blocked, its locks held, and the
// participants record a Blocked fact ("blocked T: ...") whenever what they
// hear changes. The termination check reports transactions still blocked at
// the end of the run (a liveness finding, apart from safety), naming who
// holds them, since when and why; see the twopc-blocking scenario.
//
// # Three-phase commit
//
// With Config.ThreePhase, the coordinator pre-commits (logs, then sends
// PreCommit and waits for PreAcks, committing anyway after
// Config.AckTimeout) between the votes and the commit. A participant that
// times out runs a termination round: it asks the others for their state
// and the lowest-numbered participant that answered acts as backup
// coordinator: commit if anyone committed or pre-committed (pre-committing
// the uncertain first), abort otherwise. Participants in doubt since a
// restart never act as backup. With crashes only and timely messages this
// never blocks while some participant stays up (threepc-coordinator-crash);
// under a partition each side elects its own backup and they can decide
// differently (threepc-partition-anomaly). 3PC still blocks after a total
// failure: when every participant of a transaction crashed after voting.
//
// # Checks
//
// The nodes record what they do as typed facts (sim.Context.Record) that
// the checks read: Began, Voted, Decided, Applied and Blocked (and
// PreCommitStarted, CoordinatorRecovered, ParticipantRecovered for the
// trace). The trace describes them with stable lines: "begin T n1,n2",
// "vote T yes|no", "decide T commit|abort", "apply T commit|abort
// [unprepared]", "blocked T: why". The scenario instance runs three checks
// from package checker: atomicity (CheckAtomicity: agreement, stability
// across crashes, commit only on unanimous yes votes, commit only from a
// prepared state), isolation (CheckIsolation: strict serializability of
// whole transactions with porcupine) and termination (CheckTermination,
// liveness). A check that cannot decide (porcupine out of budget, a
// history or facts it cannot read) is inconclusive, never violated.
//
// # The bug zoo
//
// Config.Variant (the scenario parameter "variant") selects a deliberate
// mistake; Variants lists them: EarlyCommit, NoPrepareSync,
// AnnounceBeforeLog, UnilateralAbort and EarlyRelease. Each is caught by the
// checks within a small seed sweep of a library scenario; the README in
// this directory gives the seeds.
//
// # Example
//
// Build a world by hand (the scenario loader does the same from a YAML
// file):
//
//	w, _ := sim.New(sim.Config{Seed: 1})
//	parts := []sim.NodeID{1, 2}
//	cfg := twopc.DefaultConfig(0, parts)
//	w.MustAddNode("coord", twopc.NewCoordinator(cfg))
//	w.MustAddNode("n1", twopc.NewParticipant(cfg))
//	w.MustAddNode("n2", twopc.NewParticipant(cfg))
//	wl := protocols.Workload{Ops: 10, Keys: 4, Mix: []protocols.MixEntry{{Op: "get", Weight: 1}, {Op: "put", Weight: 1}}}
//	w.MustAddNode("c1", twopc.NewClient(twopc.ClientConfig{Coordinator: 0, Txns: 10, OpsPerTxn: 2,
//		Gen: protocols.NewGenerator(wl, w.Stream("workload/c1")), Retry: cfg.Retry, Timeout: time.Second}))
//	w.RunUntil(sim.Time(time.Second))
//	res, _ := checker.CheckIsolation(checker.FromSim(w.History()), 10*time.Second)
//	fmt.Println(res.Verdict) // holds
//
// # Bug hunts
//
// With the workload's Queries, clients ask the coordinator again about
// transactions that returned and participants ask again about those they
// applied; what they are told (Told) and what a restarted node says its
// disk holds (Recovered) are decisions the atomicity check compares, so a
// coordinator that misreads its log is caught even when nobody else looks.
// With online checks, atomicity is checked as decisions are recorded. Fault
// points: twopc/silent-abort (an abort announced to nobody but the client:
// presumed abort) and twopc/early-inquiry (a two-phase commit participant
// asks before its decision timeout). Liveness mode heals every node and
// wants a transaction to return.
package twopc
