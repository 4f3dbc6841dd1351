package explore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// Mode is how Explore chooses the paths it tries.
type Mode string

// The modes.
const (
	// BFS searches breadth-first: every state at depth d before any at
	// d+1, so the first violation found is at the end of a shortest path.
	BFS Mode = "bfs"
	// DFS searches depth-first: less memory than BFS, long paths early.
	DFS Mode = "dfs"
	// Random runs random walks: each step picks one of the possible
	// choices uniformly, faults included.
	Random Mode = "random"
	// PCT runs walks under a probabilistic concurrency testing scheduler
	// whose threads are events: each pending event gets a random priority
	// when it appears, the highest-priority event goes next, and at
	// PCTDepth-1 random steps the event about to go drops to the lowest
	// priority instead. It chooses no faults.
	PCT Mode = "pct"
)

// Modes lists every mode, the default first.
var Modes = []Mode{BFS, DFS, Random, PCT}

// Walks reports whether m runs walks rather than a systematic search.
func (m Mode) Walks() bool { return m == Random || m == PCT }

// Defaults of Options fields left zero.
const (
	DefaultWalkDepth = 1000 // steps of a walk when MaxDepth is 0
	DefaultRuns      = 1000 // walks of Random and PCT when Runs is 0
	DefaultPCTDepth  = 3    // PCT's d when PCTDepth is 0
)

// ErrOptions is wrapped by every error about unusable Options.
var ErrOptions = errors.New("explore: bad options")

// Options bound and steer a search. The zero value is a breadth-first
// search with state hashing, no faults, and no bound but the space itself.
type Options struct {
	// Mode is the search (BFS when empty).
	Mode Mode
	// MaxDepth bounds the steps of a path (0: no bound; walks then stop
	// at DefaultWalkDepth).
	MaxDepth int
	// MaxStates stops the search after this many states (0: no bound).
	MaxStates uint64
	// Budget stops the search after this much wall time (0: no bound).
	// Where a search stops then depends on the machine, so a result cut by
	// the budget is not reproducible; every other bound is.
	Budget time.Duration
	// MaxDrops, MaxDuplicates and MaxCrashes bound how many messages a
	// path may lose, duplicate, and how many servers it may crash (a
	// crashed server may be restarted at any later step, at no cost).
	MaxDrops, MaxDuplicates, MaxCrashes int
	// MaxTimers bounds how many timers a path may fire (0: no bound).
	// Timers fire at any step, not when they are due, so a protocol that
	// re-arms a timer forever has an infinite space unless this or
	// MaxDepth bounds it.
	MaxTimers int
	// Stateless turns state hashing off even where every node can describe
	// its state: every path is re-executed and none is pruned.
	Stateless bool
	// Runs is the number of walks of Random and PCT (0: DefaultRuns).
	Runs int
	// SearchSeed seeds the walks' own choices (the scenario's seed is
	// apart); walk i draws from a stream of SearchSeed and i.
	SearchSeed uint64
	// PCTDepth is PCT's d: the bug depth it aims at (0: DefaultPCTDepth).
	PCTDepth int
	// Checks are the checks run at every state (nil: the scenario's).
	Checks []string
	// CheckBudget is the wall-clock budget of each budgeted check
	// (0: the scenario's check_budget).
	CheckBudget time.Duration
	// Context, if set, interrupts the search when done.
	Context context.Context
	// Progress, if set, is called with the result so far every
	// ProgressEvery of wall time (10s if zero), for long searches.
	Progress      func(Result)
	ProgressEvery time.Duration
}

// validate checks o and fills in its defaults.
func (o *Options) validate() error {
	if o.Mode == "" {
		o.Mode = BFS
	}
	switch {
	case !slices.Contains(Modes, o.Mode):
		return fmt.Errorf("%w: mode %q is not bfs, dfs, random or pct", ErrOptions, o.Mode)
	case o.MaxDepth < 0 || o.MaxDrops < 0 || o.MaxDuplicates < 0 || o.MaxCrashes < 0 || o.MaxTimers < 0 ||
		o.Runs < 0 || o.PCTDepth < 0 || o.Budget < 0 || o.CheckBudget < 0:
		return fmt.Errorf("%w: bounds must not be negative", ErrOptions)
	case max(o.MaxDrops, o.MaxDuplicates, o.MaxCrashes, o.MaxTimers) > math.MaxUint16 || o.MaxDepth > math.MaxInt32:
		return fmt.Errorf("%w: fault and timer bounds must be at most %d, depth at most %d", ErrOptions, math.MaxUint16, math.MaxInt32)
	}
	if o.Mode.Walks() && o.MaxDepth == 0 {
		o.MaxDepth = DefaultWalkDepth
	}
	if o.Runs == 0 {
		o.Runs = DefaultRuns
	}
	if o.PCTDepth == 0 {
		o.PCTDepth = DefaultPCTDepth
	}
	if o.Context == nil {
		o.Context = context.Background()
	}
	if o.ProgressEvery <= 0 {
		o.ProgressEvery = 10 * time.Second
	}
	return nil
}
