package scenarios

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/dsimlab/dsim/sim"
	"github.com/dsimlab/dsim/sim/detmath"
)

// Schedule returns the run's whole fault schedule for a seed: the file's
// fixed faults plus the nemesis's draws from the "faults" stream, sorted by
// time (ties keep file order, fixed faults first). servers are the names of
// the nodes the nemesis may target.
func (s *Scenario) Schedule(seed uint64, servers []string) []Fault {
	out := slices.Clone(s.Faults)
	if s.Nemesis != nil && len(servers) > 0 {
		r := rand.New(sim.NewStream(seed, "faults"))
		out = append(out, s.Nemesis.draw(r, servers)...)
	}
	slices.SortStableFunc(out, func(a, b Fault) int {
		switch {
		case a.At < b.At:
			return -1
		case a.At > b.At:
			return 1
		}
		return 0
	})
	return out
}

// draw generates the nemesis's faults. Each fault is undone before the next
// one starts, so at most one is active at a time and the schedule stays
// readable; MaxDown bounds how many servers a crash or pause may take. A
// nemesis always draws at least one fault when its window can hold one: a
// run that asks for faults tests some (if the gaps happen to jump past the
// window, one fault is placed in it uniformly). The gaps are exponential,
// drawn through sim/detmath so that every architecture draws the same
// schedule.
func (nm *Nemesis) draw(r *rand.Rand, servers []string) []Fault {
	var out []Fault
	maxDown := nm.MaxDown
	if maxDown <= 0 {
		maxDown = (len(servers) - 1) / 2
	}
	if maxDown < 1 {
		maxDown = 1
	}
	t := nm.Start
	for len(out) < MaxFaults {
		t += time.Duration(detmath.ExpFloat64(r) * float64(nm.Interval))
		span := nm.Duration/2 + time.Duration(r.Float64()*float64(nm.Duration))
		if t+span > nm.Stop {
			break
		}
		out = append(out, nm.fault(r, t, t+span, servers, maxDown)...)
		t += span
	}
	if len(out) == 0 {
		span := nm.Duration/2 + time.Duration(r.Float64()*float64(nm.Duration))
		if room := nm.Stop - nm.Start - span; room >= 0 {
			t := nm.Start + time.Duration(r.Float64()*float64(room))
			out = nm.fault(r, t, t+span, servers, maxDown)
		}
	}
	return out
}

// fault draws one fault from start to end, and its undoing.
func (nm *Nemesis) fault(r *rand.Rand, start, end time.Duration, servers []string, maxDown int) []Fault {
	kind := nm.Kinds[r.IntN(len(nm.Kinds))]
	victims := pick(r, servers, 1+r.IntN(maxDown))
	switch kind {
	case FaultCrash, FaultPause:
		undo := FaultRestart
		if kind == FaultPause {
			undo = FaultResume
		}
		var out []Fault
		for _, v := range victims {
			out = append(out, Fault{At: start, Kind: kind, Node: v, Nemesis: true},
				Fault{At: end, Kind: undo, Node: v, Nemesis: true})
		}
		return out
	case FaultPartition:
		minority := pick(r, servers, 1+r.IntN(max(1, (len(servers)-1)/2)))
		var rest []string
		for _, s := range servers {
			if !slices.Contains(minority, s) {
				rest = append(rest, s)
			}
		}
		return []Fault{{At: start, Kind: FaultPartition, Groups: [][]string{minority, rest}, Nemesis: true},
			{At: end, Kind: FaultHeal, Nemesis: true}}
	}
	v := victims[0] // FaultClock
	off := time.Duration((2*r.Float64() - 1) * float64(nm.MaxSkew))
	return []Fault{{At: start, Kind: FaultClock, Node: v, Offset: off, Nemesis: true},
		{At: end, Kind: FaultClock, Node: v, Nemesis: true}}
}

// pick draws k distinct names from names, keeping their order.
func pick(r *rand.Rand, names []string, k int) []string {
	k = min(k, len(names))
	idx := r.Perm(len(names))[:k]
	slices.Sort(idx)
	out := make([]string, k)
	for i, j := range idx {
		out[i] = names[j]
	}
	return out
}

// apply performs fault f on the world; net is the scenario's network,
// which a reset restores. Names were resolved by resolve.
func apply(w *sim.World, net *Network, f Fault) error {
	id := func(name string) sim.NodeID { n, _ := w.Lookup(name); return n }
	switch f.Kind {
	case FaultCrash:
		w.Crash(id(f.Node))
	case FaultRestart:
		w.Restart(id(f.Node))
	case FaultPause:
		w.Pause(id(f.Node))
	case FaultResume:
		w.Resume(id(f.Node))
	case FaultPartition:
		// Nodes named in no group (typically the clients) join the last
		// group, so a partition of the servers leaves clients with the
		// majority rather than alone.
		groups := make([][]sim.NodeID, len(f.Groups))
		listed := map[sim.NodeID]bool{}
		for i, g := range f.Groups {
			for _, name := range g {
				groups[i] = append(groups[i], id(name))
				listed[id(name)] = true
			}
		}
		last := len(groups) - 1
		for _, n := range w.Nodes() {
			if !listed[n] {
				groups[last] = append(groups[last], n)
			}
		}
		w.Partition(groups...)
	case FaultCut:
		w.Cut(id(f.From), id(f.To))
	case FaultHeal:
		if f.From != "" {
			w.HealLink(id(f.From), id(f.To))
		} else {
			w.Heal()
		}
	case FaultClock:
		return w.SetClock(id(f.Node), f.Offset, f.Drift)
	case FaultLink:
		if f.From == "" {
			return w.SetDefaultLink(ChangeLink(w.DefaultLinkConfig(), *f.Link, f.LinkFields))
		}
		from, to := id(f.From), id(f.To)
		return w.SetLink(from, to, ChangeLink(w.LinkConfig(from, to), *f.Link, f.LinkFields))
	case FaultReset:
		return reset(w, net, f, id)
	}
	return nil
}

// reset restores the scenario's network: every link, or only f.From ->
// f.To. Cuts and partitions are heal's business and stay as they are.
func reset(w *sim.World, net *Network, f Fault, id func(string) sim.NodeID) error {
	if f.From == "" {
		w.ResetLinks()
		if err := w.SetDefaultLink(net.Default); err != nil {
			return err
		}
		for _, l := range net.Links {
			if err := w.SetLink(id(l.From), id(l.To), l.Config); err != nil {
				return err
			}
		}
		return nil
	}
	from, to := id(f.From), id(f.To)
	want := net.Link(f.From, f.To)
	if want == w.DefaultLinkConfig() {
		w.ResetLink(from, to)
		return nil
	}
	return w.SetLink(from, to, want)
}

// resolve checks that every node name in the scenario's faults and links
// names a node of the world, and reports those that do not as Problems.
func (s *Scenario) resolve(w *sim.World) error {
	var probs Problems
	names := make([]string, 0, len(w.Nodes()))
	for _, id := range w.Nodes() {
		names = append(names, w.Name(id))
	}
	check := func(line int, field, name string) {
		if name == "" {
			return
		}
		if _, ok := w.Lookup(name); !ok {
			probs = append(probs, Problem{File: s.File, Line: line, Field: field,
				Msg: fmt.Sprintf("no node named %q (protocol %s with these settings has %s)", name, s.Protocol.Name, strings.Join(names, ", "))})
		}
	}
	for _, f := range s.Faults {
		field := fmt.Sprintf("faults[%d].%s", f.Position, f.Kind)
		check(f.Line, field, f.Node)
		check(f.Line, field, f.From)
		check(f.Line, field, f.To)
		for _, g := range f.Groups {
			for _, name := range g {
				check(f.Line, field, name)
			}
		}
	}
	for i, l := range s.Network.Links {
		check(l.Line, fmt.Sprintf("network.links[%d].from", i), l.From)
		check(l.Line, fmt.Sprintf("network.links[%d].to", i), l.To)
	}
	if len(probs) > 0 {
		return probs
	}
	return nil
}
