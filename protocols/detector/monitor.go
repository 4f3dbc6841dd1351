package detector

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dsimlab/dsim/sim"
)

// Variant selects the correct monitor or one of its bug-zoo variants.
type Variant string

// The variants. Each names the rule it breaks.
const (
	// Correct is the monitor as documented.
	Correct Variant = "correct"
	// Sticky never trusts a suspected peer again, even when its heartbeats
	// resume: it breaks eventual accuracy after any pause or partition.
	Sticky Variant = "sticky"
	// SharedTimer keeps one "last heard" time for all peers: a heartbeat
	// from anyone defers the suspicion of everyone, so a crashed peer is
	// never suspected while another one lives (completeness breaks).
	SharedTimer Variant = "shared-timer"
)

// Variants lists every variant, Correct first.
var Variants = []Variant{Correct, Sticky, SharedTimer}

// The detector names used in Opinion facts and reports.
const (
	NameFixed = "fixed"
	NamePhi   = "phi"
)

// ErrBadConfig reports an unusable Config.
var ErrBadConfig = errors.New("bad detector configuration")

// Config sets up a Monitor.
type Config struct {
	// Interval is how often a monitor sends a heartbeat to every peer.
	Interval time.Duration
	// Timeout, if positive, runs the fixed-timeout detector with it.
	Timeout time.Duration
	// Phi, if its Threshold is positive, runs the φ-accrual detector. A
	// zero FirstEstimate means Interval.
	Phi PhiConfig
	// Detectors are more detectors to run side by side on the same
	// heartbeats, each under its own name (for example a sweep of timeouts).
	Detectors []Spec
	// Peers are the nodes to monitor (and send heartbeats to); nil means
	// every other node of the world.
	Peers []sim.NodeID
	// Variant selects a bug-zoo variant; "" means Correct.
	Variant Variant
}

// Validate reports whether c is usable.
func (c Config) Validate() error {
	switch {
	case c.Interval <= 0:
		return fmt.Errorf("%w: heartbeat interval %v must be positive", ErrBadConfig, c.Interval)
	case c.Timeout < 0 || c.Phi.Threshold < 0:
		return fmt.Errorf("%w: negative timeout or threshold", ErrBadConfig)
	case c.Timeout == 0 && c.Phi.Threshold == 0 && len(c.Detectors) == 0:
		return fmt.Errorf("%w: no detector: set a timeout, a phi threshold, or both", ErrBadConfig)
	case c.Phi.Threshold > 0 && c.Phi.Window < 1:
		return fmt.Errorf("%w: phi window %d must be at least 1", ErrBadConfig, c.Phi.Window)
	}
	seen := map[string]bool{}
	for _, n := range c.Names() {
		if n == "" || strings.ContainsAny(n, " \t\n") || seen[n] {
			return fmt.Errorf("%w: detector name %q is empty, has spaces or is taken", ErrBadConfig, n)
		}
		seen[n] = true
	}
	switch c.Variant {
	case "", Correct, Sticky, SharedTimer:
	default:
		return fmt.Errorf("%w: unknown variant %q", ErrBadConfig, c.Variant)
	}
	return nil
}

// Spec names a detector and builds its Estimator for one peer, started at
// the given time.
type Spec struct {
	Name string
	New  func(start sim.Time) Estimator
}

// FixedSpec is the spec of a fixed-timeout detector named name.
func FixedSpec(name string, timeout time.Duration) Spec {
	return Spec{Name: name, New: func(start sim.Time) Estimator { return NewFixedTimeout(timeout, start) }}
}

// PhiSpec is the spec of a φ-accrual detector named name.
func PhiSpec(name string, cfg PhiConfig) Spec {
	return Spec{Name: name, New: func(start sim.Time) Estimator { return NewPhiAccrual(cfg, start) }}
}

// specs returns every detector the configuration runs, in order.
func (c Config) specs() []Spec {
	var out []Spec
	if c.Timeout > 0 {
		out = append(out, FixedSpec(NameFixed, c.Timeout))
	}
	if c.Phi.Threshold > 0 {
		pc := c.Phi
		if pc.FirstEstimate == 0 {
			pc.FirstEstimate = c.Interval
		}
		out = append(out, PhiSpec(NamePhi, pc))
	}
	return append(out, c.Detectors...)
}

// Names returns the names of the detectors the configuration runs.
func (c Config) Names() []string {
	var names []string
	for _, s := range c.specs() {
		names = append(names, s.Name)
	}
	return names
}

// Heartbeat is the message a monitor sends every Interval. Epoch is drawn
// at random at every start, Seq counts from 1 within it: a monitor learns
// only from a peer's newest heartbeat (a duplicate or an overtaken one would
// teach a false rhythm), and a new epoch means the peer restarted.
type Heartbeat struct {
	Epoch uint64
	Seq   uint64
}

// String formats the heartbeat for traces.
func (h *Heartbeat) String() string { return fmt.Sprintf("heartbeat %d/%d", h.Epoch%1000, h.Seq) }

// Monitor is a node that sends heartbeats to its peers and runs one or both
// failure detectors on theirs. It records every change of opinion as an
// Opinion fact, which the checks and the quality-of-service analysis read. A restarted monitor
// trusts everyone again and relearns.
type Monitor struct {
	cfg   *Config
	peers []sim.NodeID
	index map[sim.NodeID]int
	dets  []*detector
	due   []sim.Time    // per peer: when its timer fires, 0 if none is set
	ids   []sim.TimerID // per peer
	heard []Heartbeat   // per peer: the newest heartbeat
	epoch uint64
	seq   uint64
}

// detector is one detector's state at a monitor.
type detector struct {
	name      string
	est       []Estimator // per peer
	suspected []bool
}

type tick struct{}

// peerTimer is the tag of a peer's suspicion timer.
type peerTimer int

// NewMonitor returns the sim.Factory of a monitor; cfg must be valid.
func NewMonitor(cfg *Config) sim.Factory {
	return func() sim.Node { return &Monitor{cfg: cfg} }
}

// Start learns the peers, starts the detectors and the heartbeats.
func (m *Monitor) Start(ctx *sim.Context) {
	m.peers = m.cfg.Peers
	if m.peers == nil {
		for _, id := range ctx.Nodes() {
			if id != ctx.ID() {
				m.peers = append(m.peers, id)
			}
		}
	}
	m.index = map[sim.NodeID]int{}
	for i, p := range m.peers {
		m.index[p] = i
	}
	now := ctx.Now()
	for _, spec := range m.cfg.specs() {
		d := &detector{name: spec.Name, suspected: make([]bool, len(m.peers))}
		for range m.peers {
			d.est = append(d.est, spec.New(now))
		}
		m.dets = append(m.dets, d)
	}
	m.epoch = ctx.Rand().Uint64()
	m.heard = make([]Heartbeat, len(m.peers))
	m.due = make([]sim.Time, len(m.peers))
	m.ids = make([]sim.TimerID, len(m.peers))
	for i := range m.peers {
		m.arm(ctx, i)
	}
	m.Timer(ctx, tick{})
}

// Suspects reports whether the named detector (NameFixed, NamePhi or a
// Spec's name) currently suspects peer.
func (m *Monitor) Suspects(name string, peer sim.NodeID) bool {
	i, ok := m.index[peer]
	if !ok {
		return false
	}
	for _, d := range m.dets {
		if d.name == name {
			return d.suspected[i]
		}
	}
	return false
}

// Receive records a peer's heartbeat: every detector learns from it, and
// those that suspected the peer trust it again.
func (m *Monitor) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	hb, ok := msg.(*Heartbeat)
	if !ok {
		return
	}
	i, ok := m.index[from]
	if !ok {
		return
	}
	now := ctx.Now()
	restarted := hb.Epoch != m.heard[i].Epoch
	if !restarted && hb.Seq <= m.heard[i].Seq {
		return // a duplicate, or overtaken by a newer one
	}
	m.heard[i] = *hb
	for _, d := range m.dets {
		if restarted {
			d.est[i].Reset(now)
		}
		if m.cfg.Variant == SharedTimer {
			for _, e := range d.est { // the bug: anyone's heartbeat counts for everyone
				e.Heartbeat(now)
			}
		} else {
			d.est[i].Heartbeat(now)
		}
		if d.suspected[i] && m.cfg.Variant != Sticky {
			d.suspected[i] = false
			ctx.Record(Opinion{Detector: d.name, Peer: ctx.NodeName(from)})
		}
	}
	m.arm(ctx, i)
}

// Timer sends heartbeats on the heartbeat tick, and suspects peers whose
// deadline passed on their timers.
func (m *Monitor) Timer(ctx *sim.Context, tag any) {
	switch t := tag.(type) {
	case tick:
		m.seq++
		hb := &Heartbeat{Epoch: m.epoch, Seq: m.seq} // one message for all: messages are immutable
		for _, p := range m.peers {
			ctx.Send(p, hb)
		}
		ctx.SetTimer(m.cfg.Interval, tick{})
	case peerTimer:
		i := int(t)
		m.due[i], m.ids[i] = 0, 0
		now := ctx.Now()
		for _, d := range m.dets {
			if !d.suspected[i] && now >= d.est[i].SuspectAt() {
				d.suspected[i] = true
				ctx.Record(Opinion{Detector: d.name, Peer: ctx.NodeName(m.peers[i]), Suspect: true})
			}
		}
		m.arm(ctx, i)
	}
}

// arm makes sure peer i's timer fires by the earliest deadline of the
// detectors that trust it. A timer set for later is replaced; one set for
// earlier fires and re-arms.
func (m *Monitor) arm(ctx *sim.Context, i int) {
	var want sim.Time
	for _, d := range m.dets {
		if !d.suspected[i] {
			if at := d.est[i].SuspectAt(); want == 0 || at < want {
				want = at
			}
		}
	}
	if want == 0 || (m.due[i] != 0 && m.due[i] <= want) {
		return
	}
	if m.ids[i] != 0 {
		ctx.CancelTimer(m.ids[i])
	}
	m.due[i] = want
	m.ids[i] = ctx.SetTimer(want.Sub(ctx.Now()), peerTimer(i))
}
