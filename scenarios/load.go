package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// ErrInvalid is wrapped by every error Parse and Load return for a scenario
// that cannot be used.
var ErrInvalid = errors.New("invalid scenario")

// Problem is one thing wrong with a scenario file, located by line and field.
type Problem struct {
	File  string // file name as given
	Line  int    // 1-based; 0 when the problem has no place (e.g. a missing field)
	Field string // dotted path, e.g. faults[2].at
	Msg   string // what is wrong and what was expected
}

// Error formats the problem as "file:line: field: message".
func (p Problem) Error() string {
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	if p.Field == "" {
		return fmt.Sprintf("%s: %s", loc, p.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", loc, p.Field, p.Msg)
}

// Problems is every problem found in one scenario file. It wraps ErrInvalid.
type Problems []Problem

// Error lists the problems, one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap makes errors.Is(err, ErrInvalid) true.
func (ps Problems) Unwrap() error { return ErrInvalid }

// Load reads and validates the scenario file at path against the protocol
// table.
func Load(path string, table []protocols.Protocol) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("load scenario: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxScenarioBytes+1))
	if err != nil {
		return nil, fmt.Errorf("load scenario: %w", err)
	}
	return Parse(path, data, table)
}

// Limits on what one scenario may ask for, so that no file, however large
// or odd, can take the machine down: a file past one of them is invalid,
// with a message naming the field and the limit.
const (
	// MaxScenarioBytes is the largest scenario file read: 8 MiB.
	MaxScenarioBytes = 8 << 20
	// MaxNodes is the most nodes (servers and clients together) a scenario
	// may have.
	MaxNodes = 100_000
	// MaxFaults is the most fault events a run may schedule: fixed ones in
	// the file, or the nemesis's (estimated from its interval before any is
	// drawn, and never more when they are).
	MaxFaults = 100_000
	// MaxRate is the highest open-loop rate, operations per second per
	// client; MinRate the lowest, whose mean gap between operations is a
	// day.
	MaxRate = 1e9
	MinRate = 1.0 / (24 * 60 * 60)
)

// Parse validates a scenario given as YAML text; file names it in messages.
// It reports every problem it finds, each with file, line and field, as
// Problems.
func Parse(file string, data []byte, table []protocols.Protocol) (*Scenario, error) {
	p := &parser{file: file, table: table}
	if len(data) > MaxScenarioBytes {
		p.errf(nil, "", "the file is larger than %d MiB, the limit for a scenario", MaxScenarioBytes>>20)
		return nil, p.probs
	}
	s := p.parse(data)
	if len(p.probs) > 0 {
		return nil, p.probs
	}
	return s, nil
}

// parser walks a YAML document by hand, so that every problem is collected
// with its line and its dotted field path.
type parser struct {
	file  string
	table []protocols.Protocol
	probs Problems
}

func (p *parser) errf(n *yaml.Node, field, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	p.probs = append(p.probs, Problem{File: p.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

// fields walks a mapping node, calling handle for each known key and
// reporting unknown and repeated keys. It returns false if n is not a mapping.
func (p *parser) fields(n *yaml.Node, path string, known map[string]func(v *yaml.Node, path string)) bool {
	if n.Kind != yaml.MappingNode {
		p.errf(n, path, "want a mapping with fields %s", strings.Join(slices.Sorted(maps.Keys(known)), ", "))
		return false
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		field := join(path, k.Value)
		if seen[k.Value] {
			p.errf(k, field, "appears twice")
			continue
		}
		seen[k.Value] = true
		handle, ok := known[k.Value]
		if !ok {
			p.errf(k, field, "unknown field (want one of %s)", strings.Join(slices.Sorted(maps.Keys(known)), ", "))
			continue
		}
		handle(v, field)
	}
	return true
}

func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

func (p *parser) scalar(n *yaml.Node, path, want string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errf(n, path, "want %s", want)
		return "", false
	}
	return n.Value, true
}

func (p *parser) str(n *yaml.Node, path string) (string, bool) {
	return p.scalar(n, path, "a string")
}

func (p *parser) integer(n *yaml.Node, path string, min int) (int, bool) {
	s, ok := p.scalar(n, path, "an integer")
	if !ok {
		return 0, false
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		p.errf(n, path, "%q is not an integer", s)
		return 0, false
	}
	if v < min {
		p.errf(n, path, "%d is too small (want at least %d)", v, min)
		return 0, false
	}
	return v, true
}

func (p *parser) float(n *yaml.Node, path string) (float64, bool) {
	s, ok := p.scalar(n, path, "a number")
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		p.errf(n, path, "%q is not a number", s)
		return 0, false
	}
	return v, true
}

func (p *parser) prob(n *yaml.Node, path string) (float64, bool) {
	v, ok := p.float(n, path)
	if ok && (v < 0 || v > 1) {
		p.errf(n, path, "%v is not a probability (want a number from 0 to 1)", v)
		return 0, false
	}
	return v, ok
}

func (p *parser) duration(n *yaml.Node, path string) (time.Duration, bool) {
	s, ok := p.scalar(n, path, "a duration (e.g. 5s, 250ms)")
	if !ok {
		return 0, false
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		p.errf(n, path, "%q is not a duration (want e.g. 5s, 250ms)", s)
		return 0, false
	}
	if d < 0 {
		p.errf(n, path, "%q is negative", s)
		return 0, false
	}
	return d, true
}

func (p *parser) boolean(n *yaml.Node, path string) (bool, bool) {
	s, ok := p.scalar(n, path, "true or false")
	if !ok {
		return false, false
	}
	switch s {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	p.errf(n, path, "%q is not true or false", s)
	return false, false
}

func (p *parser) strList(n *yaml.Node, path string) ([]string, bool) {
	if n.Kind != yaml.SequenceNode {
		p.errf(n, path, "want a list, e.g. [a, b]")
		return nil, false
	}
	out := make([]string, 0, len(n.Content))
	ok := true
	for i, c := range n.Content {
		s, good := p.str(c, fmt.Sprintf("%s[%d]", path, i))
		ok = ok && good
		out = append(out, s)
	}
	return out, ok
}

func (p *parser) parse(data []byte) *Scenario {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil && err != io.EOF {
		p.probs = append(p.probs, Problem{File: p.file, Line: yamlErrorLine(err), Msg: "not valid YAML: " + yamlErrorText(err)})
		return nil
	}
	var second yaml.Node
	if err := dec.Decode(&second); err != io.EOF {
		line := second.Line
		if err != nil {
			line = yamlErrorLine(err)
		}
		p.errf(&yaml.Node{Line: line}, "", "a second YAML document starts here (a scenario file holds one; remove the ---)")
		return nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		p.errf(nil, "", "empty scenario (want a mapping with name, protocol, nodes, duration, ...)")
		return nil
	}
	root := doc.Content[0]
	s := &Scenario{File: p.file, Nodes: 3, CheckBudget: 10 * time.Second,
		Network:  Network{Default: sim.DefaultLink},
		Workload: protocols.Workload{Distribution: "uniform", Keys: 1, Timeout: time.Second, ZipfS: 1.1}}

	// The protocol decides what params, checks and workload ops mean, so
	// find it first.
	var paramsNode, checksNode, mixNode, swarmNode *yaml.Node
	p.fields(root, "", map[string]func(*yaml.Node, string){
		"name":        func(v *yaml.Node, f string) { s.Name, _ = p.str(v, f) },
		"description": func(v *yaml.Node, f string) { s.Description, _ = p.str(v, f) },
		"protocol":    func(v *yaml.Node, f string) { s.Protocol = p.protocol(v, f) },
		"params":      func(v *yaml.Node, f string) { paramsNode = v },
		"nodes":       func(v *yaml.Node, f string) { s.Nodes, _ = p.integer(v, f, 1) },
		"clients":     func(v *yaml.Node, f string) { s.Clients, _ = p.integer(v, f, 0) },
		"network":     func(v *yaml.Node, f string) { p.network(v, f, &s.Network) },
		"workload":    func(v *yaml.Node, f string) { mixNode = p.workload(v, f, &s.Workload) },
		"duration": func(v *yaml.Node, f string) {
			if d, ok := p.duration(v, f); ok && d == 0 {
				p.errf(v, f, "zero (want the run length, e.g. 10s)")
			} else {
				s.Duration = d
			}
		},
		"faults":  func(v *yaml.Node, f string) { s.Faults = p.faults(v, f) },
		"nemesis": func(v *yaml.Node, f string) { s.Nemesis = p.nemesis(v, f) },
		"checks":  func(v *yaml.Node, f string) { checksNode = v },
		"check_budget": func(v *yaml.Node, f string) {
			if d, ok := p.duration(v, f); ok {
				s.CheckBudget = d
			}
		},
		"allow_inconclusive": func(v *yaml.Node, f string) { s.AllowInconclusive, _ = p.boolean(v, f) },
		"allow_vacuous":      func(v *yaml.Node, f string) { s.AllowVacuous, _ = p.boolean(v, f) },
		"swarm":              func(v *yaml.Node, f string) { swarmNode = v },
		"fault_points":       func(v *yaml.Node, f string) { s.FaultPoints = p.faultPoints(v, f) },
		"liveness":           func(v *yaml.Node, f string) { s.Liveness = p.liveness(v, f) },
		"online_checks":      func(v *yaml.Node, f string) { s.Online, _ = p.boolean(v, f) },
	})
	if root.Kind != yaml.MappingNode {
		return nil
	}
	if s.Name == "" {
		p.errf(root, "name", "missing (want a short name, e.g. paxos-partition)")
	}
	if s.Duration <= 0 && !hasKey(root, "duration") {
		p.errf(root, "duration", "missing (want the run length, e.g. 10s)")
	}
	if s.Protocol == nil {
		if !hasKey(root, "protocol") {
			p.errf(root, "protocol", "missing (want one of %s)", p.protocolNames())
		}
		return s
	}
	s.Params = p.params(paramsNode, "params", s.Protocol)
	s.Checks = p.checks(checksNode, "checks", s.Protocol)
	if mixNode != nil {
		s.Workload.Mix = p.mix(mixNode, "workload.mix", s.Protocol)
	}
	if swarmNode != nil {
		s.Swarm = p.swarm(swarmNode, "swarm", s)
	}
	if s.Nemesis != nil && s.Nemesis.Stop == 0 {
		s.Nemesis.Stop = s.Duration
	}
	p.limits(root, s)
	pictureLinkFaults(s)
	for _, f := range s.Faults {
		if f.At > s.Duration {
			p.probs = append(p.probs, Problem{File: p.file, Line: f.Line, Field: fmt.Sprintf("faults[%d].at", f.Position),
				Msg: fmt.Sprintf("%v is after the end of the run (duration %v)", f.At, s.Duration)})
		}
	}
	return s
}

// limits checks what the scenario asks for against the limits (MaxNodes,
// MaxFaults) and the nemesis's window against the run.
func (p *parser) limits(root *yaml.Node, s *Scenario) {
	if n := s.Nodes + s.Clients; n > MaxNodes {
		field, at := "nodes", valueOf(root, "nodes")
		if s.Clients > s.Nodes {
			field, at = "clients", valueOf(root, "clients")
		}
		p.errf(at, field, "%d nodes and %d clients make %d, more than the limit of %d", s.Nodes, s.Clients, n, MaxNodes)
	}
	if len(s.Faults) > MaxFaults {
		p.errf(valueOf(root, "faults"), "faults", "%d fault events, more than the limit of %d", len(s.Faults), MaxFaults)
	}
	if nm := s.Nemesis; nm != nil {
		p.nemesisWindow(valueOf(root, "nemesis"), nm)
	}
}

// nemesisWindow checks that the nemesis has a window to act in, and that it
// would not schedule more than MaxFaults faults in it: each fault takes an
// interval and a duration on average, and comes with its undoing.
func (p *parser) nemesisWindow(n *yaml.Node, nm *Nemesis) {
	if nm.Start >= nm.Stop {
		p.errf(valueOf(n, "start"), "nemesis.start", "%v is not before the nemesis's stop, %v: it would schedule nothing", nm.Start, nm.Stop)
		return
	}
	if window := nm.Stop - nm.Start; window < nm.Duration*3/2 {
		p.errf(valueOf(n, "duration"), "nemesis.duration", "%v: a fault lasts up to %v, longer than the nemesis's window from %v to %v, so some runs would have none",
			nm.Duration, nm.Duration*3/2, nm.Start, nm.Stop)
	}
	cycles := float64(nm.Stop-nm.Start) / float64(nm.Interval+nm.Duration)
	if est := 2 * cycles * float64(max(nm.MaxDown, 1)); est > MaxFaults {
		p.errf(valueOf(n, "interval"), "nemesis.interval", "%v (with duration %v) would schedule about %.3g faults between %v and %v, more than the limit of %d",
			nm.Interval, nm.Duration, est, nm.Start, nm.Stop, MaxFaults)
	}
}

// valueOf returns the value node of key in mapping n, or n itself.
func valueOf(n *yaml.Node, key string) *yaml.Node {
	if n == nil {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return n
}

func hasKey(n *yaml.Node, key string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

func (p *parser) protocolNames() string {
	names := make([]string, len(p.table))
	for i, pr := range p.table {
		names[i] = pr.Name
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

func (p *parser) protocol(n *yaml.Node, path string) *protocols.Protocol {
	name, ok := p.str(n, path)
	if !ok {
		return nil
	}
	for i := range p.table {
		if p.table[i].Name == name {
			return &p.table[i]
		}
	}
	p.errf(n, path, "unknown protocol %q (want one of %s)", name, p.protocolNames())
	return nil
}

func (p *parser) params(n *yaml.Node, path string, pr *protocols.Protocol) protocols.Params {
	vals := map[string]any{}
	known := map[string]func(*yaml.Node, string){}
	for _, spec := range pr.Params {
		known[spec.Name] = func(v *yaml.Node, f string) {
			if x, ok := p.param(v, f, spec); ok {
				vals[spec.Name] = x
			}
		}
	}
	if n != nil {
		if len(known) == 0 {
			p.errf(n, path, "protocol %s takes no parameters", pr.Name)
		} else {
			p.fields(n, path, known)
		}
	}
	return protocols.NewParams(pr.Params, vals)
}

func (p *parser) param(n *yaml.Node, path string, spec protocols.Param) (any, bool) {
	var x any
	var num float64
	ok := false
	switch spec.Kind {
	case protocols.Int:
		var v int
		v, ok = p.integer(n, path, math.MinInt)
		x, num = v, float64(v)
	case protocols.Float:
		var v float64
		v, ok = p.float(n, path)
		x, num = v, v
	case protocols.Duration:
		var v time.Duration
		v, ok = p.duration(n, path)
		x, num = v, float64(v)
	case protocols.Bool:
		x, ok = p.boolean(n, path)
	case protocols.String:
		var v string
		v, ok = p.str(n, path)
		if ok && len(spec.Choices) > 0 && !slices.Contains(spec.Choices, v) {
			p.errf(n, path, "%q is not allowed (want one of %s)", v, strings.Join(spec.Choices, ", "))
			return nil, false
		}
		x = v
	}
	if ok && spec.Max > spec.Min && (num < spec.Min || num > spec.Max) {
		lo, hi := fmt.Sprint(spec.Min), fmt.Sprint(spec.Max)
		if spec.Kind == protocols.Duration {
			lo, hi = time.Duration(spec.Min).String(), time.Duration(spec.Max).String()
		}
		p.errf(n, path, "%s is out of range (want %s to %s)", n.Value, lo, hi)
		return nil, false
	}
	return x, ok
}

func (p *parser) checks(n *yaml.Node, path string, pr *protocols.Protocol) []string {
	if n == nil {
		var names []string
		for _, c := range pr.Checks {
			if c.Default {
				names = append(names, c.Name)
			}
		}
		return names
	}
	names, _ := p.strList(n, path)
	var out []string
	for i, name := range names {
		if !slices.ContainsFunc(pr.Checks, func(c protocols.CheckInfo) bool { return c.Name == name }) {
			var all []string
			for _, c := range pr.Checks {
				all = append(all, c.Name)
			}
			p.errf(n.Content[i], fmt.Sprintf("%s[%d]", path, i), "protocol %s has no check %q (want one of %s)", pr.Name, name, strings.Join(all, ", "))
			continue
		}
		out = append(out, name)
	}
	return out
}

func (p *parser) latency(n *yaml.Node, path string) (sim.Latency, bool) {
	var l sim.Latency
	ok := true
	dur := func(dst *time.Duration) func(*yaml.Node, string) {
		return func(v *yaml.Node, f string) {
			d, good := p.duration(v, f)
			ok = ok && good
			*dst = d
		}
	}
	num := func(dst *float64) func(*yaml.Node, string) {
		return func(v *yaml.Node, f string) {
			x, good := p.float(v, f)
			ok = ok && good
			*dst = x
		}
	}
	if !p.fields(n, path, map[string]func(*yaml.Node, string){
		"kind": func(v *yaml.Node, f string) {
			s, good := p.str(v, f)
			ok = ok && good
			l.Kind = sim.LatencyKind(s)
		},
		"mean": dur(&l.Mean), "min": dur(&l.Min), "max": dur(&l.Max), "stddev": dur(&l.Stddev),
		"median": dur(&l.Median), "sigma": num(&l.Sigma), "alpha": num(&l.Alpha),
	}) {
		return l, false
	}
	if !ok {
		return l, false
	}
	if err := l.Validate(); err != nil {
		p.errf(n, path, "%s", strings.TrimPrefix(err.Error(), sim.ErrBadLink.Error()+": "))
		return l, false
	}
	return l, true
}

// link fills cfg from a mapping of link fields; extra handles more keys.
func (p *parser) link(n *yaml.Node, path string, cfg *sim.LinkConfig, extra map[string]func(*yaml.Node, string)) {
	known := map[string]func(*yaml.Node, string){
		"latency": func(v *yaml.Node, f string) {
			if l, ok := p.latency(v, f); ok {
				cfg.Latency = l
			}
		},
		"drop":      func(v *yaml.Node, f string) { cfg.Drop, _ = p.prob(v, f) },
		"duplicate": func(v *yaml.Node, f string) { cfg.Duplicate, _ = p.prob(v, f) },
		"fifo":      func(v *yaml.Node, f string) { cfg.FIFO, _ = p.boolean(v, f) },
	}
	maps.Copy(known, extra)
	p.fields(n, path, known)
}

func (p *parser) network(n *yaml.Node, path string, net *Network) {
	p.link(n, path, &net.Default, map[string]func(*yaml.Node, string){
		"links": func(v *yaml.Node, f string) {
			if v.Kind != yaml.SequenceNode {
				p.errf(v, f, "want a list of links, each with from, to and link fields")
				return
			}
			for i, c := range v.Content {
				lf := fmt.Sprintf("%s[%d]", f, i)
				o := LinkOverride{Config: net.Default, Line: c.Line}
				p.link(c, lf, &o.Config, map[string]func(*yaml.Node, string){
					"from": func(v *yaml.Node, f string) { o.From, _ = p.str(v, f) },
					"to":   func(v *yaml.Node, f string) { o.To, _ = p.str(v, f) },
				})
				if o.From == "" || o.To == "" {
					p.errf(c, lf, "want both from and to (node names)")
				}
				net.Links = append(net.Links, o)
			}
		},
	})
}

func (p *parser) workload(n *yaml.Node, path string, wl *protocols.Workload) (mix *yaml.Node) {
	p.fields(n, path, map[string]func(*yaml.Node, string){
		"ops":  func(v *yaml.Node, f string) { wl.Ops, _ = p.integer(v, f, 0) },
		"keys": func(v *yaml.Node, f string) { wl.Keys, _ = p.integer(v, f, 1) },
		"mix":  func(v *yaml.Node, f string) { mix = v },
		"distribution": func(v *yaml.Node, f string) {
			s, ok := p.str(v, f)
			if ok && s != "uniform" && s != "zipf" {
				p.errf(v, f, "%q is not a key distribution (want uniform or zipf)", s)
				return
			}
			wl.Distribution = s
		},
		"zipf_s": func(v *yaml.Node, f string) {
			x, ok := p.float(v, f)
			if ok && x <= 1 {
				p.errf(v, f, "%v is too small (want a Zipf exponent greater than 1)", x)
				return
			}
			wl.ZipfS = x
		},
		"think": func(v *yaml.Node, f string) { wl.Think, _ = p.duration(v, f) },
		"rate": func(v *yaml.Node, f string) {
			x, ok := p.float(v, f)
			if ok && (x < MinRate || x > MaxRate) {
				p.errf(v, f, "%v operations per second is out of range (want from %.3g, one a day, to %.0e; or leave rate out for a closed loop)", x, MinRate, MaxRate)
				return
			}
			wl.Rate = x
		},
		"timeout":   func(v *yaml.Node, f string) { wl.Timeout, _ = p.duration(v, f) },
		"in_flight": func(v *yaml.Node, f string) { wl.InFlight, _ = p.integer(v, f, 1) },
		"queries":   func(v *yaml.Node, f string) { wl.Queries, _ = p.boolean(v, f) },
	})
	return mix
}

func (p *parser) mix(n *yaml.Node, path string, pr *protocols.Protocol) []protocols.MixEntry {
	if n.Kind != yaml.MappingNode {
		p.errf(n, path, "want a mapping from operation to weight, e.g. {get: 0.5, put: 0.5}")
		return nil
	}
	var out []protocols.MixEntry
	ops := protocolOps(pr)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		f := join(path, k.Value)
		if len(ops) > 0 && !slices.Contains(ops, k.Value) {
			p.errf(k, f, "protocol %s has no operation %q (want one of %s)", pr.Name, k.Value, strings.Join(ops, ", "))
			continue
		}
		w, ok := p.float(v, f)
		if ok && w < 0 {
			p.errf(v, f, "weight %v is negative", w)
			continue
		}
		out = append(out, protocols.MixEntry{Op: k.Value, Weight: w})
	}
	slices.SortFunc(out, func(a, b protocols.MixEntry) int { return strings.Compare(a.Op, b.Op) })
	return out
}

// protocolOps returns the workload operations a protocol understands,
// declared as the Choices of its "op" parameter-free schema: see
// Protocol.Ops.
func protocolOps(pr *protocols.Protocol) []string { return pr.Ops }

func (p *parser) faults(n *yaml.Node, path string) []Fault {
	if n.Kind != yaml.SequenceNode {
		p.errf(n, path, "want a list of fault events, each with at and one of %s", faultKindList())
		return nil
	}
	var out []Fault
	for i, c := range n.Content {
		f := Fault{Line: c.Line, Position: i}
		fp := fmt.Sprintf("%s[%d]", path, i)
		kinds := 0
		setKind := func(k FaultKind) { f.Kind = k; kinds++ }
		node := func(k FaultKind) func(*yaml.Node, string) {
			return func(v *yaml.Node, fl string) { setKind(k); f.Node, _ = p.str(v, fl) }
		}
		hasAt := false
		p.fields(c, fp, map[string]func(*yaml.Node, string){
			"at":      func(v *yaml.Node, fl string) { hasAt = true; f.At, _ = p.duration(v, fl) },
			"crash":   node(FaultCrash),
			"restart": node(FaultRestart),
			"pause":   node(FaultPause),
			"resume":  node(FaultResume),
			"partition": func(v *yaml.Node, fl string) {
				setKind(FaultPartition)
				if v.Kind != yaml.SequenceNode || len(v.Content) == 0 {
					p.errf(v, fl, "want a list of groups, e.g. [[n1, n2], [n3]]")
					return
				}
				seen := map[string]bool{}
				for j, g := range v.Content {
					gp := fmt.Sprintf("%s[%d]", fl, j)
					names, _ := p.strList(g, gp)
					if len(names) == 0 && g.Kind == yaml.SequenceNode {
						p.errf(g, gp, "an empty side (want at least one node name)")
					}
					for _, name := range names {
						if seen[name] {
							p.errf(g, gp, "%q is on two sides of the partition (or twice on one)", name)
						}
						seen[name] = true
					}
					f.Groups = append(f.Groups, names)
				}
			},
			"cut": func(v *yaml.Node, fl string) {
				setKind(FaultCut)
				p.fields(v, fl, map[string]func(*yaml.Node, string){
					"from": func(v *yaml.Node, fl string) { f.From, _ = p.str(v, fl) },
					"to":   func(v *yaml.Node, fl string) { f.To, _ = p.str(v, fl) },
				})
				if f.From == "" || f.To == "" {
					p.errf(v, fl, "want both from and to (node names)")
				}
			},
			"heal": func(v *yaml.Node, fl string) {
				setKind(FaultHeal)
				p.linkEnds(v, fl, "heal", &f)
			},
			"clock": func(v *yaml.Node, fl string) {
				setKind(FaultClock)
				p.fields(v, fl, map[string]func(*yaml.Node, string){
					"node": func(v *yaml.Node, fl string) { f.Node, _ = p.str(v, fl) },
					"offset": func(v *yaml.Node, fl string) {
						s, ok := p.str(v, fl)
						if !ok {
							return
						}
						d, err := time.ParseDuration(s)
						if err != nil {
							p.errf(v, fl, "%q is not a duration (want e.g. 50ms or -50ms)", s)
						}
						f.Offset = d
					},
					"drift": func(v *yaml.Node, fl string) {
						x, ok := p.float(v, fl)
						if ok && x <= -1 {
							p.errf(v, fl, "%v is too small (want a rate greater than -1, e.g. 0.001)", x)
						}
						f.Drift = x
					},
				})
				if f.Node == "" {
					p.errf(v, fl, "want node (a node name)")
				}
			},
			"link": func(v *yaml.Node, fl string) {
				setKind(FaultLink)
				var cfg sim.LinkConfig
				p.link(v, fl, &cfg, map[string]func(*yaml.Node, string){
					"from": func(v *yaml.Node, fl string) { f.From, _ = p.str(v, fl) },
					"to":   func(v *yaml.Node, fl string) { f.To, _ = p.str(v, fl) },
				})
				if (f.From == "") != (f.To == "") {
					p.errf(v, fl, "want both from and to, or neither (to change the default link)")
				}
				f.Link, f.LinkFields = &cfg, linkFields(v)
				if len(f.LinkFields) == 0 {
					p.errf(v, fl, "changes nothing (want at least one of %s)", strings.Join(linkFieldNames, ", "))
				}
			},
			"reset": func(v *yaml.Node, fl string) {
				setKind(FaultReset)
				p.linkEnds(v, fl, "reset", &f)
			},
		})
		if c.Kind != yaml.MappingNode {
			continue
		}
		if !hasAt {
			p.errf(c, fp+".at", "missing (want the time of the event, e.g. 2s)")
		}
		if kinds != 1 {
			p.errf(c, fp, "want exactly one of %s, found %d", faultKindList(), kinds)
		}
		out = append(out, f)
	}
	return out
}

// linkEnds parses the value of heal or reset: true (every link) or
// {from: a, to: b} (one directed link).
func (p *parser) linkEnds(v *yaml.Node, fl, kind string, f *Fault) {
	if v.Kind == yaml.ScalarNode {
		if b, ok := p.boolean(v, fl); ok && !b {
			p.errf(v, fl, "%s: false does nothing (want %s: true, or %s: {from: a, to: b})", kind, kind, kind)
		}
		return
	}
	p.fields(v, fl, map[string]func(*yaml.Node, string){
		"from": func(v *yaml.Node, fl string) { f.From, _ = p.str(v, fl) },
		"to":   func(v *yaml.Node, fl string) { f.To, _ = p.str(v, fl) },
	})
	if (f.From == "") != (f.To == "") {
		p.errf(v, fl, "want both from and to, or neither (every link)")
	}
}

// linkFieldNames are the fields of a link a link fault can change.
var linkFieldNames = []string{"latency", "drop", "duplicate", "fifo"}

// linkFields returns the link fields a link fault's mapping names, in the
// order of linkFieldNames.
func linkFields(v *yaml.Node) []string {
	var out []string
	for _, name := range linkFieldNames {
		if hasKey(v, name) {
			out = append(out, name)
		}
	}
	return out
}

// pictureLinkFaults fills the fields a link fault leaves alone with the
// scenario's network for its link, so that the fault's Link shows the
// link it makes (when no earlier fault changed the same link).
func pictureLinkFaults(s *Scenario) {
	for i := range s.Faults {
		f := &s.Faults[i]
		if f.Kind != FaultLink || f.Link == nil {
			continue
		}
		base := s.Network.Link(f.From, f.To)
		*f.Link = ChangeLink(base, *f.Link, f.LinkFields)
	}
}

func faultKindList() string {
	names := make([]string, len(FaultKinds))
	for i, k := range FaultKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// NemesisKinds are the fault kinds a nemesis can draw.
var NemesisKinds = []FaultKind{FaultCrash, FaultPause, FaultPartition, FaultClock}

func (p *parser) nemesis(n *yaml.Node, path string) *Nemesis {
	nm := &Nemesis{Interval: time.Second, Duration: 500 * time.Millisecond, MaxSkew: 100 * time.Millisecond}
	p.fields(n, path, map[string]func(*yaml.Node, string){
		"kinds": func(v *yaml.Node, f string) {
			names, _ := p.strList(v, f)
			for i, name := range names {
				if !slices.Contains(NemesisKinds, FaultKind(name)) {
					p.errf(v.Content[i], fmt.Sprintf("%s[%d]", f, i), "%q is not a nemesis fault (want crash, pause, partition or clock)", name)
					continue
				}
				nm.Kinds = append(nm.Kinds, FaultKind(name))
			}
		},
		"start":    func(v *yaml.Node, f string) { nm.Start, _ = p.duration(v, f) },
		"stop":     func(v *yaml.Node, f string) { nm.Stop, _ = p.duration(v, f) },
		"interval": func(v *yaml.Node, f string) { nm.Interval, _ = p.duration(v, f) },
		"duration": func(v *yaml.Node, f string) { nm.Duration, _ = p.duration(v, f) },
		"max_down": func(v *yaml.Node, f string) { nm.MaxDown, _ = p.integer(v, f, 0) },
		"max_skew": func(v *yaml.Node, f string) { nm.MaxSkew, _ = p.duration(v, f) },
	})
	if n.Kind == yaml.MappingNode && len(nm.Kinds) == 0 && !hasKey(n, "kinds") {
		p.errf(n, path+".kinds", "missing (want a list of crash, pause, partition, clock)")
	}
	if nm.Interval <= 0 {
		p.errf(n, path+".interval", "must be positive")
		nm.Interval = time.Second
	}
	return nm
}

// yamlErrorLine extracts the line number from a yaml.v3 error message
// ("yaml: line 3: ..."), or 0.
func yamlErrorLine(err error) int {
	msg := err.Error()
	if i := strings.Index(msg, "line "); i >= 0 {
		rest := msg[i+5:]
		if j := strings.IndexByte(rest, ':'); j > 0 {
			if n, err := strconv.Atoi(rest[:j]); err == nil {
				return n
			}
		}
	}
	return 0
}

func yamlErrorText(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if i := strings.Index(msg, ": "); strings.HasPrefix(msg, "line ") && i >= 0 {
		return msg[i+2:]
	}
	return msg
}
