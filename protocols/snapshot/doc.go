// Package snapshot implements the Chandy–Lamport distributed snapshot
// algorithm and rollback recovery from its snapshots in dsim, on a bank:
// N nodes (n1..nN) start with the same balance and send each other random
// transfers, so the total is fixed and any snapshot, or any state a
// recovery restores, can be checked against it. For teaching it also runs
// uncoordinated per-node checkpoints, whose recovery shows the domino
// effect. It plugs into scenarios as the protocol "snapshot" (Protocol).
//
// # Channels
//
// Chandy–Lamport assumes reliable FIFO channels. A node gets them in one
// of two ways:
//
//   - from the network (Config.Reliable false): the scenario sets the
//     kernel's FIFO links (network fifo: true) with no loss, and the nodes
//     trust them, as the textbook does;
//   - from its own channel layer (Config.Reliable true, the default): each
//     Data message carries a per-channel sequence number, the receiver
//     acknowledges cumulatively and delivers in order exactly once, and the
//     sender resends what is unacknowledged every Config.Retransmit. This
//     turns a lossy, duplicating, reordering network into reliable FIFO
//     channels (the message-passing transport package does not exist yet;
//     the layer is a page of node.go and could move there).
//
// Transfers carry their own sequence number per channel, which the
// checkpoints count (sent and received per peer).
//
// # Snapshots
//
// Every Config.SnapshotInterval the coordinator, n1, starts snapshot k
// (ids are never reused: the next id is synced first). A node records its
// state — balance, transfers sent and received per peer — when it starts
// a snapshot or receives the first marker of k, sends a marker on every
// outgoing channel before any other message, and records every transfer
// that arrives on a channel until that channel's marker: the channel's
// state. With every channel's marker in, it writes its part to disk,
// syncs, and reports Done to the coordinator (resending until it hears
// Complete). When all parts are in, the coordinator syncs "k is complete"
// and says so; nodes then delete older checkpoints.
//
//	n1: record, markers ──▶ n2: record, markers ──▶ … every channel's marker in
//	    every node: sync its part, Done ──▶ n1: all Done: sync complete=k, Complete ──▶ all
//
// # Rollback recovery
//
// A crash loses a node's state (its disk keeps what was synced). The
// restarted node asks n1 for a recovery (Recover, resent until answered);
// n1, restarted itself, starts one on its own. n1 opens a new recovery
// epoch (synced) and orders every node to roll back to the latest
// complete snapshot: each restores its part, replays the transfers its
// part recorded in flight (crediting them), syncs the epoch, and carries
// on. Every message carries its sender's epoch: a node drops messages of
// older epochs (that work was undone) and holds those of newer epochs until
// its own rollback order arrives. n1 resends the order until each node
// acknowledges it, and starts no snapshot until all have.
//
// # Uncoordinated checkpoints and the domino effect
//
// With Mode Uncoordinated each node checkpoints on its own timer (its
// state, plus the amounts it sent since its previous checkpoint, so it can
// send them again). Recovery then has no ready-made consistent cut: n1
// freezes every node, collects every node's checkpoints (and current
// state, if it has not crashed), and runs RecoveryLine: while some node's
// candidate has received a transfer that its sender's candidate has not
// sent (an orphan), that node moves back one checkpoint. Each move can
// orphan others' receipts, so the search cascades — with transfers
// flowing between checkpoints it usually ends at the initial state. The
// nodes restore the chosen line and senders send again the transfers in
// flight across it.
//
// # Checks
//
// The Auditor reads the trace only: every transfer the kernel saw a node
// send, and the facts the nodes record (Checkpointed, ChannelsRecorded,
// RolledBack; see facts.go for how the trace describes them). It keeps each
// channel's log of transfers in the surviving history and checks:
//
//   - snapshot-consistency: every checkpoint agrees with the log (the node
//     sent what it says, received nothing that was not sent, and its
//     balance follows), and every snapshot whose parts were all recorded is
//     a consistent cut: on each channel the receiver received no more than
//     the sender had sent, the channel state is exactly the transfers in
//     between, and balances plus channel states add up to the total;
//   - rollback-recovery: every state restored by a recovery agrees with
//     the log, the restored cut has no orphan, its balances plus transfers
//     in flight add up to the total, and those in-flight transfers were
//     delivered again (replayed or resent). The detail and the statistics
//     say how far each node rolled back: checkpoints undone and virtual
//     time of work lost;
//   - conservation: at the end of the run (which must have settled: no new
//     transfers in the last `settle`), every transfer in the surviving
//     history was received exactly once and the balances add up;
//   - progress (liveness): snapshots completed (or checkpoints were
//     taken) and every recovery finished.
//
// A fact the Auditor cannot read (vectors without an entry per node) makes
// snapshot-consistency and rollback-recovery inconclusive, unless they
// found a violation anyway.
//
// # Bug zoo
//
// Config.Variant (the scenario parameter variant) selects a broken
// protocol: NoChannelState, LateMarker, NoReplay, Unsynced and
// LatestCheckpoints; see their docs. The zoo test finds each with the
// checks above; README.md lists the seeds to the first violation.
//
// # Example
//
//	w, _ := sim.New(sim.Config{Seed: 1, Link: sim.LinkConfig{
//		Latency: sim.Uniform(time.Millisecond, 5*time.Millisecond), FIFO: true}})
//	ids := []sim.NodeID{0, 1, 2}
//	cfg := snapshot.DefaultConfig(ids)
//	cfg.Reliable = false // trust the FIFO links
//	cfg.StopAt = sim.Time(600 * time.Millisecond)
//	audit := snapshot.NewAuditor(ids, []string{"n1", "n2", "n3"}, cfg.Initial)
//	w.Observe(audit.Observe)
//	for i := range ids {
//		w.MustAddNode(fmt.Sprintf("n%d", i+1), snapshot.NewNode(cfg, i, nil))
//	}
//	w.At(sim.Time(300*time.Millisecond), func(w *sim.World) { w.Crash(1) })
//	w.At(sim.Time(350*time.Millisecond), func(w *sim.World) { w.Restart(1) })
//	w.RunUntil(sim.Time(time.Second))
//	fmt.Println(audit.Consistency())
//	fmt.Println(audit.Conservation(snapshot.Finals(w, ids)))
//
// In a scenario file:
//
//	protocol: snapshot
//	params: {mode: chandy-lamport, reliable: false}
//	nodes: 4
//	network: {latency: {kind: uniform, min: 1ms, max: 10ms}, fifo: true}
//	workload: {ops: 4000, think: 2ms}
//	duration: 3s
//
// # Bug hunts
//
// With online checks the run stops at the first checkpoint, snapshot or
// recovery the auditor finds inconsistent or not conserving the money.
// Fault point: snapshot/duplicate-send (a message sent twice at once, with
// reliable channels). Liveness mode heals every node and wants
// checkpoints while transfers go on.
package snapshot
