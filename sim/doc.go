// Package sim is dsim's kernel: a deterministic discrete-event simulator of
// nodes that exchange messages over a lossy network, crash, restart, pause
// and drift. It knows nothing of any protocol.
//
// # A run
//
// A World holds a virtual clock (Time, nanoseconds since the start), an event
// queue ordered by (time, sequence number), the nodes, the network and a
// trace. Nothing reads the wall clock; randomness comes from one root seed,
// split by SplitSeed into independent named streams (one per node, one for
// the network, and any a driver asks for with Stream). The same seed and the
// same calls give the same run, event for event, on any machine and any
// GOMAXPROCS, and Fingerprint proves it with a 64-bit hash of every event.
//
//	w, err := sim.New(sim.Config{Seed: 42, Link: sim.LinkConfig{
//		Latency: sim.LogNormal(2*time.Millisecond, 0.5), Drop: 0.01}})
//	if err != nil { ... }
//	srv := w.MustAddNode("server", echo.NewServer)
//	w.MustAddNode("client", echo.NewClient(srv, echo.ClientConfig{Pings: 100, Interval: time.Millisecond}))
//	w.At(sim.Time(50*time.Millisecond), func(w *sim.World) { w.Crash(srv) })
//	w.At(sim.Time(80*time.Millisecond), func(w *sim.World) { w.Restart(srv) })
//	w.Run()
//	fmt.Printf("%016x after %d events\n", w.Fingerprint(), w.Events())
//
// # Nodes
//
// A Node is a deterministic state machine in the style of etcd's raft: the
// kernel calls Start (at boot and after every restart), Receive (a message)
// and Timer (a timer it set), and the node acts only through its Context:
// Send, SetTimer and CancelTimer, Now (its own, possibly skewed, clock),
// Rand (its own stream), Storage (its disk), Record (a fact for checks, or a note in the trace),
// and, for clients, Invoke and Return (the run's history). A node never
// starts goroutines, never reads the wall clock, never uses the global
// random source, and never lets map iteration order reach its behaviour.
//
// # Faults
//
// Crash discards a node's state machine, its pending timers and its
// unsynced storage writes; Restart builds a fresh one from its Factory.
// Pause holds a node's events (messages and timers) until Resume, like a
// long garbage-collection pause. SetClock skews a node's clock by an offset
// and a drift rate. Partition splits the network into groups, Cut cuts one
// direction of one link, Heal restores them; a message in flight across a
// new cut is dropped when it arrives. SetDefaultLink and SetLink change
// latency distributions (constant, uniform, exponential, normal, log-normal,
// Pareto, drawn from the network's stream with the same values as gonum's
// distuv, through sim/detmath so that they are the same on every
// architecture), loss and duplication probabilities, and FIFO order, for all
// links or one directed link; ResetLink and ResetLinks drop overrides, and
// LinkConfig and DefaultLinkConfig read what applies now. At and After
// schedule any of these at a given time.
//
// # Fault points
//
// A protocol marks a rare but legal path (a slow disk, a spurious timeout,
// an extra retransmission) with Context.Maybe("protocol/what"), in the
// manner of FoundationDB's BUGGIFY. A run turns fault points on with
// SetFaultPoints: each site is enabled or not once per run, from the root
// seed and its name, and an enabled site fires with a set probability
// (Maybe) or its own (MaybeP), drawing from its own stream and recording a
// FaultPointFired fact. Without SetFaultPoints, Maybe is always false and
// draws nothing, so a run is exactly what it was without the sites.
// FaultPointOn and FaultPointFired facts name each site a run enabled and
// each time one fired; FaultPointSites says which sites a run reached,
// enabled and fired.
//
// # Run control and output
//
// Run runs to quiescence, RunUntil to a time, RunEvents for a number of
// events; Stop (or Context.StopRun) ends the run from inside, even from an
// observer: an online check stops the run at the event it found wrong. Every event is
// folded into the fingerprint; with Config.Trace it is also recorded (Trace,
// WriteTraceJSONL), and Config.OnEvent sees each event as it happens.
// History returns the clients' operations for the checkers.
//
// # Cost
//
// Scheduling an event allocates nothing in steady state: queue entries are
// 16-byte (time, sequence, slot) records in a monotone radix heap, and payloads live
// in a reused slab. See the README's performance section for figures.
package sim
