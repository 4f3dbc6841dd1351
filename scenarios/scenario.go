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
	FaultLink      FaultKind = "link"      // set the link From -> To (or the default if unset) to Link
)

// FaultKinds lists every fault kind, in the order documentation gives them.
var FaultKinds = []FaultKind{FaultCrash, FaultRestart, FaultPause, FaultResume, FaultPartition,
	FaultCut, FaultHeal, FaultClock, FaultLink}

// Fault is one fault event at a fixed time. Which fields are set depends on
// Kind.
type Fault struct {
	At       time.Duration   `json:"at"`
	Kind     FaultKind       `json:"kind"`
	Node     string          `json:"node,omitempty"`
	Groups   [][]string      `json:"groups,omitempty"`
	From     string          `json:"from,omitempty"`
	To       string          `json:"to,omitempty"`
	Offset   time.Duration   `json:"offset,omitempty"`
	Drift    float64         `json:"drift,omitempty"`
	Link     *sim.LinkConfig `json:"link,omitempty"`
	Nemesis  bool            `json:"nemesis,omitempty"` // drawn by the nemesis, not written in the file
	Line     int             `json:"-"`                 // in the scenario file (0 for nemesis faults)
	Position int             `json:"-"`                 // index in the file's faults list
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
