package scenarios

import (
	"time"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// Scenario is a loaded, validated scenario file: everything one run needs
// but the seed.
type Scenario struct {
	File              string // where it was loaded from, for messages
	Name              string
	Description       string
	Protocol          *protocols.Protocol
	Params            protocols.Params
	Nodes             int // server nodes
	Clients           int // client nodes
	Network           Network
	Workload          protocols.Workload
	Duration          time.Duration // how long to run, in virtual time
	Faults            []Fault       // fixed fault events, in file order
	Nemesis           *Nemesis      // randomised faults, or nil
	Checks            []string      // check names to run, in order
	CheckBudget       time.Duration // wall-clock budget of each budgeted check
	AllowInconclusive bool          // an inconclusive check does not fail the run
	AllowVacuous      bool          // a check with nothing to check does not fail the run

	Swarm       *SwarmBounds     // swarm: each seed draws its mix within these (nil: not asked, or defaults with RunOptions.Swarm)
	FaultPoints *sim.FaultPoints // fault_points: the run's fault points are on, or nil
	Liveness    *Liveness        // liveness: liveness mode after the fault phase, or nil
	Online      bool             // online_checks: invariants checked as the run goes stop it at the first violation
	CrashPoints bool             // crash servers right after sends (a swarm mix's; see crashpoints.go)
}

// WithParam returns a copy of s with one protocol parameter set to value
// (of the kind's Go type) and the others as the file set them.
func (s *Scenario) WithParam(name string, value any) *Scenario {
	c := *s
	c.Params = s.Params.With(name, value)
	return &c
}

// Network is a scenario's network: the default link and per-link overrides.
type Network struct {
	Default sim.LinkConfig
	Links   []LinkOverride
}

// Link returns the scenario's behaviour of the link from -> to (node
// names): its override, the last one listed if several name it, or else
// the default. Empty names mean the default link.
func (n *Network) Link(from, to string) sim.LinkConfig {
	cfg := n.Default
	for _, l := range n.Links {
		if from != "" && l.From == from && l.To == to {
			cfg = l.Config
		}
	}
	return cfg
}

// ChangeLink returns base with the fields named in fields (latency, drop,
// duplicate, fifo) taken from change: what a link fault makes of a link.
func ChangeLink(base, change sim.LinkConfig, fields []string) sim.LinkConfig {
	for _, f := range fields {
		switch f {
		case "latency":
			base.Latency = change.Latency
		case "drop":
			base.Drop = change.Drop
		case "duplicate":
			base.Duplicate = change.Duplicate
		case "fifo":
			base.FIFO = change.FIFO
		}
	}
	return base
}

// LinkOverride sets the behaviour of one directed link, by node names.
type LinkOverride struct {
	From, To string
	Config   sim.LinkConfig
	Line     int // in the scenario file, for errors found when names resolve
}

// FaultKind names a fault event.
type FaultKind string

// The fault kinds a schedule can hold.
const (
	FaultCrash     FaultKind = "crash"     // crash Node
	FaultRestart   FaultKind = "restart"   // restart Node
	FaultPause     FaultKind = "pause"     // pause Node
	FaultResume    FaultKind = "resume"    // resume Node
	FaultPartition FaultKind = "partition" // split into Groups
	FaultCut       FaultKind = "cut"       // cut the link From -> To
	FaultHeal      FaultKind = "heal"      // heal every link (or From -> To if set)
	FaultClock     FaultKind = "clock"     // set Node's clock Offset and Drift
	FaultLink      FaultKind = "link"      // change the fields LinkFields names of the link From -> To (or the default if unset)
	FaultReset     FaultKind = "reset"     // restore the scenario's network (or only From -> To if set)
)

// FaultKinds lists every fault kind, in the order documentation gives them.
var FaultKinds = []FaultKind{FaultCrash, FaultRestart, FaultPause, FaultResume, FaultPartition,
	FaultCut, FaultHeal, FaultClock, FaultLink, FaultReset}

// Fault is one fault event at a fixed time. Which fields are set depends on
// Kind.
type Fault struct {
	At     time.Duration `json:"at"`
	Kind   FaultKind     `json:"kind"`
	Node   string        `json:"node,omitempty"`
	Groups [][]string    `json:"groups,omitempty"`
	From   string        `json:"from,omitempty"`
	To     string        `json:"to,omitempty"`
	Offset time.Duration `json:"offset,omitempty"`
	Drift  float64       `json:"drift,omitempty"`
	// Link is a link fault's link: the fields LinkFields names are what the
	// fault sets; the others hold the scenario's network for that link, as
	// a picture of the result (a fault changes only the fields it names,
	// on top of whatever the link does when it happens).
	Link       *sim.LinkConfig `json:"link,omitempty"`
	LinkFields []string        `json:"link_fields,omitempty"` // among latency, drop, duplicate, fifo
	Nemesis    bool            `json:"nemesis,omitempty"`     // drawn by the nemesis, not written in the file
	Line       int             `json:"-"`                     // in the scenario file (0 for nemesis faults)
	Position   int             `json:"-"`                     // index in the file's faults list
}

// Nemesis is a randomised fault schedule drawn from the run's "faults"
// stream, in the manner of Jepsen's nemeses: from Start to Stop, after
// exponentially distributed gaps of mean Interval, it picks one of Kinds and
// a target among the protocol's servers, and undoes the fault after a span
// uniform in [Duration/2, 3·Duration/2].
type Nemesis struct {
	Kinds    []FaultKind   // among crash, pause, partition, clock
	Start    time.Duration // first fault no earlier than this
	Stop     time.Duration // no fault after this; all are undone by then
	Interval time.Duration // mean gap between faults
	Duration time.Duration // mean length of a fault
	MaxDown  int           // most servers crashed or paused at once (0: a minority)
	MaxSkew  time.Duration // largest clock offset, either way
}
