// Package raft is Raft for dsim: leader election, log replication and
// persistence, with a linearizable key-value store (get, put, append,
// compare-and-set) on top, optional snapshots, the checks of Raft's safety
// properties, and a bug zoo of deliberately wrong variants that the checks
// must catch. Servers are plain state machines driven by the kernel
// (Start, Receive, Timer), in the style of etcd's raft.
//
// # The protocol
//
// NewCluster adds servers n1..nN and clients c1..cM to a World (NewServer
// builds one server, for tests that drive it alone; NewClusterOf puts
// servers of one's own, a lab's say, among this package's clients and
// checks). Every server is a
// follower, a candidate or the leader of its current term. A follower that
// hears from no leader for its election timeout (uniform in [T, 2T), drawn
// from its own random stream) becomes a candidate: it moves to the next
// term, votes for itself and asks every server for its vote, again every
// heartbeat until it wins, loses to a leader, or times out and starts
// over. A server grants one vote per term, to a candidate whose log is at
// least as up to date as its own (a later last term, or the same last term
// and at least as long: the election restriction). A candidate that a
// majority voted for leads its term.
//
// The leader appends each client command to its log as an entry of its
// term and sends every follower AppendEntries: the entries after the one
// the follower is expected to hold (PrevIndex, PrevTerm), and the leader's
// commit index. A follower accepts them only if its log holds that entry
// (the log matching check), cuts its log at the first entry that conflicts
// and writes the rest; otherwise it refuses and says where the leader
// should go back to. The leader expects what it sends to arrive (the next
// AppendEntries to a follower starts after it) and goes back on a
// refusal. It commits the highest index a majority of the servers hold,
// but only if the entry there is of its own term: an entry of an earlier
// term commits with the first entry of the current term after it (Raft
// §5.4.2, the Figure 8 rule). Every server applies the committed entries,
// in index order, to its key-value state machine, which remembers each
// client session's last sequence number and result, so that a retried
// command takes effect at most once; the leader answers the clients. Reads
// go through the log as well, so they are linearizable.
//
// A server writes its term, its vote and its log to its sim.Storage and
// syncs before it acts on them: before it answers a RequestVote or an
// AppendEntries, before it asks for votes, before a leader counts its own
// copy of an entry. A crash loses everything else; a restarted server
// reads its disk back and starts as a follower that has applied only its
// snapshot.
//
// With Config.SnapshotEvery (the parameter snapshot_every) a server
// replaces the entries it has applied by a snapshot of its state machine
// once that many have piled up since its last one, and drops them from its
// log and its disk. A leader whose log no longer holds the entries a
// follower lacks sends it the snapshot (InstallSnapshot); the follower
// takes the state machine, and keeps the rest of its log only if it holds
// the snapshot's last entry.
//
// Clients run the workload closed-loop with the shared key-value driver
// (package protocols/kv): pacing, deadlines, unique written values, the
// history. A client sends a command to the leader it believes in (a get to
// a random server, which passes it on), resends it to another server
// every Retry, and gives up at the workload's timeout, leaving the
// operation without a return in the history: its outcome is unknown.
//
//	w, _ := sim.New(sim.Config{Seed: 7})
//	cl, _ := raft.NewCluster(w, raft.DefaultConfig()) // 5 servers, 3 clients, 1000 operations
//	w.At(sim.Time(2*time.Second), func(w *sim.World) { w.Crash(cl.Servers()[0]) })
//	w.RunUntil(sim.Time(time.Minute)) // stops early when the clients are done
//	rep := cl.Check(protocols.CheckRequest{World: w, Budget: 10 * time.Second,
//		Checks: []string{checker.LinearizabilityCheck, raft.LeaderCompletenessCheck}})
//
// # Checks
//
// Servers record what they do to the state Raft's safety properties are
// about as facts (sim.Context.Record): Elected, LogWrite (including the log
// a restarted server read back), Committed, Applied and Snapshot. The
// Cluster hands them, as they are recorded, to a monitor that keeps a copy
// of every server's log, with a hash chain over each log so that two logs
// agree up to an index exactly when their chains there do, and the log
// committed so far. It checks, online:
//
//   - election safety (ElectionSafetyCheck): at most one leader per term;
//   - log matching (LogMatchingCheck): two logs holding an entry with the
//     same index and term are identical up to it;
//   - leader completeness (LeaderCompletenessCheck): a new leader's log
//     holds every entry committed by the leader of an earlier term, and a
//     leader commits only on top of the committed log;
//   - state machine safety (StateMachineSafetyCheck): every server
//     applies, at each index, the entry committed there.
//
// It keeps the first violation of each, with its time, and Check reports
// them (Cluster.Violation gives them while the run goes). The clients'
// history is checked for linearizability by porcupine against
// checker.KVModel. Liveness is reported apart: after the last fault, some
// pending operation must complete within Config.LivenessBound.
//
// # Bug zoo
//
// Config.Variant (the scenario parameter "variant") selects a wrong
// protocol: CountStaleVotes, CommitOldTerm, VolatileVote, NoLogCheck,
// VoteAnyLog or FollowerReads. Each breaks one rule, and the package's
// tests show a library scenario catching each one; see the README for how
// fast.
//
// # Scenarios
//
// Protocol describes the store to the scenario loader as "raft"; the
// library has raft-calm, raft-lossy, raft-leader-crash, raft-partition,
// raft-nemesis (the benchmark's), raft-figure8 (the paper's Figure 8 as a
// schedule of crashes and partitions), raft-snapshot and
// raft-vote-restart. Servers are named n1..nN and clients c1..cM; the
// servers are the nemesis's targets. Servers and clients implement
// sim.Describer, so exploration and the debugger can show and compare
// their states. The run stops once every client has finished its share of
// the workload.
package raft
