package labs

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/dsimlab/dsim/explore"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/runner"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/scenarios/library"
)

// Tier is a group of tests of one kind.
type Tier string

// The tiers, in the order a grading runs them.
const (
	// Run tests run library scenarios with fixed seeds over calm and lossy
	// networks: does it work at all?
	Run Tier = "run"
	// Search tests run a small configuration, then search its
	// interleavings, losses and crashes within bounds (package explore):
	// is it safe in every order of events, not just the seeded ones?
	Search Tier = "search"
	// Unreliable tests sweep seeds of scenarios with crashes, partitions
	// and random faults: does it survive a hostile world?
	Unreliable Tier = "unreliable"
)

// Tiers lists every tier, in grading order.
var Tiers = []Tier{Run, Search, Unreliable}

// ParseTier returns the tier called name.
func ParseTier(name string) (Tier, error) {
	if t := Tier(name); slices.Contains(Tiers, t) {
		return t, nil
	}
	return "", fmt.Errorf("labs: unknown tier %q (run, search or unreliable)", name)
}

// Lab is one graded lab: a protocol a student writes in parts, against
// the contract of a protocol package dsim ships (its messages, clients and
// checks), and the tests that grade it.
type Lab struct {
	Name    string // as commands take it, e.g. "raft"
	Title   string // e.g. "Raft"
	Summary string // one line
	// Builtin is the protocol dsim ships that the lab follows, e.g.
	// "raft": the tests' scenarios come from its library scenarios, and
	// its bug-zoo variants are graded as if a student had handed them in.
	Builtin string
	// Protocol is the scenario protocol of the student's code, e.g.
	// "raft-lab", which the lab's command registers.
	Protocol string
	// Command is the directory of the lab's command in its module
	// (cmd/COMMAND), e.g. "raftlab".
	Command string
	// Parts are what the student writes, in the order to write them.
	Parts []Part
	// Tests grade the parts, in grading order within each tier.
	Tests []Test
	// CheckHints say, for a check that fails, where the mistake usually
	// is.
	CheckHints map[string]string
}

// Part is one part of a lab: a step of the protocol, written in Files.
type Part struct {
	Name    string
	Summary string
	Files   []string
}

// Test is one graded test: a library scenario, changed to fit the test,
// run over seeds (and, in the search tier, searched); it is worth Points
// if every run passes every check it asks for, and nothing otherwise.
type Test struct {
	Name   string // unique in its lab, e.g. "election-calm"
	Part   string // the part it grades (it needs the parts before it too)
	Tier   Tier
	Points int
	// Scenario is the library scenario the test starts from, e.g.
	// "raft-calm".
	Scenario string
	// Seeds are the seeds it runs, in order; it stops at the first that
	// fails.
	Seeds runner.Seeds
	// Checks are the checks that must hold (nil: the scenario's).
	Checks []string
	// Change, if set, changes the scenario: a smaller workload, fewer
	// nodes. It must not modify slices of the scenario in place.
	Change func(s *scenarios.Scenario)
	// Swarm has each seed draw its own mix of faults and workload within
	// the scenario's swarm bounds (scenarios.Scenario.ForSeed); a failing
	// seed's run is saved as the scenario its mix made, which replays
	// without swarm.
	Swarm bool
	// Search, in the search tier, is the search run from the first seed
	// once every seed has passed (package explore). Its bounds must not
	// include a wall-time Budget: a grading is reproducible.
	Search *explore.Options
	// Hint says what part of the protocol to look at when the test fails.
	Hint string
}

// Subject is what a grading grades: a protocol (a student's, or one of
// dsim's), and parameter values that replace the scenarios' (a bug-zoo
// variant of dsim's protocol, say).
type Subject struct {
	Protocol protocols.Protocol
	Params   map[string]any
}

// Seeds returns the seed range first to last.
func Seeds(first, last uint64) runner.Seeds { return runner.Seeds{First: first, Last: last} }

// All returns every lab, in the order to take them.
func All() []*Lab { return []*Lab{Raft(), TwoPC(), Paxos()} }

// Find returns the lab called name.
func Find(name string) (*Lab, error) {
	for _, l := range All() {
		if l.Name == name {
			return l, nil
		}
	}
	return nil, fmt.Errorf("labs: no lab %q (see lab list)", name)
}

// Max returns the points of the lab's tests in the given tiers (nil: all).
func (l *Lab) Max(tiers []Tier) int {
	n := 0
	for _, t := range l.Tests {
		if tiers == nil || slices.Contains(tiers, t.Tier) {
			n += t.Points
		}
	}
	return n
}

// BuiltinSubject returns the subject of dsim's own protocol of the lab in a
// variant ("" or "correct": the protocol as it should be).
func (l *Lab) BuiltinSubject(variant string) (Subject, error) {
	p, ok := library.Builtin().Protocol(l.Builtin)
	if !ok {
		return Subject{}, fmt.Errorf("labs: %s: no built-in protocol %q", l.Name, l.Builtin)
	}
	sub := Subject{Protocol: p}
	if variant != "" {
		if !slices.Contains(l.Variants(), variant) {
			return Subject{}, fmt.Errorf("labs: %s has no variant %q (%s)", l.Builtin, variant, strings.Join(l.Variants(), ", "))
		}
		sub.Params = map[string]any{"variant": variant}
	}
	return sub, nil
}

// Variants returns the variants of the lab's built-in protocol, correct
// first.
func (l *Lab) Variants() []string {
	p, _ := library.Builtin().Protocol(l.Builtin)
	for _, q := range p.Params {
		if q.Name == "variant" {
			return slices.Clone(q.Choices)
		}
	}
	return nil
}

// Scenario returns the scenario test t runs for sub: its library scenario,
// named after the lab and the test, with the test's checks and changes,
// sub's protocol and sub's parameter values.
func (l *Lab) Scenario(t *Test, sub Subject) (*scenarios.Scenario, error) {
	base, err := library.Load(t.Scenario)
	if err != nil {
		return nil, fmt.Errorf("labs: %s test %s: %w", l.Name, t.Name, err)
	}
	s := *base
	s.Name = l.Name + "-" + t.Name
	s.Description = fmt.Sprintf("Lab %s, test %s (%s tier, part %s): %s, changed for the test. %s",
		l.Name, t.Name, t.Tier, t.Part, t.Scenario, base.Description)
	if t.Checks != nil {
		s.Checks = slices.Clone(t.Checks)
	}
	if t.Change != nil {
		t.Change(&s)
	}
	p := sub.Protocol
	s.Protocol = &p
	for _, k := range slices.Sorted(maps.Keys(sub.Params)) {
		s.Params = s.Params.With(k, sub.Params[k])
	}
	return &s, nil
}
