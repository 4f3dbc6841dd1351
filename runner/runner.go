package runner

import (
	"context"
	"fmt"
	"iter"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/tracediff"
)

// Options says how Run runs a sweep.
type Options struct {
	// Jobs is how many runs go side by side; 0 means runtime.NumCPU().
	Jobs int
	// FailFast stops starting new seeds after the first failing run. Which
	// failures are found then depends on timing: use it for quick
	// feedback, not for summaries.
	FailFast bool
	// Run is passed to every scenarios.Run.
	Run scenarios.RunOptions
	// CheckDeterminism is the share of the seeds, from 0 to 1, that run
	// twice and are compared (CheckTwice; Checked picks them).
	CheckDeterminism float64
}

// Result is one finished run.
type Result struct {
	Seed    uint64
	Outcome *scenarios.Outcome
	// Replayed says the seed ran twice, for the determinism check;
	// Divergence, if set, is where the second run parted from the first.
	Replayed   bool
	Divergence *tracediff.Divergence
}

// Run runs scenario s with every seed, opts.Jobs at a time, and calls each
// with every finished run, one call at a time, in the order runs finish.
// It stops starting seeds when they run out, when ctx is done (runs in
// progress are interrupted and abandoned, never reported half done; Run
// then returns ctx's cause), when opts.FailFast is set and a run failed, or
// when a run could not be set up (its error is returned, with the seed). A
// run's Outcome is each's to keep; Run keeps none, so memory does not grow
// with the number of seeds.
func Run(ctx context.Context, s *scenarios.Scenario, seeds iter.Seq[uint64], opts Options, each func(Result)) error {
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	opts.Run.Context = ctx
	next, stop := iter.Pull(seeds)
	defer stop()
	var (
		pull   sync.Mutex // guards next, which is not safe for concurrent use
		report sync.Mutex // one call of each at a time
		halt   atomic.Bool
		first  error
		wg     sync.WaitGroup
	)
	take := func() (uint64, bool) {
		pull.Lock()
		defer pull.Unlock()
		if halt.Load() || ctx.Err() != nil {
			return 0, false
		}
		return next()
	}
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seed, ok := take(); ok; seed, ok = take() {
				r, err := runOne(s, seed, opts)
				if err == nil && r.Outcome.Interrupted {
					return // abandoned: ctx is done
				}
				report.Lock()
				if err != nil {
					if first == nil {
						first = fmt.Errorf("seed %d: %w", seed, err)
					}
					halt.Store(true)
				} else {
					each(r)
					if opts.FailFast && (!r.Outcome.Passed || r.Divergence != nil) {
						halt.Store(true)
					}
				}
				report.Unlock()
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return context.Cause(ctx)
}

// runOne runs one seed, twice if the determinism check picks it.
func runOne(s *scenarios.Scenario, seed uint64, opts Options) (Result, error) {
	if !Checked(seed, opts.CheckDeterminism) {
		o, err := scenarios.Run(s, seed, opts.Run)
		return Result{Seed: seed, Outcome: o}, err
	}
	o, d, err := CheckTwice(s, seed, opts.Run)
	return Result{Seed: seed, Outcome: o, Replayed: true, Divergence: d}, err
}
