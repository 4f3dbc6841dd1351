package shrink

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/scenarios"
)

// DefaultMaxRuns is how many runs a shrink makes at most, unless
// Options.MaxRuns says otherwise.
const DefaultMaxRuns = 10_000

// fixpointRuns is how many runs one strategy may make, so that one slow
// to converge leaves runs to the others.
const fixpointRuns = 1000

// LivenessTail is the least time a scenario that fails a liveness check
// keeps after its last fault when its duration is shortened.
const LivenessTail = time.Second

// DefaultCheckBudget is the wall-clock budget of each budgeted check
// (linearizability) in the runs of smaller scenarios, unless Options.Run
// sets one: a candidate whose check runs out of it is inconclusive, so it
// is not kept, and a shrink never waits long on one candidate.
const DefaultCheckBudget = 250 * time.Millisecond

// Options says how Shrink works.
type Options struct {
	// Check, if set, names the check whose violation to keep; by default
	// it is a panic if the run panicked, else its first violated check.
	Check string
	// Run is passed to every run (check budget, inconclusive checks
	// allowed); its Context and Steps are Shrink's own. The first run, of
	// the scenario as given, has the scenario's check budget unless Run
	// sets one; the others DefaultCheckBudget.
	Run scenarios.RunOptions
	// MaxRuns bounds the runs a shrink makes (0: DefaultMaxRuns). The
	// smallest failing scenario found by then is the result.
	MaxRuns int
	// OtherSeeds, if positive, has the shrink go on from the minimal
	// scenario with the seeds after the original one, up to OtherSeeds of
	// them: each that fails the same way is shrunk again, and the smallest
	// scenario found with any seed is the result (Result.MinimalSeed says
	// which). The seed stays fixed when it is 0.
	OtherSeeds int
	// Progress, if set, is called with every smaller scenario found: what
	// was made smaller and the size of its run.
	Progress func(step string, z Size)
}

// Result is what a shrink found.
type Result struct {
	// Seed is the seed of the original run; MinimalSeed the seed Minimal
	// fails with, the same unless Options.OtherSeeds let it change.
	Seed, MinimalSeed uint64
	Target            Target
	// Original is the scenario as given; Minimal the smallest scenario
	// found whose run with Seed fails as Target says: its faults are
	// fixed (the nemesis's draws among them), it has no nemesis, and its
	// Name says where it came from.
	Original, Minimal *scenarios.Scenario
	// Before and After measure the runs of Original and Minimal.
	Before, After Size
	// Runs counts the runs the shrink made, the first two included.
	Runs int
	// Interrupted says the context ended the shrink early; Minimal is the
	// smallest scenario found until then, and fails as Target says.
	Interrupted bool
}

// Shrink looks for a smaller scenario than s whose run with seed fails the
// same way s's does, in the manner of delta debugging. A swarm run (the
// scenario's swarm field, or Options.Run.Swarm) is shrunk from the
// scenario its seed's mix makes (scenarios.Scenario.ForSeed). The seed stays
// fixed: streams are named per node and per component, so taking a fault,
// a client or an operation away does not reshuffle the others' draws, and
// the minimal scenario is the original run with things taken away.
//
// It first writes the run's whole fault schedule, the nemesis's draws
// included, as fixed faults (a scenario with no nemesis that runs the same
// events); then, until none of them finds anything smaller, it makes each
// dimension smaller in turn: the faults (a fault and its undoing, a crash
// and its restart, go together), the operations, the clients, the nodes
// (faults on nodes that no longer exist go), integer parameters with
// bounds (a job's tasks and records), the network's loss and duplication,
// the run's duration, and last the undoing of single faults (a crash
// whose restart is not needed stays down). Every candidate is run, and
// kept if it fails as Target says.
//
// Shrink returns an error wrapping ErrNothingToShrink if the run of s does
// not fail in a way to keep, and any error setting s up. A cancelled ctx
// ends it early with the smallest scenario found so far.
func Shrink(ctx context.Context, s *scenarios.Scenario, seed uint64, opts Options) (*Result, error) {
	sh := &shrinker{ctx: ctx, seed: seed, opts: opts, max: opts.MaxRuns}
	if sh.max <= 0 {
		sh.max = DefaultMaxRuns
	}
	sh.opts.Run.Context, sh.opts.Run.Steps = ctx, nil
	// A swarm run is shrunk as the scenario its seed's mix makes, which
	// a file can hold: its nemesis, network, workload and parameters.
	s, _ = s.ForSeed(seed, sh.opts.Run.Swarm, false)
	sh.opts.Run.Swarm = false
	o, err := scenarios.Run(s, seed, sh.opts.Run)
	if sh.opts.Run.CheckBudget <= 0 {
		sh.opts.Run.CheckBudget = DefaultCheckBudget
	}
	sh.runs++
	if err != nil {
		return nil, fmt.Errorf("shrink: %w", err)
	}
	if o.Interrupted {
		return nil, fmt.Errorf("shrink: %w", context.Cause(ctx))
	}
	if sh.target, err = TargetOf(o, opts.Check); err != nil {
		return nil, err
	}
	res := &Result{Seed: seed, Target: sh.target, Original: s, Before: SizeOf(s, o)}
	sh.tail = max(LivenessTail, (s.Duration-lastFault(o.Faults))/10)
	sh.broken = unhealed(o.Faults)
	fixed := Fixed(s, seed, o.Faults)
	if o.LivenessHeal > 0 && fixed.Liveness != nil {
		// Without the nemesis, the heal would come at the last fixed
		// fault; it stays where the run had it.
		l := *fixed.Liveness
		l.At = o.LivenessHeal
		fixed.Liveness = &l
	}
	if !sh.try("fixed faults", fixed) {
		return nil, fmt.Errorf("shrink: %s with its schedule as fixed faults does not fail as seed %d did (%s): a bug in dsim", s.Name, seed, sh.target)
	}
	sh.shrink()
	sh.otherSeeds()
	res.Minimal, res.MinimalSeed, res.After, res.Runs = sh.best, sh.seed, SizeOf(sh.best, sh.outcome), sh.runs
	res.Minimal.Description = describe(res)
	res.Interrupted = ctx.Err() != nil
	return res, nil
}

// Fixed returns a copy of s whose faults are the given schedule (a run's
// Outcome.Faults), as fixed faults, and which has no nemesis: with seed,
// it runs the same events as s. Its name is s's with "-shrunk" added.
func Fixed(s *scenarios.Scenario, seed uint64, schedule []scenarios.Fault) *scenarios.Scenario {
	c := *s
	c.Name = s.Name + "-shrunk"
	c.File = ""
	c.Nemesis = nil
	c.CrashPoints = false // their crashes are in the schedule
	c.Faults = make([]scenarios.Fault, len(schedule))
	for i, f := range schedule {
		f.Nemesis, f.Line, f.Position = false, 0, i
		c.Faults[i] = f
	}
	return &c
}

// shrinker is one shrink in progress: the smallest failing scenario so
// far, and its run.
type shrinker struct {
	ctx      context.Context
	seed     uint64
	opts     Options
	target   Target
	max      int // runs in all
	limit    int // runs until the running strategy stops, if positive
	runs     int
	tail     time.Duration   // the time a liveness failure's run keeps after its last fault
	strategy int             // which of strategies is running, from 1
	broken   map[string]bool // what the original run left broken at its end (see unhealed)
	best     *scenarios.Scenario
	outcome  *scenarios.Outcome
}

// pass is one dimension a shrink makes smaller: it tries smaller
// candidates and reports whether it kept one.
type pass func(*shrinker) bool

// strategies are the orders a shrink tries the passes in, each from the
// scenario with fixed faults: which dimension goes first decides what the
// others can do (operations are easier to take away once the faults come
// early; faults once there are few operations), so each order reaches a
// minimum of its own, and the smallest is the result.
var strategies = [][]pass{
	{(*shrinker).ops, (*shrinker).mix, (*shrinker).keys, (*shrinker).faults, (*shrinker).reboot, (*shrinker).earlier, (*shrinker).thinner,
		(*shrinker).clients, (*shrinker).nodes, (*shrinker).params, (*shrinker).network, (*shrinker).duration, (*shrinker).undoing, (*shrinker).pace},
	{(*shrinker).thinner, (*shrinker).ops, (*shrinker).mix, (*shrinker).keys, (*shrinker).faults, (*shrinker).reboot, (*shrinker).earlier,
		(*shrinker).clients, (*shrinker).nodes, (*shrinker).params, (*shrinker).network, (*shrinker).duration, (*shrinker).undoing, (*shrinker).pace},
	{(*shrinker).faults, (*shrinker).reboot, (*shrinker).earlier, (*shrinker).thinner, (*shrinker).ops, (*shrinker).mix, (*shrinker).keys,
		(*shrinker).clients, (*shrinker).nodes, (*shrinker).params, (*shrinker).network, (*shrinker).duration, (*shrinker).undoing, (*shrinker).pace},
}

// shrink runs each strategy from the scenario with fixed faults, and
// keeps the smallest scenario any of them reached.
func (sh *shrinker) shrink() {
	start, startOutcome := sh.best, sh.outcome
	best, bestOutcome := start, startOutcome
	for i, order := range strategies {
		sh.best, sh.outcome, sh.strategy = start, startOutcome, i+1
		sh.fixpoint(order)
		if smaller(SizeOf(sh.best, sh.outcome), SizeOf(best, bestOutcome)) {
			best, bestOutcome = sh.best, sh.outcome
		}
	}
	sh.best, sh.outcome = best, bestOutcome
}

// fixpoint runs the passes in order until none keeps a smaller scenario,
// or it has made fixpointRuns runs.
func (sh *shrinker) fixpoint(order []pass) {
	sh.limit = sh.runs + fixpointRuns
	defer func() { sh.limit = 0 }()
	for progress := true; progress && !sh.stopped(); {
		progress = false
		for _, p := range order {
			if p(sh) {
				progress = true
			}
		}
	}
}

// otherSeeds tries the minimal scenario with the seeds after the
// original one (Options.OtherSeeds), shrinks again from each that fails the
// same way, and keeps the smallest scenario and its seed.
func (sh *shrinker) otherSeeds() {
	first := sh.seed
	for i := 1; i <= sh.opts.OtherSeeds && !sh.stopped(); i++ {
		best, outcome, seed := sh.best, sh.outcome, sh.seed
		sh.seed = first + uint64(i)
		if sh.try(fmt.Sprintf("seed %d", sh.seed), best) {
			sh.shrink()
			if smaller(SizeOf(sh.best, sh.outcome), SizeOf(best, outcome)) {
				continue
			}
		}
		sh.best, sh.outcome, sh.seed = best, outcome, seed
	}
}

// smaller orders sizes by fault events, then operations, then events.
func smaller(a, b Size) bool {
	return cmp.Or(cmp.Compare(a.Faults, b.Faults), cmp.Compare(a.Ops, b.Ops), cmp.Compare(a.Events, b.Events)) < 0
}

// healedAsMuch reports whether c leaves nothing broken at its end that
// the original scenario's run left whole.
func (sh *shrinker) healedAsMuch(c *scenarios.Scenario) bool {
	for what := range unhealed(c.Faults) {
		if !sh.broken[what] {
			return false
		}
	}
	return true
}

// liveness says the target is a liveness check's failure.
func (sh *shrinker) liveness() bool { return !sh.target.Crash && sh.target.Kind == checker.Liveness }

// stopped says the shrink must make no more runs.
func (sh *shrinker) stopped() bool {
	return sh.runs >= sh.max || sh.limit > 0 && sh.runs >= sh.limit || sh.ctx.Err() != nil
}

// try runs candidate c and keeps it if it fails as the target says. For a
// liveness failure, a candidate that leaves a node down or paused, or the
// network split, at its end where the original did not is not even run:
// it would lack progress for that reason alone.
func (sh *shrinker) try(step string, c *scenarios.Scenario) bool {
	if sh.stopped() || sh.liveness() && !sh.healedAsMuch(c) {
		return false
	}
	sh.runs++
	o, err := scenarios.Run(c, sh.seed, sh.opts.Run)
	if err != nil || !sh.target.Matches(o) {
		return false // a candidate that cannot be set up is no smaller scenario
	}
	sh.best, sh.outcome = c, o
	if sh.opts.Progress != nil {
		sh.opts.Progress(fmt.Sprintf("strategy %d: %s", sh.strategy, step), SizeOf(c, o))
	}
	return true
}

// with returns a copy of the best scenario so far, changed by edit.
func (sh *shrinker) with(edit func(c *scenarios.Scenario)) *scenarios.Scenario {
	c := *sh.best
	c.Faults = slices.Clone(c.Faults)
	c.Network.Links = slices.Clone(c.Network.Links)
	edit(&c)
	return &c
}

// describe says where a minimal scenario came from, for its description.
func describe(r *Result) string {
	text := fmt.Sprintf("Shrunk from %s, seed %d (%s), to %s, with seed %d: it keeps %s.",
		r.Original.Name, r.Seed, r.Before, r.After, r.MinimalSeed, r.Target)
	if r.Original.Description != "" {
		text += " The original: " + r.Original.Description
	}
	return text
}
