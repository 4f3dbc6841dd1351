package dsimtest

import (
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/reports"
	"github.com/dsimlab/dsim/runner"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/scenarios/library"
)

// DefaultShort is how many seeds, from the first of its range, a sweep runs
// under `go test -short` unless the Short option says otherwise.
const DefaultShort = 10

// Option changes how Sweep loads, runs and judges a sweep.
type Option func(*config)

type config struct {
	command   string               // replay command, e.g. "dsim" or "go run ./cmd/regsim"
	protocols []protocols.Protocol // added to the built-in catalog
	fsys      fs.FS                // named scenarios of one's own, or nil
	dir       string               // what fsys is called in messages
	short     uint64               // seeds under -short
	golden    string               // golden fingerprint file, or ""
	expect    []string             // checks a seed must violate; nil: every seed must pass
	expecting bool
	anyOf     bool // one of expect is enough
	everySeed bool // a hunt runs every seed
}

// Command names the command that replay lines run: "dsim" by default, e.g.
// "go run ./cmd/regsim" for a program of one's own.
func Command(name string) Option { return func(c *config) { c.command = name } }

// Protocols adds a program's own protocols to the built-in ones, so that
// scenario files naming them load.
func Protocols(ps ...protocols.Protocol) Option {
	return func(c *config) { c.protocols = append(c.protocols, ps...) }
}

// Scenarios adds the named scenarios at the root of fsys (files NAME.yaml)
// to the built-in ones; dir names fsys in messages, e.g. "scenarios". It is
// what the program's own command knows, so a scenario swept by name replays
// by the same name.
func Scenarios(fsys fs.FS, dir string) Option {
	return func(c *config) { c.fsys, c.dir = fsys, dir }
}

// Short sets how many seeds, from the first of the range, run under
// `go test -short` (DefaultShort if not set). A sweep that expects a
// violation always runs its whole budget.
func Short(seeds int) Option { return func(c *config) { c.short = uint64(max(seeds, 1)) } }

// ExpectViolation turns the sweep into a bug hunt: it passes when some seed
// of the range violates every named check (any check, if none is named),
// and fails when none does. Seeds after the first such seed are skipped.
// It is what a test of a planted bug, or a teacher's bug zoo, asserts: "this
// variant fails some seed within N, on this check".
func ExpectViolation(checks ...string) Option {
	return func(c *config) { c.expect, c.expecting = checks, true }
}

// ExpectAnyViolation is ExpectViolation for a bug that any one of several
// checks may catch: a seed that violates one of the named checks will do.
func ExpectAnyViolation(checks ...string) Option {
	return func(c *config) { c.expect, c.expecting, c.anyOf = checks, true, true }
}

// EverySeed has a bug hunt (ExpectViolation, ExpectAnyViolation) run every
// seed of its range rather than skip those after the first violation, and
// log how many violated: the bug's detection rate.
func EverySeed() Option { return func(c *config) { c.everySeed = true } }

// tester is what a sweep needs of a test; realT adapts *testing.T, and the
// package's own tests use a fake that records failures.
type tester interface {
	Helper()
	Name() string
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	Logf(format string, args ...any)
	Skipf(format string, args ...any)
	Cleanup(func())
	Parallel()
	Short() bool
	Run(name string, f func(tester)) bool
}

type realT struct{ *testing.T }

func (r realT) Short() bool { return testing.Short() }

func (r realT) Run(name string, f func(tester)) bool {
	return r.T.Run(name, func(t *testing.T) { f(realT{t}) })
}

// Sweep runs a scenario with every seed of a range ("1-200", or one seed
// "17"), each seed a parallel subtest named "seed=N", and fails a seed whose
// checks do not all hold with each failed check's verdict and detail, the
// command that replays it and the `go test -run` line that reruns it.
//
// The scenario is a catalog name ("calm"), a path to a YAML file
// ("scenarios/calm.yaml") or a *scenarios.Scenario built or changed in Go
// (for example with WithParam). Names and paths load against the built-in
// catalog plus the Protocols and Scenarios options.
//
// The seeds run after the test function returns, as parallel subtests do;
// the checks across seeds (Golden, ExpectViolation) run when the last seed
// is done.
func Sweep[S string | *scenarios.Scenario](t *testing.T, scenario S, seeds string, opts ...Option) {
	t.Helper()
	sweep(realT{t}, any(scenario), seeds, opts)
}

// sweepRun is one call of Sweep: what it runs and what its seeds found.
type sweepRun struct {
	c      config
	s      *scenarios.Scenario
	target string            // the replay command's scenario argument; "" for a Go value
	want   runner.Seeds      // the range asked for
	ran    runner.Seeds      // the range run (shorter under -short)
	mu     sync.Mutex        // guards what follows
	prints map[uint64]string // seed -> golden line
	found  uint64            // first seed that violated what ExpectViolation named; 0: none
	hits   int               // seeds that violated it
	others []string          // other failures seen while expecting a violation
}

func sweep(t tester, scenario any, seeds string, opts []Option) {
	t.Helper()
	c := config{command: "dsim", short: DefaultShort}
	for _, o := range opts {
		o(&c)
	}
	sw, err := newSweepRun(c, scenario, seeds, t.Short())
	if err != nil {
		t.Fatalf("dsimtest: %v", err)
	}
	if c.golden != "" && c.expecting {
		t.Fatalf("dsimtest: Golden and ExpectViolation do not go together: a bug hunt skips seeds")
	}
	t.Cleanup(func() { sw.finish(t) })
	for seed := range sw.ran.All() {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t tester) {
			t.Parallel()
			sw.one(t, seed)
		})
	}
}

func newSweepRun(c config, scenario any, seeds string, short bool) (*sweepRun, error) {
	sw := &sweepRun{c: c, prints: map[uint64]string{}}
	var err error
	if sw.want, err = runner.ParseSeeds(seeds); err != nil {
		return nil, fmt.Errorf("seeds: %w", err)
	}
	sw.ran = sw.want
	if short && !c.expecting && sw.ran.Count() > c.short {
		sw.ran.Last = sw.ran.First + c.short - 1
	}
	switch v := scenario.(type) {
	case *scenarios.Scenario:
		sw.s = v
	case string:
		sw.target = v
		sw.s, err = c.load(v)
	}
	return sw, err
}

// Load loads a scenario by catalog name or file path, against the built-in
// catalog plus the Protocols and Scenarios options (others are ignored), and
// fails the test if it cannot. A test changes the result in Go, for example
// with WithParam, and sweeps it.
func Load(t testing.TB, nameOrPath string, opts ...Option) *scenarios.Scenario {
	t.Helper()
	var c config
	for _, o := range opts {
		o(&c)
	}
	s, err := c.load(nameOrPath)
	if err != nil {
		t.Fatalf("dsimtest: %v", err)
	}
	return s
}

// load loads a scenario by name or path against the built-in catalog
// extended with the options' protocols and scenarios.
func (c config) load(nameOrPath string) (*scenarios.Scenario, error) {
	cat := library.Builtin()
	if len(c.protocols) > 0 || c.fsys != nil {
		var err error
		if cat, err = cat.With(c.protocols, c.fsys, c.dir); err != nil {
			return nil, fmt.Errorf("catalog: %w", err)
		}
	}
	return cat.Load(nameOrPath)
}

// one runs one seed and reports it.
func (sw *sweepRun) one(t tester, seed uint64) {
	if first := sw.first(); first != 0 && first < seed && !sw.c.everySeed {
		t.Skipf("seed %d violated %s already", first, sw.expectation())
	}
	o, err := scenarios.Run(sw.s, seed, scenarios.RunOptions{})
	if err != nil {
		t.Fatalf("dsimtest: seed %d: %v", seed, err)
	}
	sw.record(seed, o)
	switch {
	case sw.c.expecting && sw.violates(o):
		t.Logf("%s", sw.failure(t, o, "violated "+sw.expectation()+", as expected"))
	case sw.c.expecting && !o.Passed:
		sw.mu.Lock()
		sw.others = append(sw.others, fmt.Sprintf("seed %d: %s", seed, failedChecks(o)))
		sw.mu.Unlock()
	case !sw.c.expecting && !o.Passed:
		t.Errorf("%s", sw.failure(t, o, "failed"))
	}
}

// record keeps what the checks across seeds need.
func (sw *sweepRun) record(seed uint64, o *scenarios.Outcome) {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	sw.prints[seed] = goldenLine(o)
	if !sw.c.expecting || !sw.violates(o) {
		return
	}
	sw.hits++
	if sw.found == 0 || seed < sw.found {
		sw.found = seed
	}
}

func (sw *sweepRun) first() uint64 {
	sw.mu.Lock()
	defer sw.mu.Unlock()
	return sw.found
}

// violates reports whether o violated every check ExpectViolation named,
// or one that ExpectAnyViolation named (some check, if they named none).
func (sw *sweepRun) violates(o *scenarios.Outcome) bool {
	violated := map[string]bool{}
	for _, r := range o.Checks {
		if r.Verdict == checker.Violated {
			violated[r.Check] = true
		}
	}
	if sw.c.anyOf && len(sw.c.expect) > 0 {
		return slices.ContainsFunc(sw.c.expect, func(name string) bool { return violated[name] })
	}
	for _, name := range sw.c.expect {
		if !violated[name] {
			return false
		}
	}
	return len(violated) > 0
}

func (sw *sweepRun) expectation() string {
	if len(sw.c.expect) == 0 {
		return "a check"
	}
	if sw.c.anyOf {
		return strings.Join(sw.c.expect, " or ")
	}
	return strings.Join(sw.c.expect, " and ")
}

// finish runs the checks across seeds, once every seed is done.
func (sw *sweepRun) finish(t tester) {
	t.Helper()
	if sw.c.golden != "" {
		sw.checkGolden(t)
	}
	if !sw.c.expecting {
		return
	}
	if first := sw.first(); first != 0 {
		t.Logf("%s: seed %d violated %s", sw.s.Name, first, sw.expectation())
		if sw.c.everySeed {
			t.Logf("%s: %d of %d seeds violated %s", sw.s.Name, sw.hits, sw.ran.Count(), sw.expectation())
		}
		return
	}
	msg := fmt.Sprintf("%s: no seed of %s violated %s", sw.s.Name, sw.want, sw.expectation())
	if len(sw.others) > 0 {
		msg += fmt.Sprintf("; other failures:\n  %s", strings.Join(sw.others, "\n  "))
	}
	t.Errorf("%s", msg)
}

// failure describes a failed seed: its checks, the replay command and the
// go test line that reruns it.
func (sw *sweepRun) failure(t tester, o *scenarios.Outcome, what string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d of %s %s:\n", o.Seed, sw.s.Name, what)
	for _, r := range o.Checks {
		if r.Verdict != checker.Holds {
			fmt.Fprintf(&b, "  %s%s\n", r, offending(r))
		}
	}
	if sw.target != "" {
		as := &scenarios.Outcome{Scenario: o.Scenario, File: sw.target, Seed: o.Seed}
		fmt.Fprintf(&b, "replay: %s\n", reports.ReplayCommand(as, reports.Program(sw.c.command)))
	}
	fmt.Fprintf(&b, "rerun:  go test -run %s", shellQuote(runPattern(t.Name())))
	return b.String()
}

func offending(r checker.Result) string {
	if len(r.Offending) == 0 {
		return ""
	}
	return " [offending: " + strings.Join(r.Offending, ", ") + "]"
}

// failedChecks names the checks of o that did not hold.
func failedChecks(o *scenarios.Outcome) string {
	var names []string
	for _, r := range o.Checks {
		if r.Verdict != checker.Holds {
			names = append(names, r.Check+" "+r.Verdict.String())
		}
	}
	return strings.Join(names, ", ")
}

// runPattern is the -run pattern that matches exactly the test called name
// ("TestX/seed=17" gives "^TestX$/^seed=17$").
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

// shellQuote quotes s for a POSIX shell unless it only holds characters
// that need no quoting.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@+=,", r)) {
			safe = false
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
