package shrink

import (
	"github.com/dsimlab/dsim/scenarios"
)

// nodeNames returns the names of the nodes s has, from a world set up for
// it without faults or link overrides; false if it cannot be set up.
func nodeNames(s *scenarios.Scenario, seed uint64) (names map[string]bool, ok bool) {
	defer func() {
		if recover() != nil { // a protocol that panics with this many nodes
			names, ok = nil, false
		}
	}()
	bare := *s
	bare.Faults, bare.Network.Links = nil, nil
	w, _, _, err := scenarios.Build(&bare, seed, false)
	if err != nil {
		return nil, false
	}
	names = map[string]bool{}
	for _, id := range w.Nodes() {
		names[w.Name(id)] = true
	}
	return names, true
}

// keepNamed drops from s the faults and link overrides that name a node
// it does not have; a partition loses those nodes, and goes if fewer than
// two sides are left.
func keepNamed(s *scenarios.Scenario, names map[string]bool) {
	known := func(name string) bool { return name == "" || names[name] }
	var faults []scenarios.Fault
	for _, f := range s.Faults {
		if !known(f.Node) || !known(f.From) || !known(f.To) {
			continue
		}
		if f.Kind == scenarios.FaultPartition {
			if f.Groups = sides(f.Groups, names); len(f.Groups) < 2 {
				continue
			}
		}
		faults = append(faults, f)
	}
	renumber(faults)
	s.Faults = faults
	var links []scenarios.LinkOverride
	for _, l := range s.Network.Links {
		if known(l.From) && known(l.To) {
			links = append(links, l)
		}
	}
	s.Network.Links = links
}

// sides returns a partition's groups without the nodes not in names, and
// without the groups left empty.
func sides(groups [][]string, names map[string]bool) [][]string {
	var out [][]string
	for _, g := range groups {
		var side []string
		for _, name := range g {
			if names[name] {
				side = append(side, name)
			}
		}
		if len(side) > 0 {
			out = append(out, side)
		}
	}
	return out
}
