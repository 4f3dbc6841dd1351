// Package kv is the key-value layer that dsim's key-value protocols share
// (paxos, raft, pbkv and transport's RPC store): the client driver that
// runs a workload against the servers and records the history, the client
// of servers that elect a leader, the mapping of workload operation names
// to checker.KVOp, the state machine's step, and the linearizability and
// liveness checks with the one verdict policy. A protocol supplies only how
// an operation travels to its servers and back.
//
// # The client driver
//
// A Driver is one client's workload. The protocol makes it once per client
// when it sets up, outside the client node, and every incarnation of the
// node hands itself to Driver.Start, so a client that crashes and restarts
// carries on with the same workload (the operation it was running stays
// without a return in the history: its outcome is unknown). The driver:
//
//   - paces the operations by the workload's Gap: the think time after
//     each one (closed loop), or exponential pauses of mean 1/Rate (open
//     loop);
//   - draws each operation from the client's own random stream, maps its
//     name to a checker.KVOp (ParseOp), and makes every written value
//     unique to the client and the operation ("c1.7;", UniqueValue), so
//     checks can tell writes apart and count appends; a cas expects the
//     last value this incarnation saw for the key;
//   - records Invoke in the history, and Return when the protocol passes a
//     reply to Complete;
//   - gives up on an operation at its deadline (the workload's Timeout
//     after the invoke, on the client's clock), leaving it without a
//     return, and, if Config.Retry is set, has the protocol resend it every
//     Retry until then;
//   - counts the operations down and calls Config.Done once, when the last
//     has finished.
//
// The protocol's client node implements Sender (one method, Send: put
// Op.Input on the wire, first with Op.Attempt 0 and again on each resend),
// passes its timers to Driver.Timer first, and calls Driver.Complete when a
// reply for Driver.Current arrives:
//
//	type client struct{ d *kv.Driver; server sim.NodeID }
//
//	func (c *client) Start(ctx *sim.Context) { c.d.Start(ctx, c) }
//
//	func (c *client) Send(ctx *sim.Context, op *kv.Op) {
//		ctx.Send(c.server, &request{N: op.N, In: op.Input})
//	}
//
//	func (c *client) Receive(ctx *sim.Context, _ sim.NodeID, msg any) {
//		if r, ok := msg.(*reply); ok && c.d.Current() != nil && r.N == c.d.Current().N {
//			c.d.Complete(ctx, r.Out)
//		}
//	}
//
//	func (c *client) Timer(ctx *sim.Context, tag any) { c.d.Timer(ctx, tag) }
//
// and set up, once per client, after checking that the workload asks only
// for operations the servers serve (ValidateMix):
//
//	d := kv.NewDriver(w.Stream("workload/"+name), kv.Config{
//		Workload: env.Workload, Ops: env.Workload.Share(i, env.Clients), Retry: 100 * time.Millisecond})
//	w.AddNode(name, func() sim.Node { return &client{d: d, server: srv} })
//
// The driver reuses one Op value for the operation in progress: a node that
// must recognise a late reply keeps the operation's N, not the pointer.
//
// With the workload's InFlight above one, a client keeps that many
// operations in flight, one per lane (Op.Lane), and a node matches a reply
// to its operation with Driver.Op(n) and completes it with
// Driver.CompleteOp; Current and Complete are lane 0's. A protocol whose
// servers expect one request at a time per client session gives each lane
// its own session. With Queries, a client that has done its operations
// reads back every key it wrote, one get each, before it is done.
// Completed and Busy tell liveness mode the client's progress.
//
// AddClients adds a cluster's clients c1..cM, each with its driver, and
// stops the run once all are done.
//
// # Clients of a leader
//
// A LeaderClient is the whole client of a store whose servers elect a
// leader (paxos, raft), but for its messages: it opens a session per
// incarnation (a counter in the client's storage), keeps a command per
// lane, sends gets to a random server and other operations to the leader
// it believes in, resends elsewhere, and follows NotLeader redirections.
// The protocol's client node embeds it, calls Open from Start, is its Wire
// (Command builds a command, Request sends one) and passes replies to
// Reply and NotLeader. Apply is the step of such a store's state machine:
// one operation on its map.
//
// # Checks
//
// CheckLinearizable checks the clients' history (checker.FromSim of the
// run's) against checker.KVModel with porcupine, and applies the policy of
// every dsim check: a checker that could not decide, because its budget ran
// out or because it rejected the history, is Inconclusive, never a pass
// and never a violation. It hands back porcupine's visualization whenever
// the verdict is not Holds. Stats gives the statistics every key-value
// protocol reports: operations invoked, completed and of unknown outcome,
// and latency. CheckLiveness checks that an operation completes within a
// bound after the last fault (Faults counts them). Linearizable, Liveness
// and LivenessBound describe these checks to the scenario loader.
package kv
