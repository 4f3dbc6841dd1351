package explore

import (
	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/scenarios"
)

// Why a search stopped (Result.Stop).
const (
	StopExhausted   = "exhausted"   // no state left to explore within the bounds
	StopViolation   = "violation"   // a safety check failed
	StopMaxStates   = "max-states"  // Options.MaxStates reached
	StopBudget      = "budget"      // Options.Budget spent
	StopRuns        = "runs"        // every walk ran
	StopInterrupted = "interrupted" // Options.Context done
)

// Result is what a search did and found.
type Result struct {
	Version  int    `json:"dsim_explore"` // 1
	Scenario string `json:"scenario"`
	Seed     uint64 `json:"seed"`
	Mode     Mode   `json:"mode"`
	Bounds   Bounds `json:"bounds"`
	// Hashing says whether states were hashed to prune the paths that
	// reach a state seen before; if not, NotHashed says why.
	Hashing   bool   `json:"state_hashing"`
	NotHashed string `json:"not_hashed,omitempty"`
	// States counts the states the search reached, each by running a
	// path; Unique counts the distinct ones among them (with hashing).
	States uint64 `json:"states"`
	Unique uint64 `json:"unique_states"`
	// Depth is the length of the longest path run.
	Depth int `json:"depth"`
	// Transient counts states where a safety check failed but held again
	// at the end of the path's run (see Counterexample): not findings.
	Transient uint64 `json:"transient_violations"`
	// DepthCut counts states at MaxDepth that had steps left to take.
	DepthCut uint64 `json:"depth_cut"`
	// Exhausted says every state within the bounds was explored: the
	// search ran out of states and MaxDepth cut none.
	Exhausted bool   `json:"exhausted"`
	Stop      string `json:"stopped"`
	// Wall is the search's wall time, and StatesPerSecond States over it;
	// neither is deterministic.
	Wall            int64   `json:"wall_ns"`
	StatesPerSecond float64 `json:"states_per_second"`
	// Violation is the counterexample the search stopped at, if any.
	Violation *Counterexample `json:"violation,omitempty"`
}

// Bounds are the bounds a search ran with (0: none, but for the faults,
// where 0 means no fault of that kind).
type Bounds struct {
	MaxDepth      int    `json:"max_depth"`
	MaxStates     uint64 `json:"max_states"`
	BudgetNS      int64  `json:"budget_ns"`
	MaxDrops      int    `json:"max_drops"`
	MaxDuplicates int    `json:"max_duplicates"`
	MaxCrashes    int    `json:"max_crashes"`
	MaxTimers     int    `json:"max_timers"`
	Runs          int    `json:"runs,omitempty"`
	SearchSeed    uint64 `json:"search_seed,omitempty"`
	PCTDepth      int    `json:"pct_depth,omitempty"`
}

// Counterexample is a path to a state where a safety check fails, and
// still fails at the end of the run that goes on from there in the
// kernel's order, as `dsim run --path` replays Path (or
// scenarios.RunOptions.Steps). Checks are that run's verdicts of the
// checks that failed at the path's last state.
type Counterexample struct {
	Depth  int              `json:"depth"`
	Checks []checker.Result `json:"checks"`
	Path   scenarios.Path   `json:"path"`
}

// bounds reports the options' bounds.
func (o *Options) bounds() Bounds {
	b := Bounds{MaxDepth: o.MaxDepth, MaxStates: o.MaxStates, BudgetNS: int64(o.Budget), MaxDrops: o.MaxDrops,
		MaxDuplicates: o.MaxDuplicates, MaxCrashes: o.MaxCrashes, MaxTimers: o.MaxTimers}
	if o.Mode.Walks() {
		b.Runs, b.SearchSeed = o.Runs, o.SearchSeed
	}
	if o.Mode == PCT {
		b.PCTDepth = o.PCTDepth
	}
	return b
}
