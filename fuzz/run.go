package fuzz

import (
	"context"
	"errors"
	"iter"
	"math"
	"sync"
	"time"

	"github.com/dsimlab/dsim/runner"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/shrink"
)

// Options says how Run fuzzes.
type Options struct {
	// Jobs is how many runs go side by side (0: every core).
	Jobs int
	// Runs, if positive, stops the session after that many runs.
	Runs uint64
	// Shrink shrinks each group's fastest-failing seed, on a goroutine of
	// its own, with ShrinkOptions (its Run is Options.Run).
	Shrink        bool
	ShrinkOptions shrink.Options
	// Run is passed to every run.
	Run scenarios.RunOptions
	// SaveEvery is how often the corpus's state is saved while runs go on
	// (0: every 5 seconds); findings are saved as they change.
	SaveEvery time.Duration
	// Found, if set, is called with each new group and each faster seed of
	// a group, one call at a time.
	Found func(f Finding)
	// Shrunk, if set, is called when a finding's shrink is done.
	Shrunk func(f Finding, res *shrink.Result)
}

// Run fuzzes scenario s into corpus c: it runs seeds from the corpus's
// Next on, without end (or Options.Runs of them), adds every run to the
// corpus, and shrinks each group's fastest-failing seed. It stops when ctx
// is done, saving the corpus: the runs in flight and the shrink in
// progress are abandoned (the shrink's smallest scenario so far is kept,
// and shrunk again next session), and the next session starts from the
// lowest seed that had not finished. It returns ctx's cause then, nil when
// Runs ran out, or the first error.
//
// Every seed draws its own mix of faults and workload (swarm testing:
// Options.Run.Swarm is set), within the scenario's swarm bounds, so that
// different seeds leave different features out; a finding's seed replays
// with --swarm, and its shrink starts from the seed's mix.
func Run(ctx context.Context, s *scenarios.Scenario, c *Corpus, opts Options) error {
	opts.Run.Swarm = true
	sh := newShrinker(ctx, s, c, opts)
	for _, f := range c.ToShrink() {
		sh.queue(f)
	}
	every := orDefault(opts.SaveEvery, 5*time.Second)
	saved, addErr := time.Now(), error(nil)
	err := runner.Run(ctx, s, seedsFrom(c.State().Next, opts.Runs), runner.Options{Jobs: opts.Jobs, Run: opts.Run},
		func(r runner.Result) {
			f, better, err := c.Add(r.Seed, r.Outcome)
			addErr = errors.Join(addErr, err)
			if better {
				if opts.Found != nil {
					opts.Found(f)
				}
				sh.queue(f)
			}
			if time.Since(saved) >= every {
				addErr, saved = errors.Join(addErr, c.Save()), time.Now()
			}
		})
	sh.wait()
	return errors.Join(err, addErr, sh.err, c.Save())
}

// orDefault is d, or def if d is not positive.
func orDefault(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// seedsFrom yields seeds from first on, n of them (0: until they run out).
func seedsFrom(first, n uint64) iter.Seq[uint64] {
	return func(yield func(uint64) bool) {
		for seed, i := first, uint64(0); n == 0 || i < n; seed, i = seed+1, i+1 {
			if !yield(seed) || seed == math.MaxUint64 {
				return
			}
		}
	}
}

// shrinker shrinks findings one at a time on a goroutine of its own, the
// latest seed of each group.
type shrinker struct {
	ctx  context.Context
	s    *scenarios.Scenario
	c    *Corpus
	opts Options

	mu      sync.Mutex
	pending map[string]Finding // by ID: the group's seed to shrink
	wake    chan struct{}
	closed  bool
	done    chan struct{}
	err     error
}

func newShrinker(ctx context.Context, s *scenarios.Scenario, c *Corpus, opts Options) *shrinker {
	sh := &shrinker{ctx: ctx, s: s, c: c, opts: opts, pending: map[string]Finding{},
		wake: make(chan struct{}, 1), done: make(chan struct{})}
	go sh.loop()
	return sh
}

// queue asks for f's seed to be shrunk (replacing an older seed of its
// group that is still waiting).
func (sh *shrinker) queue(f Finding) {
	if !sh.opts.Shrink {
		return
	}
	sh.mu.Lock()
	sh.pending[f.ID] = f
	sh.mu.Unlock()
	select {
	case sh.wake <- struct{}{}:
	default:
	}
}

// wait lets the shrinks that are queued finish (or stop, if ctx is done)
// and ends the goroutine.
func (sh *shrinker) wait() {
	sh.mu.Lock()
	sh.closed = true
	sh.mu.Unlock()
	select {
	case sh.wake <- struct{}{}:
	default:
	}
	<-sh.done
}

// loop shrinks what is queued until wait is called and nothing is left.
func (sh *shrinker) loop() {
	defer close(sh.done)
	for {
		f, ok, closed := sh.next()
		switch {
		case ok:
			sh.shrink(f)
		case closed:
			return
		default:
			<-sh.wake
		}
	}
}

// next takes the pending finding with the lowest ID.
func (sh *shrinker) next() (f Finding, ok, closed bool) {
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if sh.ctx.Err() != nil {
		return Finding{}, false, sh.closed
	}
	for id, p := range sh.pending {
		if !ok || id < f.ID {
			f, ok = p, true
		}
	}
	delete(sh.pending, f.ID)
	return f, ok, sh.closed
}

// shrink shrinks one finding's seed and records the result.
func (sh *shrinker) shrink(f Finding) {
	so := sh.opts.ShrinkOptions
	so.Run = sh.opts.Run
	res, err := shrink.Shrink(sh.ctx, sh.s, f.Seed, so)
	switch {
	case errors.Is(err, shrink.ErrNothingToShrink):
		err = sh.c.SetUnshrinkable(f.ID, f.Seed, err)
	case err == nil:
		var kept bool
		if kept, err = sh.c.SetShrunk(f.ID, f.Seed, res); kept && sh.opts.Shrunk != nil {
			sh.opts.Shrunk(f, res)
		}
	case sh.ctx.Err() != nil:
		err = nil // stopped before the shrink's first run finished
	}
	sh.mu.Lock()
	sh.err = errors.Join(sh.err, err)
	sh.mu.Unlock()
}
