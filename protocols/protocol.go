package protocols

import (
	"fmt"
	"io"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/sim"
)

// Protocol is what a protocol package offers the scenario loader: its name,
// the schema of its parameters, the checks it can run, and Setup, which
// builds its nodes in a World. Protocols are listed in an explicit table
// (package scenarios/library), never registered by init side effects.
type Protocol struct {
	Name    string      // as written in a scenario's "protocol:" field
	Summary string      // one line for `dsim list`
	Params  []Param     // every parameter the protocol accepts
	Checks  []CheckInfo // every check it can run
	Ops     []string    // workload operations its clients understand (empty: any)
	// Setup adds the protocol's nodes and clients to env.World and returns
	// the running instance. It must draw randomness only from node streams
	// or env.World.Stream.
	Setup func(env *Env) (Instance, error)
}

// CheckNames returns the names of p's checks, in order.
func (p Protocol) CheckNames() []string {
	names := make([]string, len(p.Checks))
	for i, c := range p.Checks {
		names[i] = c.Name
	}
	return names
}

// CheckInfo describes one check a protocol can run.
type CheckInfo struct {
	Name    string // as written in a scenario's "checks:" list
	Summary string // one line for `dsim list`
	Default bool   // run when the scenario lists no checks
}

// Instance is a protocol set up in a World.
type Instance interface {
	// Servers returns the nodes the fault nemesis may crash, pause, skew
	// and partition (typically every node but the clients), in order.
	Servers() []sim.NodeID
	// Check runs the named checks after the run and reports their results
	// and the run's statistics.
	Check(req CheckRequest) Report
}

// CheckRequest asks an Instance to check a finished run.
type CheckRequest struct {
	World  *sim.World
	Checks []string      // names from the protocol's CheckInfo, in scenario order
	Budget time.Duration // wall-clock budget for each budgeted check (linearizability)
}

// Report is what an Instance's checks found.
type Report struct {
	Checks []checker.Result
	Stats  []Stat
	// Visualization, if set, writes porcupine's HTML visualization of a
	// linearizability check that did not hold.
	Visualization func(w io.Writer) error
}

// Failed returns the checks of r that did not hold, in order.
func (r Report) Failed() []checker.Result {
	var bad []checker.Result
	for _, c := range r.Checks {
		if c.Verdict != checker.Holds {
			bad = append(bad, c)
		}
	}
	return bad
}

// Stat is one statistic of a run, e.g. {"ops completed", 998, ""}.
type Stat struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit,omitempty"`
}

// Env is what Setup gets: the world to build in and the scenario's settings
// that concern the protocol.
type Env struct {
	World    *sim.World
	Params   Params
	Nodes    int           // number of server nodes the scenario asks for
	Clients  int           // number of client nodes
	Workload Workload      // what clients should do
	Duration time.Duration // run length
	// Online asks the instance to check its invariants as the run goes and
	// stop the run at the first violation (see Monitor).
	Online bool
}

// ParamKind is the type of a protocol parameter.
type ParamKind int

// The kinds of protocol parameters.
const (
	Int      ParamKind = iota + 1 // a Go int
	Float                         // a float64
	Duration                      // a time.Duration, written like 250ms or 2s
	String                        // a string, optionally one of Choices
	Bool                          // true or false
)

// String names the kind as error messages do.
func (k ParamKind) String() string {
	switch k {
	case Int:
		return "an integer"
	case Float:
		return "a number"
	case Duration:
		return "a duration (e.g. 250ms, 2s)"
	case String:
		return "a string"
	case Bool:
		return "true or false"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Param is the schema of one protocol parameter.
type Param struct {
	Name    string
	Kind    ParamKind
	Default any      // of the kind's Go type: int, float64, time.Duration, string, bool
	Doc     string   // one line
	Choices []string // for String: the allowed values (empty: any)
	// Min and Max bound Int, Float and Duration values when Max > Min
	// (durations in nanoseconds).
	Min, Max float64
}

// VariantParam is the "variant" parameter of a protocol with a bug zoo: one
// of variants, whose first, the default, is the correct protocol.
func VariantParam[V ~string](variants []V) Param {
	names := make([]string, len(variants))
	for i, v := range variants {
		names[i] = string(v)
	}
	return Param{Name: "variant", Kind: String, Default: names[0], Choices: names,
		Doc: "the protocol, or a deliberately wrong variant of it (the bug zoo)"}
}

// Params holds a scenario's parameter values, defaults filled in. Accessors
// panic on a name the protocol did not declare: that is a bug in the
// protocol, not in the scenario.
type Params struct {
	values map[string]any
}

// NewParams returns Params with the given values over the schema's
// defaults; it is for tests and programs that set a protocol up without a
// scenario file.
func NewParams(schema []Param, values map[string]any) Params {
	p := Params{values: map[string]any{}}
	for _, s := range schema {
		p.values[s.Name] = s.Default
	}
	for k, v := range values {
		p.values[k] = v
	}
	return p
}

// With returns a copy of p with one parameter set to value (of the kind's
// Go type), the others unchanged. Bug-zoo sweeps and comparisons use it to
// run a scenario with another variant or algorithm.
func (p Params) With(name string, value any) Params {
	q := Params{values: make(map[string]any, len(p.values)+1)}
	for k, v := range p.values {
		q.values[k] = v
	}
	q.values[name] = value
	return q
}

func (p Params) get(name string) any {
	v, ok := p.values[name]
	if !ok {
		panic(fmt.Sprintf("protocols: parameter %q was not declared", name))
	}
	return v
}

// Int returns an Int parameter.
func (p Params) Int(name string) int { return p.get(name).(int) }

// Float returns a Float parameter.
func (p Params) Float(name string) float64 { return p.get(name).(float64) }

// Duration returns a Duration parameter.
func (p Params) Duration(name string) time.Duration { return p.get(name).(time.Duration) }

// String returns a String parameter.
func (p Params) String(name string) string { return p.get(name).(string) }

// Bool returns a Bool parameter.
func (p Params) Bool(name string) bool { return p.get(name).(bool) }
