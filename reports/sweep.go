package reports

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"io"
	"maps"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/tracediff"
)

// Sweep aggregates the outcomes of many runs, typically one scenario over a
// range of seeds, into a summary: how many runs passed, how many had a
// violated or an inconclusive check, every failing seed with the command
// that replays it, per-check verdict counts, total events, and the rates
// the sweep ran at.
//
// The summary does not depend on the order outcomes are added in (failing
// seeds are sorted), so sweeps on any number of goroutines report the same.
// Add is safe for concurrent use. A Sweep keeps no Outcome, only counts, so
// it costs the same for ten seeds as for a million. The zero Sweep is empty
// and ready to use; do not copy a Sweep after first use.
type Sweep struct {
	// Elapsed is the sweep's wall-clock time as its driver measured it; set
	// it when the sweep is over. If it is zero, the rates are computed from
	// the sum of the runs' wall times instead (right for a sweep on one
	// goroutine, too slow a rate for a parallel one).
	Elapsed time.Duration
	// Interrupted says the sweep was stopped before it ran every seed; the
	// summary covers the runs that finished. Set it when the sweep is over.
	Interrupted bool
	// Seeds, Shard and Version say what was swept and by what: the range
	// and the shard as --seeds and --shard gave them, and the program's
	// version. They are written in the report, so that shards can be
	// merged (AddReport) and checked to be of the same sweep.
	Seeds, Shard, Version string

	mu           sync.Mutex
	runs         int
	passed       int
	violated     int
	inconclusive int
	crashed      int
	events       uint64
	simTime      time.Duration
	wall         time.Duration
	digest       uint64
	replayed     int
	diverged     int
	scenarios    map[string]bool
	checks       map[checkKey]*SweepCheck
	failing      []failure
	shrunk       []ShrunkRun
}

// failure is a failing run as Add records it: the replay line is written
// by Report, which knows the program's name.
type failure struct {
	Failure
	target string   // what the replay line runs: a scenario name or file
	flags  []string // and the flags it needs besides the seed
	replay string   // the replay line as a merged shard's report gave it, or ""
}

// checkKey identifies a check across runs.
type checkKey struct {
	name string
	kind checker.Kind
}

// Failure is one failing run of a sweep.
type Failure struct {
	// Seed is the run's seed.
	Seed uint64 `json:"seed"`
	// Scenario is the scenario's name.
	Scenario string `json:"scenario"`
	// Fingerprint is the run's trace fingerprint.
	Fingerprint string `json:"fingerprint"`
	// Violated names the checks that were violated, in report order.
	Violated []string `json:"violated"`
	// Inconclusive names the checks that were inconclusive, in report order.
	Inconclusive []string `json:"inconclusive"`
	// Crashed says the run ended in a panic (the run's own report tells
	// where and why).
	Crashed bool `json:"crashed,omitempty"`
	// Replay is the command that replays the run.
	Replay string `json:"replay"`
	// Divergence, if set, says the run did not replay the same under the
	// determinism check: where its second run parted from the first.
	Divergence *tracediff.Divergence `json:"divergence,omitempty"`
}

// ShrunkRun is a failing run of a sweep that was shrunk (sweep --shrink):
// the check it keeps failing, its size before and after, and the minimal
// scenario's file and replay command.
type ShrunkRun struct {
	Seed   uint64  `json:"seed"`
	Keeps  string  `json:"keeps"` // e.g. "linearizability violated"
	Before RunSize `json:"before"`
	After  RunSize `json:"after"`
	File   string  `json:"file"`
	Replay string  `json:"replay"`
}

// RunSize is the size of a run: fault events, client operations, events.
type RunSize struct {
	Faults int    `json:"faults"`
	Ops    int    `json:"ops"`
	Events uint64 `json:"events"`
}

// SweepCheck counts one check's verdicts over a sweep.
type SweepCheck struct {
	Name         string `json:"name"`         // the check's name
	Kind         string `json:"kind"`         // "safety" or "liveness"
	Holds        int    `json:"holds"`        // runs in which it held
	Violated     int    `json:"violated"`     // runs in which it was violated
	Inconclusive int    `json:"inconclusive"` // runs in which it was inconclusive
}

// SweepReport is the JSON form of a Sweep's summary, schema version
// SchemaVersion; see the package documentation. Durations are integer
// nanoseconds.
type SweepReport struct {
	SchemaVersion int `json:"schema_version"`
	// Scenarios are the names of the scenarios swept, sorted.
	Scenarios []string `json:"scenarios"`
	// Seeds is the seed range swept, as --seeds gave it, and Shard the
	// shard of it ("I/N"; absent for the whole range); Version is the
	// version of the program that swept. dsim merge checks that the
	// shards it combines agree on them.
	Seeds   string `json:"seeds,omitempty"`
	Shard   string `json:"shard,omitempty"`
	Version string `json:"version,omitempty"`
	// AllPassed reports whether every run passed.
	AllPassed bool `json:"all_passed"`
	// Runs is the number of runs added.
	Runs int `json:"runs"`
	// Passed counts the runs that passed (inconclusive checks included
	// when they were allowed).
	Passed int `json:"passed"`
	// Failed is Runs - Passed.
	Failed int `json:"failed"`
	// Violated counts the runs with at least one violated check.
	Violated int `json:"violated"`
	// Inconclusive counts the runs with an inconclusive check and no
	// violated one, allowed or not.
	Inconclusive int `json:"inconclusive"`
	// Crashed counts the runs that ended in a panic.
	Crashed int `json:"crashed"`
	// Replayed counts the runs the determinism check ran twice, and
	// Nondeterministic those whose second run differed from the first
	// (a failure, whatever the checks said).
	Replayed         int `json:"replayed,omitempty"`
	Nondeterministic int `json:"nondeterministic,omitempty"`
	// Interrupted says the sweep was stopped (by a signal) before it ran
	// every seed: the summary covers the runs that finished.
	Interrupted bool `json:"interrupted"`
	// Checks counts each check's verdicts, sorted by name then kind.
	Checks []SweepCheck `json:"checks"`
	// Failing lists the failing runs, sorted by seed (then scenario).
	Failing []Failure `json:"failing"`
	// Events is the total number of events over all runs.
	Events uint64 `json:"events"`
	// SimTimeNS is the total virtual time over all runs.
	SimTimeNS int64 `json:"sim_time_ns"`
	// Digest is an order-independent hash of every run's scenario, seed
	// and fingerprint, 16 hex digits: two sweeps over the same seeds agree
	// on it exactly when their runs agree, whatever the number of jobs.
	Digest string `json:"digest"`
	// WallNS is the sweep's wall-clock time (see Sweep.Elapsed); absent
	// when wall times are omitted, like the two rates.
	WallNS *int64 `json:"wall_ns,omitempty"`
	// EventsPerSecond is Events divided by the wall-clock time.
	EventsPerSecond *float64 `json:"events_per_s,omitempty"`
	// SeedsPerSecond is Runs divided by the wall-clock time.
	SeedsPerSecond *float64 `json:"seeds_per_s,omitempty"`
	// Shrunk lists the failing runs that were shrunk, sorted by seed.
	Shrunk []ShrunkRun `json:"shrunk,omitempty"`
}

// Add folds one outcome into the sweep. It keeps no reference to o.
func (s *Sweep) Add(o *scenarios.Outcome) { s.AddRecord(NewRunRecord(o)) }

// AddRecord folds one run into the sweep, as Add does with its Outcome: a
// sweep resumed from the records of an earlier, interrupted one sums up to
// the same report as a sweep that was never interrupted.
func (s *Sweep) AddRecord(r RunRecord) {
	var f failure
	violated, inconclusive := 0, 0
	if r.Failed() {
		f = failure{Failure: Failure{Seed: r.Seed, Scenario: r.Scenario, Fingerprint: r.Fingerprint,
			Violated: []string{}, Inconclusive: []string{}, Crashed: r.Crashed, Divergence: r.Divergence},
			target: replayTarget(r.Scenario, r.File), flags: r.Flags}
	}
	for _, c := range r.Checks {
		switch c.Verdict {
		case checker.Violated:
			violated++
			f.Violated = append(f.Violated, c.Name)
		case checker.Inconclusive:
			inconclusive++
			f.Inconclusive = append(f.Inconclusive, c.Name)
		}
	}
	h := fnv.New64a()
	fmt.Fprintf(h, "%s\x00%d\x00%s", r.Scenario, r.Seed, r.Fingerprint)
	d := mix64(h.Sum64())

	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	s.runs++
	switch {
	case r.Crashed:
		s.crashed++
	case violated > 0:
		s.violated++
	case inconclusive > 0:
		s.inconclusive++
	}
	if r.Failed() {
		s.failing = append(s.failing, f)
	} else {
		s.passed++
	}
	if r.Replayed {
		s.replayed++
	}
	if r.Divergence != nil {
		s.diverged++
	}
	s.events += r.Events
	s.simTime += time.Duration(r.SimTimeNS)
	s.wall += time.Duration(r.WallNS)
	s.digest += d
	s.scenarios[r.Scenario] = true
	for _, c := range r.Checks {
		s.count(c)
	}
}

// init makes the sweep's maps; s.mu is held.
func (s *Sweep) init() {
	if s.scenarios == nil {
		s.scenarios = map[string]bool{}
		s.checks = map[checkKey]*SweepCheck{}
	}
}

// count adds one check's verdict to its row; s.mu is held.
func (s *Sweep) count(c RunCheck) {
	k := checkKey{c.Name, c.Kind}
	sc := s.checks[k]
	if sc == nil {
		sc = &SweepCheck{Name: c.Name, Kind: c.Kind.String()}
		s.checks[k] = sc
	}
	switch c.Verdict {
	case checker.Holds:
		sc.Holds++
	case checker.Violated:
		sc.Violated++
	default:
		sc.Inconclusive++
	}
}

// mix64 is splitmix64's finaliser, spreading a hash over 64 bits so that
// sums of hashes do not cancel in the low bits.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// Report returns the sweep's summary in its JSON form. Wall time and rates
// are left out when OmitWall is given; Program names the command in the
// failing runs' replay lines.
func (s *Sweep) Report(opts ...Option) SweepReport {
	cfg := apply(opts)
	s.mu.Lock()
	defer s.mu.Unlock()
	r := SweepReport{
		SchemaVersion: SchemaVersion, Scenarios: slices.Sorted(maps.Keys(s.scenarios)),
		Seeds: s.Seeds, Shard: s.Shard, Version: s.Version,
		AllPassed: s.passed == s.runs, Runs: s.runs, Passed: s.passed, Failed: s.runs - s.passed,
		Violated: s.violated, Inconclusive: s.inconclusive, Crashed: s.crashed, Interrupted: s.Interrupted,
		Replayed: s.replayed, Nondeterministic: s.diverged,
		Checks: []SweepCheck{}, Failing: []Failure{},
		Events: s.events, SimTimeNS: int64(s.simTime), Digest: fmt.Sprintf("%016x", s.digest),
	}
	if r.Scenarios == nil {
		r.Scenarios = []string{}
	}
	for _, k := range slices.SortedFunc(maps.Keys(s.checks), func(a, b checkKey) int {
		return cmp.Or(strings.Compare(a.name, b.name), cmp.Compare(a.kind, b.kind))
	}) {
		r.Checks = append(r.Checks, *s.checks[k])
	}
	for _, f := range s.failing {
		f.Violated, f.Inconclusive = slices.Clone(f.Violated), slices.Clone(f.Inconclusive)
		f.Replay = cmp.Or(f.replay, cfg.replay(f.target, f.Seed, f.flags...))
		r.Failing = append(r.Failing, f.Failure)
	}
	r.Shrunk = slices.Clone(s.shrunk)
	slices.SortFunc(r.Shrunk, func(a, b ShrunkRun) int { return cmp.Compare(a.Seed, b.Seed) })
	slices.SortFunc(r.Failing, func(a, b Failure) int {
		return cmp.Or(cmp.Compare(a.Seed, b.Seed), strings.Compare(a.Scenario, b.Scenario),
			strings.Compare(a.Fingerprint, b.Fingerprint))
	})
	if !cfg.omitWall {
		wall := s.Elapsed
		if wall <= 0 {
			wall = s.wall
		}
		ns := int64(wall)
		r.WallNS = &ns
		if wall > 0 {
			eps := float64(s.events) / wall.Seconds()
			sps := float64(s.runs) / wall.Seconds()
			r.EventsPerSecond, r.SeedsPerSecond = &eps, &sps
		}
	}
	return r
}

// Summary returns the sweep's summary on one line, e.g. "300 runs: 297
// passed, 2 violated, 1 inconclusive; 447300 events; 1.2s wall, 372750
// events/s, 250.0 seeds/s". The wall-clock part is left out with OmitWall.
func (s *Sweep) Summary(opts ...Option) string {
	return summaryLine(s.Report(opts...))
}

// summaryLine formats a SweepReport on one line.
func summaryLine(r SweepReport) string {
	line := fmt.Sprintf("%d runs: %d passed, %d violated, %d inconclusive, %d crashed; %d events",
		r.Runs, r.Passed, r.Violated, r.Inconclusive, r.Crashed, r.Events)
	if r.Nondeterministic > 0 {
		line = strings.Replace(line, " crashed;", fmt.Sprintf(" crashed, %d nondeterministic;", r.Nondeterministic), 1)
	}
	if r.Interrupted {
		line = "interrupted: " + line
	}
	if r.WallNS != nil {
		line += fmt.Sprintf("; %s wall", time.Duration(*r.WallNS))
		if r.EventsPerSecond != nil {
			line += fmt.Sprintf(", %.0f events/s, %.1f seeds/s", *r.EventsPerSecond, *r.SeedsPerSecond)
		}
	}
	return line
}

// WriteText writes the sweep's summary for a terminal: the scenarios, a
// PASS/FAIL verdict line, the run counts, a table of per-check verdict
// counts, total events and virtual time, the digest, a table of failing
// seeds with their replay commands, and, on its own last line, the wall
// time with events/s and seeds/s, which OmitWall leaves out.
func (s *Sweep) WriteText(w io.Writer, opts ...Option) error {
	r := s.Report(opts...)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }
	kv := func(key, format string, args ...any) { fmt.Fprintf(tw, "%-13s"+format, append([]any{key}, args...)...) }
	kv("scenario", "%s\n", oneLine(strings.Join(r.Scenarios, ", ")))
	verdict := "PASS"
	if !r.AllPassed {
		verdict = "FAIL"
	}
	if r.Interrupted {
		verdict = "INTERRUPTED, " + verdict + " so far"
	}
	kv("verdict", "%s (%d of %d runs failed)\n", verdict, r.Failed, r.Runs)
	kv("runs", "%d: %d passed, %d violated, %d inconclusive, %d crashed\n", r.Runs, r.Passed, r.Violated, r.Inconclusive, r.Crashed)
	kv("events", "%d\n", r.Events)
	kv("sim time", "%s\n", time.Duration(r.SimTimeNS))
	kv("digest", "%s\n", r.Digest)
	if r.Seeds != "" {
		kv("seeds", "%s%s\n", oneLine(r.Seeds), oneLine(shardText(r.Shard)))
	}
	if r.Version != "" {
		kv("version", "%s\n", oneLine(r.Version))
	}
	if r.Replayed > 0 {
		kv("determinism", "%d of %d runs run twice, %d did not replay the same\n", r.Replayed, r.Runs, r.Nondeterministic)
	}
	if len(r.Checks) > 0 {
		p("\nchecks\n")
		p("  CHECK\tKIND\tHOLDS\tVIOLATED\tINCONCLUSIVE\n")
		for _, c := range r.Checks {
			p("  %s\t%s\t%d\t%d\t%d\n", oneLine(c.Name), c.Kind, c.Holds, c.Violated, c.Inconclusive)
		}
	}
	if len(r.Failing) > 0 {
		p("\nfailing seeds\n")
		p("  SEED\tVIOLATED\tINCONCLUSIVE\tREPLAY\n")
		for _, f := range r.Failing {
			violated := names(f.Violated)
			switch {
			case f.Crashed:
				violated = "(crashed)"
			case f.Divergence != nil && len(f.Violated) == 0:
				violated = "(nondeterministic)"
			}
			p("  %d\t%s\t%s\t%s\n", f.Seed, violated, names(f.Inconclusive), f.Replay)
		}
	}
	writeShrunk(p, r.Shrunk)
	if r.WallNS != nil {
		p("\n")
		kv("wall", "%s", time.Duration(*r.WallNS))
		if r.EventsPerSecond != nil {
			p(" (%.0f events/s, %.1f seeds/s)", *r.EventsPerSecond, *r.SeedsPerSecond)
		}
		p("\n")
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("reports: write sweep text: %w", err)
	}
	return writeDivergences(w, r.Failing)
}

// writeShrunk writes the table of shrunk runs, if any.
func writeShrunk(p func(string, ...any), shrunk []ShrunkRun) {
	if len(shrunk) == 0 {
		return
	}
	p("\nshrunk failing seeds (fault events / operations / events)\n")
	p("  SEED\tKEEPS\tBEFORE\tAFTER\tREPLAY\n")
	for _, sr := range shrunk {
		p("  %d\t%s\t%s\t%s\t%s\n", sr.Seed, oneLine(sr.Keeps), sr.Before, sr.After, oneLine(sr.Replay))
	}
}

// String formats a size as "faults / ops / events".
func (z RunSize) String() string { return fmt.Sprintf("%d / %d / %d", z.Faults, z.Ops, z.Events) }

// maxDivergences is how many nondeterministic seeds a sweep's text shows
// the first divergence of; the JSON has them all.
const maxDivergences = 3

// writeDivergences writes where the first nondeterministic seeds parted.
func writeDivergences(w io.Writer, failing []Failure) error {
	shown := 0
	for _, f := range failing {
		if f.Divergence == nil || shown == maxDivergences {
			continue
		}
		shown++
		if _, err := fmt.Fprintf(w, "\nseed %d did not replay the same: ", f.Seed); err != nil {
			return err
		}
		if err := f.Divergence.WriteText(w, "first run", "second run"); err != nil {
			return fmt.Errorf("reports: write sweep text: %w", err)
		}
	}
	return nil
}

// names joins check names for a table cell, "-" for none.
func names(list []string) string {
	if len(list) == 0 {
		return "-"
	}
	return oneLine(strings.Join(list, ","))
}

// WriteJSON writes the sweep's SweepReport as indented JSON followed by a
// newline. It is deterministic apart from wall_ns, events_per_s and
// seeds_per_s, which OmitWall leaves out.
func (s *Sweep) WriteJSON(w io.Writer, opts ...Option) error {
	return writeJSON(w, s.Report(opts...))
}

// AddShrunk records a failing run that was shrunk.
func (s *Sweep) AddShrunk(r ShrunkRun) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.shrunk = append(s.shrunk, r)
}

// shardText is " (shard I/N)" for a shard, "" for the whole range.
func shardText(shard string) string {
	if shard == "" {
		return ""
	}
	return " (shard " + shard + ")"
}
