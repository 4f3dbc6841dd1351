// Package transport gives dsim protocols what real systems get from TCP and
// an RPC library: reliable, ordered, exactly-once connections over the
// simulator's lossy network, and request/response calls with deadlines on
// top. It is a library a protocol's nodes embed, and also a protocol of its
// own for scenarios ("transport": message streams; "transport-rpc": a
// key-value store over RPC).
//
// # Embedding an Endpoint
//
// A node holds one Endpoint, forwards Start, Receive and Timer to it, and
// gets connections' events through a Handler (Open, Deliver, Closed):
//
//	type Node struct{ ep *transport.Endpoint }
//
//	func (n *Node) Start(ctx *sim.Context) {
//		n.ep.Start(ctx)                   // a new incarnation
//		c := n.ep.Dial(ctx, peer)         // returns at once; writes are queued
//		c.Write(ctx, "hello")
//		c.Close(ctx)                      // after everything written
//	}
//	func (n *Node) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
//		if n.ep.Receive(ctx, from, msg) { return } // a transport segment
//		...                                         // the node's own messages
//	}
//	func (n *Node) Timer(ctx *sim.Context, tag any) {
//		if n.ep.Timer(ctx, tag) { return }
//		...
//	}
//	func (n *Node) Deliver(ctx *sim.Context, c *transport.Conn, msg any) { ... } // exactly once, in order
//
// # The protocol
//
// Sequence numbers count messages. A connection opens with a three-way
// handshake (SYN, SYN-ACK, ACK) whose initial sequence numbers are drawn from
// each node's random stream, and each side advertises its window. A sender
// keeps up to Window messages in flight (Window 1 is stop-and-wait); the
// receiver buffers out-of-order messages within its window, delivers in
// order, drops duplicates, and acknowledges cumulatively (every message, or
// every second one with DelayedAck). Acknowledgements also echo the segment
// that prompted them, so the sender can time that exact transmission.
//
// The retransmission timeout follows Jacobson and Karels (RFC 6298):
// SRTT and RTTVAR from measured round trips, RTO = SRTT + 4·RTTVAR, clamped
// to [MinRTO, MaxRTO]; Karn's rule (nothing retransmitted is ever timed);
// exponential backoff on every timeout, kept until a new measurement. With
// FixedRTO the timeout is InitialRTO, backed off the same way. A timeout
// resends the oldest unacknowledged message; three duplicate
// acknowledgements, or a partial acknowledgement during recovery, resend the
// next hole at once if it has been out longer than SRTT + 2·RTTVAR (so
// reordering is not taken for loss). After MaxRetries timeouts in a row
// without progress the connection gives up: Closed reports ErrBroken and the
// peer gets a RST.
//
// Close is orderly and mutual: a FIN follows the last message; the peer
// delivers everything before it, closes in turn, and once both FINs are
// acknowledged both sides report Closed(nil); the connection lingers for
// TimeWait to acknowledge a retransmitted FIN. KeepAlive probes idle
// connections, so a writer waiting on a dead peer finds out.
//
// # Crashes and incarnations
//
// Every Start begins a new incarnation, kept in the node's storage
// (IncarnationKey). Segments carry both ends' incarnations: a segment for an
// earlier incarnation of the receiver is answered with a RST, one from an
// earlier incarnation of the sender is dropped, and hearing from a newer
// incarnation of a peer resets every connection with the older one. So a
// peer that crashed and restarted shows up as Closed(ErrReset), and what was
// delivered before is a prefix of what was written.
//
// # RPC
//
// RPC wraps an Endpoint: Call(ctx, target, request, deadline, done) sends a
// request on the connection to target (dialed on demand) and calls done once,
// with the reply or ErrTimeout. Requests are named by a random client id per
// incarnation and a sequence number; replies are matched by them. A request
// is resent only when its connection resets or breaks, on a new connection;
// with AtMostOnce the server keeps each client's replies and answers a
// retried request from that table instead of executing it twice.
//
// # Checks and the bug zoo
//
// The stream workload (StreamClient, StreamServer) writes self-naming
// messages (StreamMsg) and records every write, delivery and close as a
// fact (StreamOpened, StreamWritten, StreamDelivered, StreamClosed).
// StreamChecker reads those facts as the run goes and checks, per
// stream, that delivery is exactly once, in order and a prefix (all of it if
// the writer closed in order), on one connection of one incarnation of the
// receiver, and never after that connection ended (CheckDelivery, safety);
// and that every stream of a live writer ends (CheckComplete, liveness).
// The RPC protocol's history is checked for linearizability with porcupine.
//
// Config.Variant selects a bug: NoDedup (no duplicate suppression), EarlyAck
// (an out-of-order message is delivered and acknowledged past the gap),
// WindowOverrun (an off-by-one lets the window overwrite the oldest
// unacknowledged message). The package's tests sweep the library scenarios
// with each and require the delivery check to catch it.
//
// # Measuring
//
// Goodput, retransmissions and spurious retransmissions over windows, loss
// rates and timeout policies, with confidence intervals, are package
// studies' (TransportTable, a bulk transfer over Endpoint), and
// BenchmarkStream measures messages delivered per second of wall time:
//
//	go test ./protocols/transport -run '^$' -bench Stream -benchmem
//
// # Bug hunts
//
// The RPC store's clients keep the workload's InFlight calls in flight over
// one RPC layer, so a server's at-most-once table sees a client's calls
// overlap. Fault points: transport/rpc-reset (a client resets its
// connection before a call, so the calls waiting on it are resent on a new
// one) and transport/spurious-retransmit. Liveness mode heals every server.
package transport
