// Package paxos is Paxos for dsim: single-decree Paxos, and a Multi-Paxos
// replicated key-value store whose clients get, put, append and
// compare-and-set. Both are plain state machines driven by the kernel
// (Start, Receive, Timer); both come with a bug zoo of deliberately wrong
// variants that the checks must catch.
//
// # Single-decree Paxos
//
// NewSingle adds n nodes, each an acceptor and a learner; the first few also
// propose a value of their own. A proposer picks a ballot (Ballot: round,
// then node, so no two proposers share one) above any it has seen, gathers
// promises from a majority (phase 1), proposes the value of the
// highest-ballot proposal reported to it, or its own if none (phase 2), and
// tries again with a higher ballot after a random wait drawn from its own
// random stream. Acceptors write their promise and acceptance to disk and
// sync before they answer, and tell every learner what they accepted; a
// learner learns a value once a majority accepted it with one ballot.
//
// # Multi-Paxos key-value store
//
// NewCluster adds servers n1..nN (replicas: acceptor, learner and, while
// leading, proposer) and clients c1..cM. One acceptor promise covers every
// slot of the log, so a leader runs phase 1 once per leadership, for all
// open slots at once: it re-proposes, slot by slot, the value of the
// highest ballot reported (or learns it outright if a promise says it is
// chosen), fills gaps with a no-op, and then puts each new command in the
// next slot with one round of phase 2. A follower that hears from no leader
// for an election timeout (randomised) campaigns with a higher ballot; a
// leader that meets a higher ballot steps down. Heartbeats and accepts
// carry the leader's commit index; a follower that cannot fill its log
// from what it accepted, or that restarted with an empty memory, fetches
// chosen commands from the leader (catch-up). Every replica applies the log
// in slot order to its key-value state.
//
// Clients run the workload closed-loop with the shared key-value driver
// (package protocols/kv: pacing, deadlines, unique written values, the
// history). Each command carries the client's session (node id and
// incarnation) and the driver's operation number as sequence number, and
// the state machine remembers, per session, the last number applied and
// its result, so a retried command takes effect at most once. A client resends an
// unanswered request to another server every Retry and gives up at the
// workload's timeout, leaving the operation without a return in the
// history: its outcome is unknown, and the linearizability check treats it
// so. Reads go through the log too (so they are linearizable); a get is sent
// to a random server, which passes it on to the leader.
//
//	w, _ := sim.New(sim.Config{Seed: 7})
//	cfg := paxos.DefaultConfig() // 5 servers, 3 clients, 1000 operations
//	cl, _ := paxos.NewCluster(w, cfg)
//	w.At(sim.Time(2*time.Second), func(w *sim.World) { w.Crash(cl.Servers()[0]) })
//	w.RunUntil(sim.Time(time.Minute)) // stops early when the clients are done
//	rep := cl.Check(protocols.CheckRequest{World: w, Budget: 10 * time.Second,
//		Checks: []string{checker.LinearizabilityCheck, checker.PaxosAgreementCheck}})
//	for _, r := range rep.Checks {
//		fmt.Println(r)
//	}
//
// # Checks
//
// Servers, clients and proposers record what they do in the trace as Facts
// (request, propose, accept, apply) through sim.Context.Record, so the facts
// are part of the fingerprint and of trace files; the Cluster reads them
// back with an observer as checker.PaxosEvent values (Cluster.Trace). The
// replicas of a cluster share each slot's acceptance and application fact
// rather than each building its own. The Paxos safety
// checks live in package checker, since they need nothing of this package:
// agreement (no slot has two chosen values, counting acceptances by a true
// majority whatever quorum the protocol uses, and every applied value was
// chosen), validity (acceptors accept only proposals, proposals are client
// commands or the no-op) and prefix (replicas apply slots in order, and
// their logs agree). The clients' history is checked for linearizability by
// porcupine against checker.KVModel. Liveness is reported apart: after the
// last fault (crash, restart, pause, partition, heal, clock or link
// change), some pending operation must complete within LivenessBound.
//
// # Bug zoo
//
// Config.Variant (the scenario parameter "variant") selects a wrong
// protocol: IgnoreAccepted, NoSync, AcceptLower, QuorumFloor, LocalReads or
// NoDedup. Each breaks one rule, and the package's tests show a library
// scenario catching each one; see the README for how fast.
//
// # Scenarios
//
// Protocol describes the store to the scenario loader as "paxos"; the
// library has paxos-calm (the default scenario and the benchmark's),
// paxos-lossy, paxos-leader-crash, paxos-partition, paxos-nemesis and
// paxos-clock-skew. Servers are named n1..nN and clients c1..cM; the
// servers are the nemesis's targets. The run stops once every client has
// finished its share of the workload.
//
// # Bug hunts
//
// Every run checks, as part of paxos-validity, that no acceptor goes back
// on a promise: each Promise, Accepted and Nack it sends states a ballot
// its disk must keep, so a later message with a lower one is a promise it
// forgot (not synced, or misread after a restart). With the workload's
// Queries, a restarted acceptor's promise and proposals are also compared
// with what it said before its crash. With online checks, agreement is
// checked as acceptances are recorded. Fault points: paxos/spurious-election
// (a follower campaigns while its leader lives) and paxos/slow-disk (a
// prepare or accept is handled a few milliseconds late). Clients keep the
// workload's InFlight operations in flight in one session, so the session
// table sees a client's commands out of order. Liveness
// mode heals a majority, n1 first, and wants an operation within
// liveness_bound.
package paxos
