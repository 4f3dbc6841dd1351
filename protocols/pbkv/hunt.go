package pbkv

import (
	"fmt"
	"strconv"
	"time"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/wal"
	"github.com/dsimlab/dsim/sim"
)

// This file is what a primary-backup run adds for bug hunts: the online
// one-primary check, the fault points of its servers, and what liveness
// mode needs.

// The fault points of a key-value server (sim.Context.Maybe): rare but
// legal paths that a run with fault points takes now and then.
const (
	// fpSlowTransfer: the state transfer to a new backup is slow: its
	// first send is skipped, and the server's tick sends it again.
	fpSlowTransfer = "pbkv/slow-transfer"
	// fpSlowForward: a batch to the backup is slow, the same way.
	fpSlowForward = "pbkv/slow-forward"
	// fpEarlyLeaseExpiry: the primary gives up its read lease early and
	// reads through the backup.
	fpEarlyLeaseExpiry = "pbkv/early-lease-expiry"
)

// onlinePrimary is the online one-primary check: the primary the view
// service named for each view, and the first server that acted in it.
type onlinePrimary struct {
	named, acted map[int]string
}

// decidedOnline checks a view the view service just decided (the fact is
// the trace's latest event).
func (c *Cluster) decidedOnline(f ViewDecided) {
	if !c.mon.On() {
		return
	}
	if c.online.named == nil {
		c.online = onlinePrimary{named: map[int]string{}, acted: map[int]string{}}
	}
	c.online.named[f.Num] = f.Primary
	if who, ok := c.online.acted[f.Num]; ok && who != f.Primary {
		c.mon.Violate(OnePrimaryCheck, c.w.Traced()-1, fmt.Sprintf("%s acted as primary of view %d, whose primary is %s", who, f.Num, f.Primary))
	}
}

// actedOnline checks that the server acting as a view's primary (the fact
// is the trace's latest event) is the only one, and the one named.
func (c *Cluster) actedOnline(f PrimaryActs) {
	if !c.mon.On() {
		return
	}
	if c.online.named == nil {
		c.online = onlinePrimary{named: map[int]string{}, acted: map[int]string{}}
	}
	who, ok := c.online.acted[f.View]
	switch {
	case ok && who != f.Server:
		c.mon.Violate(OnePrimaryCheck, c.w.Traced()-1, fmt.Sprintf("%s and %s both acted as primary of view %d", who, f.Server, f.View))
	case !ok:
		c.online.acted[f.View] = f.Server
		if p, named := c.online.named[f.View]; named && p != f.Server {
			c.mon.Violate(OnePrimaryCheck, c.w.Traced()-1, fmt.Sprintf("%s acted as primary of view %d, whose primary is %s", f.Server, f.View, p))
		}
	}
}

// FirstViolation returns the first violation the online checks saw (see
// protocols.Online).
func (c *Cluster) FirstViolation() *protocols.Violation { return c.mon.FirstViolation() }

// Core returns the nodes liveness mode heals: the view service and every
// server (only a server with the state may become primary).
func (c *Cluster) Core() []sim.NodeID { return c.Servers() }

// Progress returns the operations the clients completed, and whether any
// client has operations left that the service owes progress on. It owes
// none while the view service waits for an acknowledgement that cannot
// come: the primary of its latest view restarted before acknowledging it.
// The view service then changes views only if the primary of the last
// acknowledged view can be re-admitted; by design it may never be (the
// lab's view service has the same limit), so liveness mode does not count
// it as a failure.
func (c *Cluster) Progress(w *sim.World) (int, bool) {
	done, pending := 0, false
	for _, d := range c.clients.Drivers {
		done += d.Completed()
		pending = pending || d.Busy()
	}
	return done, pending && !c.waitsForLostAck(w)
}

// waitsForLostAck reports whether the view service's latest view, as its
// disk holds it, is unacknowledged and its primary has restarted since.
func (c *Cluster) waitsForLostAck(w *sim.World) bool {
	st := &vsState{}
	if _, err := wal.Load(w.Storage(c.vs), st, wal.Options{}); err != nil || st.cur.Num == 0 || st.acked.Num == st.cur.Num {
		return false
	}
	raw, _ := w.Storage(st.cur.Primary).Get(keyInc)
	inc, _ := strconv.ParseUint(string(raw), 10, 32)
	return uint32(inc) != st.cur.PrimaryInc
}

// LivenessBound is how soon after the heal an operation must complete:
// time for the view service to notice dead servers, a view change, a state
// transfer and a client's retries.
func (c *Cluster) LivenessBound() time.Duration {
	return 4*c.dead() + 10*c.cfg.Retry + c.cfg.Lease
}

// skipSend reports whether the fault point site makes a send to the backup
// slow: the server's tick sends it again.
func (s *server) skipSend(ctx *sim.Context, site string) bool { return ctx.Maybe(site) }

// Compile-time checks: a Cluster takes part in online checks and liveness
// mode.
var (
	_ protocols.Online   = (*Cluster)(nil)
	_ protocols.Recovery = (*Cluster)(nil)
)
