// Package pbkv is a primary-backup key-value store with a view service, in
// the style of the classic teaching labs, with the durability of a
// write-ahead log (package wal) underneath. It plugs into scenarios as the
// protocol "pbkv" (Protocol).
//
// # Nodes
//
// The view service "vs" decides views; the servers n1..nN store the keys;
// the clients c1..cM issue gets, puts and appends.
//
//	servers ──Ping{Inc, Ack, Durable}──▶ vs ──ViewReply{View, LeaseUntil}──▶ servers
//	clients ──GetView──▶ vs ──ViewReply──▶ clients
//	client ──Request──▶ primary ──Forward──▶ backup     backup applies, syncs
//	client ◀──Reply──── primary ◀─ForwardReply─ backup   then primary applies, syncs, replies
//
// A View is (number, primary, backup), each role given to one incarnation
// of a server: a server counts its boots on disk, and a restarted server
// holds no role until a later view names its new incarnation.
//
// # The view service
//
// Servers ping every Config.Ping; the view service counts a server dead
// after Config.DeadPings pings missed. It decides:
//
//   - the first view: the first two servers heard, in name order (n1
//     primary, n2 backup when all are up);
//   - when the primary is dead or restarted: the backup becomes primary and
//     an idle server the new backup, but only if the primary had
//     acknowledged the current view. This is the primary-ack rule: the
//     primary acknowledges a view (Ping.Ack) only once its backup holds the
//     whole state, so a backup promoted from an acknowledged view has
//     every write, and a primary that never heard of a view cannot have
//     acknowledged it, so no view moves on behind the back of a primary
//     that still serves;
//   - when the backup is dead: an idle server replaces it (the primary
//     stays, so this needs no acknowledgement: the primary could never
//     finish a transfer to a dead backup); when the backup is missing: an
//     idle server fills the slot, once the view is acknowledged.
//
// The view service is a single point of failure, by design. While it is
// down, partitioned or slow, nothing fails over: the primary goes on
// serving as long as its backup (if it has one) answers, and if the
// primary or the backup fails meanwhile, the service stops until the view
// service is back. A primary cut off from the view service alone goes on
// serving until the view service promotes its backup, which then refuses
// what the old primary forwards. Its views are in its own write-ahead log, synced before any
// reply shows them, so a restarted view service resumes with the same
// numbers (it never names two primaries for one view) and, with leases,
// first waits one lease so that any lease it granted before its crash
// has ended.
//
// # Servers
//
// Clients run the workload with the shared key-value driver (package
// protocols/kv: pacing, deadlines, unique written values, the history).
// They send each operation, with their session name and the driver's
// operation number as sequence number, to the primary of the latest view
// they know, resend it every Config.Retry (asking the view service for the
// view each time) and give up after the workload's timeout. A server that is not primary of its
// view answers ErrWrongServer. The primary forwards operations to the
// backup in numbered batches (gets too, so a deposed primary cannot answer
// one: the backup of a newer view refuses), and applies, syncs and replies
// only after the backup has applied and synced the batch. Writes carry the
// client's session and sequence number, and both replicas keep the latest
// sequence number per session in their state, so a retried write is
// applied once.
//
// A primary whose view names a new backup sends it a Transfer with its
// whole state (keys and at-most-once table); the backup installs it as a
// checkpoint of its log, and only then does the primary log "primary of
// view N", acknowledge the view and serve.
//
// Every server keeps its store in a write-ahead log on its disk. A server
// that restarts recovers it, and tells the view service (Ping.Durable) the
// latest view it served as primary: if every server crashed, the view
// service re-admits the primary of the latest acknowledged view, whose
// disk holds every write it acknowledged, instead of stopping for good.
//
// # Read leases
//
// With Config.Leases, the view service grants the primary of an
// acknowledged view a lease with every ping reply: until LeaseUntil, on the
// view service's clock, it names no other primary. While its own clock
// reads less than LeaseUntil minus Config.LeaseMargin, the primary answers
// gets from its own state. LeaseMargin is the clock assumption: how far
// the primary's clock may lag the view service's. The pbkv-clock-skew
// scenario skews the clocks by 100ms: a margin of 150ms is safe, and a
// smaller one lets a deposed primary serve stale reads, which the
// linearizability check catches.
//
// # Checks
//
//   - linearizability: the clients' history, with porcupine and the
//     checker's key-value model, key by key;
//   - acked-writes: every acknowledged write is in the final state (the
//     log of the current view's primary), exactly once, unless a later put
//     overwrote it (CheckAckedWrites);
//   - one-primary: at most one server acts as primary in each view, and it
//     is the one the view service named (CheckOnePrimary). It reads the
//     typed facts the nodes record in the trace: ViewDecided from the view
//     service, PrimaryActs from a server that first answers a client as
//     primary of a view.
//
// # Bug zoo
//
// Config.Variant selects a deliberately wrong protocol: ReplyBeforeBackup,
// ViewWithoutAck (split brain), BackupBeforeTransfer and
// LeaseWithoutMargin. The package's tests sweep seeds until the checks
// catch each one.
//
// # Example
//
//	w, _ := sim.New(sim.Config{Seed: 7})
//	cfg := pbkv.DefaultConfig()
//	cl, err := pbkv.NewCluster(w, cfg)
//	if err != nil { ... }
//	w.At(sim.Time(time.Second), func(w *sim.World) { w.Crash(cl.KVServers()[0]) })
//	w.RunUntil(sim.Time(time.Minute))
//	rep := cl.Check(protocols.CheckRequest{World: w, Budget: 10 * time.Second,
//		Checks: []string{checker.LinearizabilityCheck, pbkv.AckedWritesCheck, pbkv.OnePrimaryCheck}})
//
// # Bug hunts
//
// Clients keep the workload's InFlight operations in flight, one session
// per lane. With online checks, one primary per view is checked as views
// are decided and primaries act. Fault points: pbkv/slow-transfer and
// pbkv/slow-forward (a send to the backup skipped, so the tick resends it)
// and pbkv/early-lease-expiry. Liveness mode heals every node and wants an
// operation; it owes none while the view service waits for an
// acknowledgement that cannot come (the primary of its latest view
// restarted before acknowledging it), a limit of this design.
package pbkv
