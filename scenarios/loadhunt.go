package scenarios

import (
	"fmt"
	"slices"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// This file parses the fields of a scenario that hunt for bugs: swarm,
// fault_points, liveness and online_checks (see the package documentation).

// swarm parses a swarm block: true for the defaults, or a mapping of
// bounds; false leaves swarm testing off.
func (p *parser) swarm(n *yaml.Node, path string, s *Scenario) *SwarmBounds {
	if n.Kind == yaml.ScalarNode {
		if on, ok := p.boolean(n, path); ok && on {
			return &SwarmBounds{}
		}
		return nil
	}
	b := &SwarmBounds{}
	allow := func(dst *bool) func(*yaml.Node, string) {
		return func(v *yaml.Node, f string) {
			on, _ := p.boolean(v, f)
			*dst = !on
		}
	}
	p.fields(n, path, map[string]func(*yaml.Node, string){
		"kinds": func(v *yaml.Node, f string) {
			b.Kinds = []FaultKind{}
			names, _ := p.strList(v, f)
			for i, name := range names {
				if !slices.Contains(NemesisKinds, FaultKind(name)) {
					p.errf(v.Content[i], fmt.Sprintf("%s[%d]", f, i), "%q is not a nemesis fault (want crash, pause, partition or clock)", name)
					continue
				}
				b.Kinds = append(b.Kinds, FaultKind(name))
			}
		},
		"drop":         func(v *yaml.Node, f string) { b.Drop, _ = p.prob(v, f) },
		"duplicate":    func(v *yaml.Node, f string) { b.Duplicate, _ = p.prob(v, f) },
		"tail":         func(v *yaml.Node, f string) { b.Tail = p.tail(v, f) },
		"in_flight":    func(v *yaml.Node, f string) { b.InFlight, _ = p.integer(v, f, 1) },
		"queries":      allow(&b.NoQueries),
		"fault_points": allow(&b.NoFaultPoints),
		"liveness":     allow(&b.NoLiveness),
		"enabled":      allow(&b.Off),
		"mix":          allow(&b.NoMix),
		"params":       func(v *yaml.Node, f string) { b.Params = p.paramRanges(v, f, s.Protocol) },
	})
	return b
}

// tail parses a swarm block's largest log-normal sigma.
func (p *parser) tail(n *yaml.Node, path string) float64 {
	x, ok := p.float(n, path)
	if ok && (x < 0 || x > 4) {
		p.errf(n, path, "%v is out of range (want a log-normal sigma from 0 to 4)", x)
		return 0
	}
	return x
}

// paramRanges parses a swarm block's params: for each parameter, a list of
// two numbers (int, float or duration: its range) or of the values to
// choose from (string or bool), each valid for the parameter.
func (p *parser) paramRanges(n *yaml.Node, path string, pr *protocols.Protocol) []ParamRange {
	if n.Kind != yaml.MappingNode {
		p.errf(n, path, "want a mapping from parameter to [min, max] or to a list of choices")
		return nil
	}
	var out []ParamRange
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		f := join(path, k.Value)
		spec, ok := paramSpec(pr, k.Value)
		if !ok {
			p.errf(k, f, "protocol %s has no parameter %q", pr.Name, k.Value)
			continue
		}
		if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
			p.errf(v, f, "want a list: [min, max] for a number, the choices otherwise")
			continue
		}
		var vals []any
		for j, c := range v.Content {
			if x, ok := p.param(c, fmt.Sprintf("%s[%d]", f, j), spec); ok {
				vals = append(vals, x)
			}
		}
		if len(vals) != len(v.Content) {
			continue
		}
		out = append(out, p.paramRange(v, f, spec, vals))
	}
	return out
}

// paramRange makes a ParamRange of a parameter's parsed values.
func (p *parser) paramRange(n *yaml.Node, path string, spec protocols.Param, vals []any) ParamRange {
	r := ParamRange{Name: spec.Name}
	switch spec.Kind {
	case protocols.Int, protocols.Float, protocols.Duration:
		if len(vals) != 2 || !less(vals[0], vals[1]) {
			p.errf(n, path, "want [min, max] with min below max")
			return r
		}
		r.Min, r.Max = vals[0], vals[1]
	default:
		r.Choices = vals
	}
	return r
}

// less compares two parameter values of one numeric kind.
func less(a, b any) bool {
	switch x := a.(type) {
	case int:
		return x < b.(int)
	case float64:
		return x < b.(float64)
	case time.Duration:
		return x < b.(time.Duration)
	}
	return false
}

// paramSpec finds a protocol's parameter by name.
func paramSpec(pr *protocols.Protocol, name string) (protocols.Param, bool) {
	for _, spec := range pr.Params {
		if spec.Name == name {
			return spec, true
		}
	}
	return protocols.Param{}, false
}

// faultPoints parses fault_points: true (the default probabilities), false,
// or {enable: P, fire: P}.
func (p *parser) faultPoints(n *yaml.Node, path string) *sim.FaultPoints {
	if n.Kind == yaml.ScalarNode {
		if on, ok := p.boolean(n, path); ok && on {
			return &sim.FaultPoints{}
		}
		return nil
	}
	fp := &sim.FaultPoints{}
	p.fields(n, path, map[string]func(*yaml.Node, string){
		"enable": func(v *yaml.Node, f string) { fp.Enable, _ = p.prob(v, f) },
		"fire":   func(v *yaml.Node, f string) { fp.Fire, _ = p.prob(v, f) },
	})
	return fp
}

// liveness parses liveness: true (the defaults), false, or {at: T, bound: B}.
func (p *parser) liveness(n *yaml.Node, path string) *Liveness {
	if n.Kind == yaml.ScalarNode {
		if on, ok := p.boolean(n, path); ok && on {
			return &Liveness{}
		}
		return nil
	}
	l := &Liveness{}
	p.fields(n, path, map[string]func(*yaml.Node, string){
		"at":    func(v *yaml.Node, f string) { l.At, _ = p.duration(v, f) },
		"bound": func(v *yaml.Node, f string) { l.Bound, _ = p.duration(v, f) },
	})
	return l
}
