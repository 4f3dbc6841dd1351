package sim

import (
	"fmt"
	"strings"
	"time"
)

// linkKey names the directed link from -> to.
type linkKey uint64

func keyOf(from, to NodeID) linkKey { return linkKey(uint32(from))<<32 | linkKey(uint32(to)) }

// links is the state of the network beyond its default link, kept only for
// the links that differ from it, so memory grows with the links a run
// touches, never with the square of its nodes. Partitions are a group
// number per node (nodeState.group); one-way cuts and heals of single links,
// per-link models and FIFO arrival times are maps keyed by link. The maps
// are only ever read by key, so their iteration order never matters.
type links struct {
	partitioned bool               // some nodes are in different groups
	cut         bool               // partitioned, or some link cut or healed on its own
	differ      bool               // cut, or some link has its own model
	state       map[linkKey]bool   // links cut (true) or healed (false) one by one, overriding the groups
	models      map[linkKey]*model // links with their own model
	fifo        map[linkKey]Time   // FIFO links: when the latest message on the link arrives
}

// update recomputes the flags the event loop tests before looking a link up.
func (l *links) update() {
	l.cut = l.partitioned || len(l.state) > 0
	l.differ = l.cut || len(l.models) > 0
}

// blocked reports whether the link from -> to is cut now.
func (w *World) blocked(from, to NodeID) bool {
	if b, ok := w.links.state[keyOf(from, to)]; ok {
		return b
	}
	return w.nodes[from].group != w.nodes[to].group
}

// setState cuts (true) or heals (false) one link, whatever the partition.
func (w *World) setState(from, to NodeID, cut bool) {
	if w.links.state == nil {
		w.links.state = map[linkKey]bool{}
	}
	w.links.state[keyOf(from, to)] = cut
	w.links.update()
}

// Partition splits the network into groups: links between nodes of
// different groups are cut both ways, links within a group are restored.
// Nodes named in no group form one more group together. Messages in flight
// across a cut are dropped when they arrive. It costs time in proportion to
// the nodes, and no memory per link.
func (w *World) Partition(groups ...[]NodeID) {
	for _, n := range w.nodes {
		n.group = 0
	}
	var desc []string
	for g, ids := range groups {
		names := make([]string, len(ids))
		for i, id := range ids {
			w.nodes[id].group = int32(g + 1)
			names[i] = w.nodes[id].name
		}
		desc = append(desc, strings.Join(names, ","))
	}
	w.links.partitioned = false
	for _, n := range w.nodes {
		w.links.partitioned = w.links.partitioned || n.group != w.nodes[0].group
	}
	clear(w.links.state)
	w.links.update()
	w.emitText(KindPartition, None, None, strings.Join(desc, " | "))
}

// Cut cuts the link from -> to one way; to -> from is unaffected.
func (w *World) Cut(from, to NodeID) {
	w.setState(from, to, true)
	w.emit(KindCut, from, to, nil, DropNone)
}

// Heal restores every cut link.
func (w *World) Heal() {
	for _, n := range w.nodes {
		n.group = 0
	}
	w.links.partitioned = false
	clear(w.links.state)
	w.links.update()
	w.emit(KindHeal, None, None, nil, DropNone)
}

// HealLink restores the link from -> to, even across a partition.
func (w *World) HealLink(from, to NodeID) {
	w.setState(from, to, false)
	w.emit(KindHeal, from, to, nil, DropNone)
}

// Blocked reports whether the link from -> to is cut.
func (w *World) Blocked(from, to NodeID) bool { return w.blocked(from, to) }

// SetDefaultLink changes the behaviour of every link without an override.
func (w *World) SetDefaultLink(cfg LinkConfig) error {
	m, err := w.compile(cfg)
	if err != nil {
		return fmt.Errorf("default link: %w", err)
	}
	w.def = m
	w.emitText(KindLink, None, None, describeLink(cfg))
	return nil
}

// SetLink overrides the behaviour of the link from -> to.
func (w *World) SetLink(from, to NodeID, cfg LinkConfig) error {
	m, err := w.compile(cfg)
	if err != nil {
		return fmt.Errorf("link %s->%s: %w", w.nodes[from].name, w.nodes[to].name, err)
	}
	if w.links.models == nil {
		w.links.models = map[linkKey]*model{}
	}
	w.links.models[keyOf(from, to)] = m
	w.links.update()
	w.emitText(KindLink, from, to, describeLink(cfg))
	return nil
}

// ResetLink removes the override of the link from -> to.
func (w *World) ResetLink(from, to NodeID) {
	delete(w.links.models, keyOf(from, to))
	w.links.update()
	w.emitText(KindLink, from, to, "default")
}

// ResetLinks removes the override of every link, so that all of them
// behave as the default link.
func (w *World) ResetLinks() {
	clear(w.links.models)
	w.links.update()
	w.emitText(KindLink, None, None, "every link default")
}

// DefaultLinkConfig returns the behaviour of every link without an
// override.
func (w *World) DefaultLinkConfig() LinkConfig { return w.def.cfg }

// LinkConfig returns the behaviour of the link from -> to.
func (w *World) LinkConfig(from, to NodeID) LinkConfig {
	if m, ok := w.links.models[keyOf(from, to)]; ok {
		return m.cfg
	}
	return w.def.cfg
}

func (w *World) compile(cfg LinkConfig) (*model, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &model{cfg: cfg, latency: newSampler(cfg.Latency, w.netSrc)}, nil
}

func describeLink(c LinkConfig) string {
	return fmt.Sprintf("latency=%s mean=%v drop=%v duplicate=%v fifo=%v",
		c.Latency.Kind, c.Latency.MeanDuration(), c.Drop, c.Duplicate, c.FIFO)
}

// send traces a send of msg from -> to and puts it on the link: it is lost,
// or scheduled for delivery after the link's latency, possibly twice.
func (w *World) send(from, to NodeID, msg any) {
	w.fold(KindSend, from, to, DropNone) // emit, written out on this hot path
	if w.listens(KindSend) {
		w.publishEvent(KindSend, from, to, msg, DropNone)
	}
	m := w.def
	if w.links.differ {
		// Only then can the link differ from the default: the common case
		// of an intact network skips the per-link lookups.
		if mm, ok := w.links.models[keyOf(from, to)]; ok {
			m = mm
		}
		if w.links.cut && w.blocked(from, to) {
			w.emit(KindDrop, from, to, msg, DropPartition)
			return
		}
	}
	if m.cfg.Drop > 0 && float01(w.netSrc) < m.cfg.Drop {
		w.emit(KindDrop, from, to, msg, DropLoss)
		return
	}
	w.schedule(m, from, to, msg)
	if m.cfg.Duplicate > 0 && float01(w.netSrc) < m.cfg.Duplicate {
		w.emit(KindDuplicate, from, to, msg, DropNone)
		w.schedule(m, from, to, msg)
	}
}

func (w *World) schedule(m *model, from, to NodeID, msg any) {
	var d time.Duration
	if s := &m.latency; s.kind == sampleUniform {
		// The uniform draw, the hot path of most runs, is written out here
		// because the compiler would not inline a call into the path of
		// every message. It is distuv.Uniform.Rand's draw (Min +
		// Float64()·(Max-Min) from the same source, so the same values)
		// without the rand.Rand gonum wraps around its source at every call.
		// The product is rounded before the sum, as amd64 rounds it: left
		// to itself, arm64's compiler fuses the two into one multiply-add,
		// which rounds once, and the same seed draws another latency.
		x := s.lo + float64(float64(int64(s.pcg.Uint64()&(1<<53-1)))*0x1p-53*s.span)
		d = maxLatency
		if x < maxLatency {
			d = time.Duration(x)
		}
	} else {
		d = s.sampleOther()
	}
	at := w.now.Add(d)
	if m.cfg.FIFO {
		at = w.fifoArrival(from, to, at)
	}
	slot := w.alloc()
	p := &w.slab[slot]
	p.kind = evDeliver
	p.from, p.to = from, to
	p.payload = msg
	w.push(at, slot)
}

// fifoArrival holds a message on a FIFO link back until the previous one on
// the link has arrived, and returns when it arrives.
func (w *World) fifoArrival(from, to NodeID, at Time) Time {
	if w.links.fifo == nil {
		w.links.fifo = map[linkKey]Time{}
	}
	k := keyOf(from, to)
	if last := w.links.fifo[k]; at < last {
		at = last
	}
	w.links.fifo[k] = at
	return at
}
