package explore

import (
	"fmt"
	"slices"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
)

// explorer is one search in progress.
type explorer struct {
	s    *scenarios.Scenario
	seed uint64
	opts Options
	res  *Result
	seen map[key]mark   // with hashing: what the first path to each state had spent
	more map[key][]mark // and what later paths that spent less of something had
	last lastRun        // the world the search left at its last node
	// reported is when Progress was last called.
	reported time.Time
	start    time.Time
	hash     *hasher
}

// Explore searches the runs of scenario s with seed that the choices of
// opts allow, checking the scenario's safety checks at every state, and
// reports what it explored and the first violation it found. It returns
// an error only for bad options, a scenario that cannot be built, or a
// protocol that does not replay deterministically.
func Explore(s *scenarios.Scenario, seed uint64, opts Options) (*Result, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if opts.Checks == nil {
		opts.Checks = s.Checks
	}
	if opts.CheckBudget == 0 {
		opts.CheckBudget = s.CheckBudget
	}
	x := &explorer{s: s, seed: seed, opts: opts, seen: map[key]mark{}, more: map[key][]mark{}, hash: newHasher(),
		start: time.Now(), reported: time.Now(),
		res: &Result{Version: 1, Scenario: s.Name, Seed: seed, Mode: opts.Mode, Bounds: opts.bounds()}}
	root, _, err := x.replay(nil)
	switch {
	case err != nil:
		return nil, err
	case root == nil:
		x.res.NotHashed = "the protocol panicked as its nodes started"
	default:
		x.res.Hashing, x.res.NotHashed = describable(root)
	}
	if opts.Stateless {
		x.res.Hashing, x.res.NotHashed = false, "stateless search asked for"
	}
	if opts.Mode.Walks() {
		err = x.walks()
	} else {
		err = x.search()
	}
	x.finish()
	return x.res, err
}

// finish fills in the figures of the result.
func (x *explorer) finish() {
	wall := time.Since(x.start)
	x.res.Wall = int64(wall)
	if wall > 0 {
		x.res.StatesPerSecond = float64(x.res.States) / wall.Seconds()
	}
	if x.res.Hashing {
		x.res.Unique = uint64(len(x.seen))
	}
}

// stopped says why the search must stop before its next state, or "",
// and reports progress when it is due.
func (x *explorer) stopped() string {
	if p := x.opts.Progress; p != nil && time.Since(x.reported) >= x.opts.ProgressEvery {
		x.reported = time.Now()
		x.finish()
		p(*x.res)
	}
	switch {
	case x.opts.Context.Err() != nil:
		return StopInterrupted
	case x.opts.MaxStates > 0 && x.res.States >= x.opts.MaxStates:
		return StopMaxStates
	case x.opts.Budget > 0 && time.Since(x.start) >= x.opts.Budget:
		return StopBudget
	}
	return ""
}

// violations runs the checks on r's state and returns the safety checks
// that fail. Liveness verdicts are left out: a state in the middle of a
// run is not its end.
func (x *explorer) violations(r *run) []checker.Result {
	rep := r.inst.Check(protocols.CheckRequest{World: r.w, Checks: x.opts.Checks, Budget: x.opts.CheckBudget})
	var bad []checker.Result
	for _, c := range rep.Checks {
		if c.Kind == checker.Safety && c.Verdict == checker.Violated {
			bad = append(bad, c)
		}
	}
	return bad
}

// guarded runs fn and turns a panic in the protocol's code into a failed
// check named "panic", a finding like any other: the path replays it.
func guarded(fn func() []checker.Result) (bad []checker.Result) {
	defer func() {
		if p := recover(); p != nil {
			bad = []checker.Result{{Check: PanicCheck, Kind: checker.Safety, Verdict: checker.Violated,
				Detail: fmt.Sprint("the protocol panicked: ", p)}}
		}
	}()
	return fn()
}

// PanicCheck names the failed check of a state where the protocol
// panicked.
const PanicCheck = "panic"

// found confirms that the path steps, to a state where the checks bad
// failed, is a counterexample: that the run fails one of them when it goes
// on to its end as dsim run --path runs it. If so it records the path and
// the replayed run's verdicts, and reports true. A check may fail at a
// state and hold at the end (Paxos agreement counts a value learned before
// it is chosen as a violation, until it is chosen): such a failure is
// counted as transient, and the search goes on.
func (x *explorer) found(steps []scenarios.Step, bad []checker.Result) (bool, error) {
	s := *x.s
	s.Checks = x.opts.Checks
	o, err := scenarios.Run(&s, x.seed, scenarios.RunOptions{Steps: steps, CheckBudget: x.opts.CheckBudget})
	if err != nil {
		return false, fmt.Errorf("explore: replay of a counterexample: %w", err)
	}
	confirmed := confirmedChecks(o, bad)
	if len(confirmed) == 0 {
		x.res.Transient++
		return false, nil
	}
	x.res.Stop = StopViolation
	note := fmt.Sprintf("dsim explore (%s): %s violated after %d steps", x.opts.Mode, confirmed[0].Check, len(steps))
	x.res.Violation = &Counterexample{Depth: len(steps), Checks: confirmed,
		Path: scenarios.Path{Version: 1, Scenario: x.s.Name, Seed: x.seed, Steps: steps, Note: note}}
	return true, nil
}

// confirmedChecks returns the safety checks of bad that the whole run o
// violates too, with o's verdicts; or a panic, if o crashed.
func confirmedChecks(o *scenarios.Outcome, bad []checker.Result) []checker.Result {
	if o.Crash != nil {
		return []checker.Result{{Check: PanicCheck, Kind: checker.Safety, Verdict: checker.Violated, Detail: o.Crash.String()}}
	}
	var out []checker.Result
	for _, c := range o.Checks {
		if c.Kind == checker.Safety && c.Verdict == checker.Violated &&
			slices.ContainsFunc(bad, func(b checker.Result) bool { return b.Check == c.Check }) {
			out = append(out, c)
		}
	}
	return out
}

// mark is what a path to a state had spent, and its length.
type mark struct {
	used  usage
	depth int32
}

// covers reports whether the path of m can do all the path of n can.
func (m mark) covers(n mark) bool { return m.used.covers(n.used) && m.depth <= n.depth }

// record notes that a path that spent u in depth steps reached the state
// k, and reports whether the state is worth exploring from: it is new, or
// every path that reached it before spent more of some bound. Depth counts
// only under a depth bound.
func (x *explorer) record(k key, u usage, depth int) bool {
	m := mark{used: u}
	if x.opts.MaxDepth > 0 {
		m.depth = int32(depth)
	}
	first, seen := x.seen[k]
	switch {
	case !seen:
		x.seen[k] = m
		return true
	case first.covers(m):
		return false
	}
	more := x.more[k]
	for _, o := range more {
		if o.covers(m) {
			return false
		}
	}
	kept := more[:0]
	for _, o := range more {
		if !m.covers(o) {
			kept = append(kept, o)
		}
	}
	if m.covers(first) {
		x.seen[k] = m
	} else {
		kept = append(kept, m)
	}
	if len(kept) == 0 {
		delete(x.more, k)
	} else {
		x.more[k] = kept
	}
	return true
}
