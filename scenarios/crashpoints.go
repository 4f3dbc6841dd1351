package scenarios

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"time"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
	"github.com/dsimlab/dsim/sim/detmath"
)

// Crash points are a swarm nemesis that crashes a server right after it
// sends a message of some type, and restarts it soon after: the crash that
// lands between a node's reply and its next write to disk, where a reply
// sent before its state was synced is lost (an acceptor that restarts
// between a promise and an accept). Each message type a server sends is a
// site, enabled once per run from the seed and the type's name (like a
// fault point, with probability crashPointEnable); an enabled site crashes
// the sender of its k-th message of that type in the fault phase, k drawn
// per site from 1 to 256, log-uniformly, so that rare types are hit too,
// and crashes it a nanosecond later. A crash point respects the nemesis's bound on servers down at
// once, and the outcome lists its crash and restart among the faults.

// crashPointEnable is the probability that a message type is a crash point
// in a run.
const crashPointEnable = 0.5

// crashPoints is the crash points of one run.
type crashPoints struct {
	w       *sim.World
	seed    uint64
	servers map[sim.NodeID]bool
	from    sim.Time // the fault phase: the nemesis's window
	until   sim.Time
	maxDown int
	sites   map[reflect.Type]*crashSite // by message type, looked up by key only
	faults  []Fault                     // the crashes and restarts made
}

// crashSite is one message type's crash point.
type crashSite struct {
	enabled bool
	k, sent int // crash after the k-th send in the fault phase
}

// armCrashPoints watches w for the crash points of a scenario whose swarm
// mix asked for them. They end with the fault phase: at the nemesis's stop,
// or at liveness mode's heal (live, if not nil), after which no fault may
// come.
func (s *Scenario) armCrashPoints(w *sim.World, inst protocols.Instance, seed uint64, live *liveRun) *crashPoints {
	if !s.CrashPoints || s.Nemesis == nil {
		return nil
	}
	cp := &crashPoints{w: w, seed: seed, servers: map[sim.NodeID]bool{}, sites: map[reflect.Type]*crashSite{},
		from: sim.Time(s.Nemesis.Start), until: sim.Time(s.Nemesis.Stop), maxDown: s.Nemesis.MaxDown}
	if live != nil {
		// The crash comes a nanosecond after its send, and one at the
		// heal's instant would come after the heal.
		cp.until = min(cp.until, live.at-2)
	}
	for _, id := range inst.Servers() {
		cp.servers[id] = true
	}
	if cp.maxDown <= 0 {
		cp.maxDown = max(1, (len(cp.servers)-1)/2)
	}
	w.ObserveKinds(cp.observe, sim.KindSend)
	return cp
}

// observe counts a server's sends by type and crashes it at its site's k-th.
func (cp *crashPoints) observe(e *sim.Event) {
	if e.Kind != sim.KindSend || e.Time < cp.from || e.Time > cp.until || !cp.servers[e.Node] {
		return
	}
	typ := reflect.TypeOf(e.Msg)
	site := cp.sites[typ]
	if site == nil {
		name := "crash-after/" + typ.String()
		site = &crashSite{enabled: sim.FaultPointEnabled(cp.seed, name, crashPointEnable)}
		r := rand.New(sim.NewStream(cp.seed, name))
		site.k = int(detmath.Exp2(8 * r.Float64()))
		cp.sites[typ] = site
	}
	site.sent++
	if !site.enabled || site.sent != site.k || cp.down() >= cp.maxDown {
		return
	}
	node := e.Node
	down := time.Millisecond + time.Duration(site.k%64)*time.Millisecond // 1ms to 64ms
	name1 := cp.w.Name(node)
	// The crash comes a nanosecond after the send, so that the fixed
	// fault the outcome lists for it (which a shrink replays, and which
	// runs before the other events of its instant) crashes the node at
	// the same point of its run.
	at := e.Time.Add(time.Nanosecond)
	cp.faults = append(cp.faults, Fault{At: time.Duration(at), Kind: FaultCrash, Node: name1, Nemesis: true},
		Fault{At: time.Duration(at) + down, Kind: FaultRestart, Node: name1, Nemesis: true})
	cp.w.At(at, func(w *sim.World) { w.Crash(node) })
	cp.w.At(at.Add(down), func(w *sim.World) {
		if !w.Up(node) {
			w.Restart(node)
		}
	})
}

// down counts the servers crashed or paused now.
func (cp *crashPoints) down() int {
	n := 0
	for id := range cp.servers { // counting: order does not matter
		if !cp.w.Up(id) || cp.w.Paused(id) {
			n++
		}
	}
	return n
}

// merged returns schedule with the crash points' faults, in time order.
func (cp *crashPoints) merged(schedule []Fault) []Fault {
	if cp == nil || len(cp.faults) == 0 {
		return schedule
	}
	out := append(slices.Clone(schedule), cp.faults...)
	slices.SortStableFunc(out, func(a, b Fault) int { return int(max(-1, min(1, a.At-b.At))) })
	return out
}
