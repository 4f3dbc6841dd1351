package studies

import (
	"slices"
	"time"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// Change turns a scenario into a variant of it. It returns a changed copy
// and leaves its argument as it was, so that every case starts from the
// same base.
type Change func(*scenarios.Scenario) *scenarios.Scenario

// Param sets one protocol parameter to value, of the parameter's Go type
// (int, float64, time.Duration, string or bool; ParseParam reads one from
// text and checks it against the schema).
func Param(name string, value any) Change {
	return func(s *scenarios.Scenario) *scenarios.Scenario { return s.WithParam(name, value) }
}

// Link edits the network's default link: every link without an override
// (overrides were copied from the default when the file was loaded, so
// they keep what they had).
func Link(edit func(*sim.LinkConfig)) Change {
	return func(s *scenarios.Scenario) *scenarios.Scenario {
		c := *s
		edit(&c.Network.Default)
		return &c
	}
}

// Faults adds fixed faults to the scenario's schedule. Their node names
// are checked when a run is set up.
func Faults(fs ...scenarios.Fault) Change {
	return func(s *scenarios.Scenario) *scenarios.Scenario {
		c := *s
		c.Faults = append(slices.Clone(s.Faults), fs...)
		return &c
	}
}

// Duration sets the run length.
func Duration(d time.Duration) Change {
	return func(s *scenarios.Scenario) *scenarios.Scenario {
		c := *s
		c.Duration = d
		return &c
	}
}

// Workload edits the clients' workload.
func Workload(edit func(*protocols.Workload)) Change {
	return func(s *scenarios.Scenario) *scenarios.Scenario {
		c := *s
		c.Workload.Mix = slices.Clone(s.Workload.Mix)
		edit(&c.Workload)
		return &c
	}
}
