package scenarios

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// WriteYAML writes s as a scenario file that Parse reads back to an equal
// Scenario (File, and the Line and Position of faults and links, aside):
// every field the file format has, parameters that differ from their
// defaults, fixed faults one per line, and the nemesis if there is one. It
// is how a shrunk scenario (package shrink) is saved: `dsim run FILE
// --seed N` replays it.
func (s *Scenario) WriteYAML(w io.Writer) error {
	if s.Protocol == nil {
		return fmt.Errorf("scenarios: write %s: no protocol", s.Name)
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(s.node()); err != nil {
		return fmt.Errorf("scenarios: write %s: %w", s.Name, err)
	}
	return enc.Close()
}

// node is the scenario as a YAML mapping, fields in the order the format's
// documentation gives them.
func (s *Scenario) node() *yaml.Node {
	m := mapping()
	m.add("name", str(s.Name))
	if s.Description != "" {
		m.add("description", str(s.Description))
	}
	m.add("protocol", str(s.Protocol.Name))
	if p := params(s.Protocol, s.Params); len(p.Content) > 0 {
		m.add("params", p)
	}
	m.add("nodes", plain(strconv.Itoa(s.Nodes)))
	m.add("clients", plain(strconv.Itoa(s.Clients)))
	m.add("network", network(s.Network))
	m.add("workload", workload(s.Workload))
	m.add("duration", duration(s.Duration))
	if len(s.Faults) > 0 {
		list := &yaml.Node{Kind: yaml.SequenceNode}
		for _, f := range s.Faults {
			list.Content = append(list.Content, fault(f))
		}
		m.add("faults", list)
	}
	if s.Nemesis != nil {
		m.add("nemesis", nemesis(s.Nemesis))
	}
	checks := flow(&yaml.Node{Kind: yaml.SequenceNode})
	for _, c := range s.Checks {
		checks.Content = append(checks.Content, str(c))
	}
	m.add("checks", checks)
	m.add("check_budget", duration(s.CheckBudget))
	if s.AllowInconclusive {
		m.add("allow_inconclusive", plain("true"))
	}
	if s.AllowVacuous {
		m.add("allow_vacuous", plain("true"))
	}
	s.addHunting(m)
	return m.Node
}

// addHunting adds the fields that hunt for bugs, those that are set.
func (s *Scenario) addHunting(m nodeMap) {
	if s.Swarm != nil {
		m.add("swarm", swarm(s.Protocol, s.Swarm))
	}
	if fp := s.FaultPoints; fp != nil {
		f := flowMapping()
		if fp.Enable != 0 {
			f.add("enable", number(fp.Enable))
		}
		if fp.Fire != 0 {
			f.add("fire", number(fp.Fire))
		}
		m.add("fault_points", f.Node)
	}
	if l := s.Liveness; l != nil {
		f := flowMapping()
		if l.At != 0 {
			f.add("at", duration(l.At))
		}
		if l.Bound != 0 {
			f.add("bound", duration(l.Bound))
		}
		m.add("liveness", f.Node)
	}
	if s.Online {
		m.add("online_checks", plain("true"))
	}
}

// swarm is a swarm block: the bounds that differ from their defaults.
func swarm(pr *protocols.Protocol, b *SwarmBounds) *yaml.Node {
	m := flowMapping()
	if b.Off {
		m.add("enabled", plain("false"))
	}
	if b.Kinds != nil {
		kinds := flow(&yaml.Node{Kind: yaml.SequenceNode})
		for _, k := range b.Kinds {
			kinds.Content = append(kinds.Content, str(string(k)))
		}
		m.add("kinds", kinds)
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"drop", b.Drop}, {"duplicate", b.Duplicate}, {"tail", b.Tail}} {
		if f.v != 0 {
			m.add(f.name, number(f.v))
		}
	}
	if b.InFlight != 0 {
		m.add("in_flight", plain(strconv.Itoa(b.InFlight)))
	}
	for _, f := range []struct {
		name string
		no   bool
	}{{"queries", b.NoQueries}, {"fault_points", b.NoFaultPoints}, {"liveness", b.NoLiveness}, {"mix", b.NoMix}} {
		if f.no {
			m.add(f.name, plain("false"))
		}
	}
	if len(b.Params) > 0 {
		ranges := flowMapping()
		for _, r := range b.Params {
			list := flow(&yaml.Node{Kind: yaml.SequenceNode})
			vals := r.Choices
			if vals == nil {
				vals = []any{r.Min, r.Max}
			}
			spec, _ := paramSpec(pr, r.Name)
			for _, v := range vals {
				list.Content = append(list.Content, paramValue(spec.Kind, v))
			}
			ranges.add(r.Name, list)
		}
		m.add("params", ranges.Node)
	}
	return m.Node
}

// params is the mapping of the parameters whose values differ from the
// schema's defaults, in schema order.
func params(pr *protocols.Protocol, p protocols.Params) *yaml.Node {
	m := flowMapping()
	for _, spec := range pr.Params {
		var v any
		switch spec.Kind {
		case protocols.Int:
			v = p.Int(spec.Name)
		case protocols.Float:
			v = p.Float(spec.Name)
		case protocols.Duration:
			v = p.Duration(spec.Name)
		case protocols.Bool:
			v = p.Bool(spec.Name)
		default:
			v = p.String(spec.Name)
		}
		if v != spec.Default {
			m.add(spec.Name, paramValue(spec.Kind, v))
		}
	}
	return m.Node
}

// paramValue is a parameter's value, v of kind's Go type, as a scenario
// file writes it.
func paramValue(kind protocols.ParamKind, v any) *yaml.Node {
	switch kind {
	case protocols.Int:
		return plain(strconv.Itoa(v.(int)))
	case protocols.Float:
		return number(v.(float64))
	case protocols.Duration:
		return duration(v.(time.Duration))
	case protocols.Bool:
		return plain(strconv.FormatBool(v.(bool)))
	}
	return str(fmt.Sprint(v))
}

// network is the default link and the overrides. Every field of a link is
// written, since an override starts from the default link and a link fault
// from sim.DefaultLink.
func network(n Network) *yaml.Node {
	m := link(n.Default)
	if len(n.Links) > 0 {
		list := &yaml.Node{Kind: yaml.SequenceNode}
		for _, l := range n.Links {
			o := flowMapping()
			o.add("from", str(l.From))
			o.add("to", str(l.To))
			o.Content = append(o.Content, link(l.Config).Content...)
			list.Content = append(list.Content, o.Node)
		}
		m.add("links", list)
	}
	return m.Node
}

// link is a link's fields as a mapping (to add more to).
func link(c sim.LinkConfig) nodeMap {
	m := mapping()
	m.add("latency", latency(c.Latency))
	m.add("drop", number(c.Drop))
	m.add("duplicate", number(c.Duplicate))
	m.add("fifo", plain(strconv.FormatBool(c.FIFO)))
	return m
}

// latency is a latency distribution: its kind and its non-zero fields.
func latency(l sim.Latency) *yaml.Node {
	m := flowMapping()
	m.add("kind", str(string(l.Kind)))
	for _, d := range []struct {
		name string
		v    time.Duration
	}{{"mean", l.Mean}, {"min", l.Min}, {"max", l.Max}, {"stddev", l.Stddev}, {"median", l.Median}} {
		if d.v != 0 {
			m.add(d.name, duration(d.v))
		}
	}
	if l.Sigma != 0 {
		m.add("sigma", number(l.Sigma))
	}
	if l.Alpha != 0 {
		m.add("alpha", number(l.Alpha))
	}
	return m.Node
}

// workload is the workload's fields; rate only for an open loop, mix only
// if it has entries.
func workload(wl protocols.Workload) *yaml.Node {
	m := mapping()
	m.add("ops", plain(strconv.Itoa(wl.Ops)))
	if len(wl.Mix) > 0 {
		mix := flowMapping()
		for _, e := range wl.Mix {
			mix.add(e.Op, number(e.Weight))
		}
		m.add("mix", mix.Node)
	}
	m.add("keys", plain(strconv.Itoa(wl.Keys)))
	m.add("distribution", str(wl.Distribution))
	m.add("zipf_s", number(wl.ZipfS))
	m.add("think", duration(wl.Think))
	if wl.Rate != 0 {
		m.add("rate", number(wl.Rate))
	}
	m.add("timeout", duration(wl.Timeout))
	if wl.InFlight != 0 {
		m.add("in_flight", plain(strconv.Itoa(wl.InFlight)))
	}
	if wl.Queries {
		m.add("queries", plain("true"))
	}
	return m.Node
}

// fault is one fault event on one line: {at: 2s, crash: n1}.
func fault(f Fault) *yaml.Node {
	m := flowMapping()
	m.add("at", duration(f.At))
	kind := string(f.Kind)
	switch f.Kind {
	case FaultCrash, FaultRestart, FaultPause, FaultResume:
		m.add(kind, str(f.Node))
	case FaultPartition:
		groups := flow(&yaml.Node{Kind: yaml.SequenceNode})
		for _, g := range f.Groups {
			side := flow(&yaml.Node{Kind: yaml.SequenceNode})
			for _, name := range g {
				side.Content = append(side.Content, str(name))
			}
			groups.Content = append(groups.Content, side)
		}
		m.add(kind, groups)
	case FaultCut:
		m.add(kind, fromTo(f).Node)
	case FaultHeal:
		if f.From == "" {
			m.add(kind, plain("true"))
		} else {
			m.add(kind, fromTo(f).Node)
		}
	case FaultClock:
		c := flowMapping()
		c.add("node", str(f.Node))
		c.add("offset", duration(f.Offset))
		c.add("drift", number(f.Drift))
		m.add(kind, c.Node)
	case FaultLink:
		l := fromTo(f)
		cfg := sim.DefaultLink
		if f.Link != nil {
			cfg = *f.Link
		}
		l.Content = append(l.Content, linkFieldsOf(cfg, f.LinkFields)...)
		m.add(kind, l.Node)
	case FaultReset:
		if f.From == "" {
			m.add(kind, plain("true"))
		} else {
			m.add(kind, fromTo(f).Node)
		}
	}
	return m.Node
}

// linkFieldsOf is the keys and values of the link fields a link fault
// names: a fault changes only those, so only those are written.
func linkFieldsOf(c sim.LinkConfig, fields []string) []*yaml.Node {
	all := link(c).Content
	var out []*yaml.Node
	for i := 0; i < len(all); i += 2 {
		if slices.Contains(fields, all[i].Value) {
			out = append(out, all[i], all[i+1])
		}
	}
	return out
}

// fromTo is {from: a, to: b}, or an empty mapping when the fault names no
// link.
func fromTo(f Fault) nodeMap {
	m := flowMapping()
	if f.From != "" || f.To != "" {
		m.add("from", str(f.From))
		m.add("to", str(f.To))
	}
	return m
}

// nemesis is the nemesis's fields, stop included.
func nemesis(nm *Nemesis) *yaml.Node {
	m := mapping()
	kinds := flow(&yaml.Node{Kind: yaml.SequenceNode})
	for _, k := range nm.Kinds {
		kinds.Content = append(kinds.Content, str(string(k)))
	}
	m.add("kinds", kinds)
	m.add("start", duration(nm.Start))
	m.add("stop", duration(nm.Stop))
	m.add("interval", duration(nm.Interval))
	m.add("duration", duration(nm.Duration))
	m.add("max_down", plain(strconv.Itoa(nm.MaxDown)))
	m.add("max_skew", duration(nm.MaxSkew))
	return m.Node
}

// nodeMap is a YAML mapping being built.
type nodeMap struct{ *yaml.Node }

func mapping() nodeMap { return nodeMap{&yaml.Node{Kind: yaml.MappingNode}} }

func flowMapping() nodeMap { return nodeMap{flow(&yaml.Node{Kind: yaml.MappingNode})} }

// add appends key: value.
func (m nodeMap) add(key string, value *yaml.Node) {
	m.Content = append(m.Content, plain(key), value)
}

func flow(n *yaml.Node) *yaml.Node {
	n.Style = yaml.FlowStyle
	return n
}

// str is a string, quoted by the encoder when it would otherwise read as
// another type (true, 12, null).
func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

// plain is a scalar written as it is: a number, a boolean or a key.
func plain(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }

// number is a float in the shortest form that reads back to the same
// value.
func number(x float64) *yaml.Node { return plain(strconv.FormatFloat(x, 'g', -1, 64)) }

// duration is a Go duration as time.ParseDuration reads it back.
func duration(d time.Duration) *yaml.Node { return plain(d.String()) }
