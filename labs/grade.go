package labs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/explore"
	"github.com/dsimlab/dsim/scenarios"
)

// Options change what Grade grades and where it keeps failing runs.
type Options struct {
	// Tiers, Parts and Tests, if not nil, keep only the tests of those
	// tiers, parts and names.
	Tiers []Tier
	Parts []string
	Tests []string
	// Out is the directory failing runs are saved in (created if need
	// be): TEST.yaml, the scenario the test ran, which the command's run
	// subcommand replays. Empty: runs are not saved.
	Out string
	// Command is the program replay lines name, e.g. "go run
	// ./cmd/raftlab" (empty: "dsim").
	Command string
	// Saved, if set, is called with each failing run once it is saved,
	// and may write its HTML report and set Failure.Report.
	Saved func(*Failure) error
	// Progress, if set, receives the grading as it goes: a heading, each
	// test's line as it finishes (with what failed, the hint and the
	// replay command), and the score. Result.WriteText writes the same.
	Progress io.Writer
	// Context, if set, stops the grading when done.
	Context context.Context
}

// Result is a lab's grade: each test's points and failure.
type Result struct {
	Lab     *Lab
	Subject string // what was graded, e.g. "raft-lab" or "raft, variant commit-old-term"
	Command string // the program the replay lines name
	Tests   []TestResult
}

// TestResult is one test's grade.
type TestResult struct {
	Test    *Test
	Points  int      // Test.Points if it passed, else 0
	Runs    int      // seeds run (a failing seed ends the test)
	Failure *Failure // nil if it passed
}

// Failure is the first failing run of a test.
type Failure struct {
	Test    string
	Seed    uint64
	Details []string // what failed: a line per check that did not hold, or the panic
	Checks  []string // the checks that were violated (not those merely inconclusive)
	// Scenario is the saved scenario file, or "" if runs are not saved.
	Scenario string
	// Replay is the command that replays the run, if it is saved.
	Replay string
	// Report is the HTML report's file, if Options.Saved wrote one.
	Report string
	// Steps and States, for a search's counterexample: the choices on its
	// path, and the states the search explored to find it. Path is the
	// saved path file, which the run command replays (--path).
	Steps  int
	States uint64
	Path   string
	path   *scenarios.Path
}

// ErrNoTests is returned by Grade when the options keep no test.
var ErrNoTests = errors.New("labs: no test is selected")

// Grade runs the lab's tests on sub, in tier order, and returns the
// points of each. A test passes if every one of its seeds passes every
// check it asks for (a check that is inconclusive, e.g. one with nothing
// to check, fails it) and, if the scenario has clients, completes some
// client operation; it stops at its first failing seed. Grade returns
// an error for options that select nothing, a scenario that cannot be
// built, a run that cannot be saved, and an interrupted grading.
func Grade(l *Lab, sub Subject, opts Options) (*Result, error) {
	tests := l.selected(opts)
	if len(tests) == 0 {
		return nil, ErrNoTests
	}
	r := &Result{Lab: l, Subject: subjectName(sub), Command: command(opts)}
	if err := clean(opts.Out, tests); err != nil {
		return nil, err
	}
	p := opts.Progress
	if p == nil {
		p = io.Discard
	}
	r.writeHeading(p)
	var tier Tier
	for _, t := range tests {
		if t.Tier != tier {
			tier = t.Tier
			writeTier(p, tier)
		}
		tr, err := grade(l, t, sub, opts)
		if err != nil {
			return nil, err
		}
		r.Tests = append(r.Tests, tr)
		writeTest(p, tr, l)
	}
	r.writeScore(p)
	return r, nil
}

// selected returns the tests opts keeps, in tier order.
func (l *Lab) selected(opts Options) []*Test {
	var out []*Test
	for _, tier := range Tiers {
		for i := range l.Tests {
			t := &l.Tests[i]
			keep := t.Tier == tier && (opts.Tiers == nil || slices.Contains(opts.Tiers, t.Tier)) &&
				(opts.Parts == nil || slices.Contains(opts.Parts, t.Part)) &&
				(opts.Tests == nil || slices.Contains(opts.Tests, t.Name))
			if keep {
				out = append(out, t)
			}
		}
	}
	return out
}

// grade runs one test.
func grade(l *Lab, t *Test, sub Subject, opts Options) (TestResult, error) {
	tr := TestResult{Test: t}
	s, err := l.Scenario(t, sub)
	if err != nil {
		return tr, err
	}
	for seed := t.Seeds.First; seed <= t.Seeds.Last; seed++ {
		run := s
		if t.Swarm {
			run, _ = s.ForSeed(seed, true, false) // the seed's mix, which a file can hold
		}
		o, err := scenarios.Run(run, seed, scenarios.RunOptions{Context: opts.Context})
		tr.Runs++
		switch {
		case err != nil:
			// The protocol's Setup refused the scenario: a failure of
			// the code graded, like any other.
			tr.Failure = &Failure{Test: t.Name, Seed: seed, Details: []string{err.Error()}}
		case o.Interrupted:
			return tr, fmt.Errorf("labs: grading interrupted: %w", context.Cause(opts.Context))
		case !o.Passed:
			tr.Failure = failure(t.Name, o)
		case idle(run, o):
			tr.Failure = &Failure{Test: t.Name, Seed: seed, Details: []string{
				"no client operation completed: the run tested nothing, whatever its checks say"}}
		}
		if tr.Failure != nil {
			return tr, save(run, tr.Failure, opts)
		}
	}
	if t.Search != nil {
		f, err := search(s, t, opts)
		if err != nil || f != nil {
			tr.Failure = f
			return tr, err
		}
	}
	tr.Points = t.Points
	return tr, nil
}

// search runs a test's search, and returns the counterexample it found as
// a failure, saved with its path.
func search(s *scenarios.Scenario, t *Test, opts Options) (*Failure, error) {
	so := *t.Search
	so.Context, so.Progress = opts.Context, nil
	res, err := explore.Explore(s, t.Seeds.First, so)
	switch {
	case err != nil:
		return nil, fmt.Errorf("labs: test %s: %w", t.Name, err)
	case res.Stop == explore.StopInterrupted:
		return nil, fmt.Errorf("labs: grading interrupted: %w", context.Cause(opts.Context))
	case res.Violation == nil:
		return nil, nil
	}
	v := res.Violation
	f := &Failure{Test: t.Name, Seed: t.Seeds.First, Steps: len(v.Path.Steps), States: res.States, path: &v.Path}
	for _, c := range v.Checks {
		if c.Verdict == checker.Violated {
			f.Checks = append(f.Checks, c.Check)
		}
		f.Details = append(f.Details, fmt.Sprintf("%s: %s: %s", c.Check, c.Verdict, oneLine(c.Detail, 240)))
	}
	return f, save(s, f, opts)
}

// idle reports whether a run with clients completed none of their
// operations. Checks can hold vacuously (no transaction, no conflict), so
// such a run fails a test whatever its checks say.
func idle(s *scenarios.Scenario, o *scenarios.Outcome) bool {
	if s.Clients == 0 || o.World == nil {
		return false
	}
	for _, op := range o.World.History() {
		if op.Returned {
			return false
		}
	}
	return true
}

// failure says what failed in a run that did not pass.
func failure(test string, o *scenarios.Outcome) *Failure {
	f := &Failure{Test: test, Seed: o.Seed}
	if o.Crash != nil {
		f.Details = append(f.Details, "CRASHED: "+o.Crash.String())
	}
	for _, c := range o.Checks {
		if c.Verdict == checker.Holds || c.Verdict == checker.Inconclusive && o.AllowInconclusive {
			continue
		}
		if c.Verdict == checker.Violated {
			f.Checks = append(f.Checks, c.Check)
		}
		f.Details = append(f.Details, fmt.Sprintf("%s: %s: %s", c.Check, c.Verdict, oneLine(c.Detail, 240)))
	}
	return f
}

// save writes the failing run's scenario to opts.Out, says how to replay
// it, and hands it to opts.Saved.
func save(s *scenarios.Scenario, f *Failure, opts Options) error {
	if opts.Out == "" {
		return nil
	}
	if err := os.MkdirAll(opts.Out, 0o755); err != nil {
		return fmt.Errorf("labs: save failing run: %w", err)
	}
	f.Scenario = filepath.Join(opts.Out, f.Test+".yaml")
	var b strings.Builder
	if err := s.WriteYAML(&b); err != nil {
		return fmt.Errorf("labs: save failing run: %w", err)
	}
	if err := os.WriteFile(f.Scenario, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("labs: save failing run: %w", err)
	}
	f.Replay = fmt.Sprintf("%s run %s --seed %d", command(opts), f.Scenario, f.Seed)
	if f.path != nil {
		if err := savePath(f, opts.Out, command(opts)); err != nil {
			return err
		}
	}
	if opts.Saved != nil {
		return opts.Saved(f)
	}
	return nil
}

// clean removes what an earlier grading saved in out for the tests about
// to run, so that what is there after a grading is all from it.
func clean(out string, tests []*Test) error {
	if out == "" {
		return nil
	}
	for _, t := range tests {
		old, _ := filepath.Glob(filepath.Join(out, t.Name+"-seed-*.html"))
		for _, name := range append(old, filepath.Join(out, t.Name+".yaml"), filepath.Join(out, t.Name+".path")) {
			if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("labs: remove an old failing run: %w", err)
			}
		}
	}
	return nil
}

// savePath writes a counterexample's path next to its scenario, naming
// the scenario file, and makes it the replay.
func savePath(f *Failure, out, command string) error {
	f.path.Scenario, f.path.Seed = f.Scenario, f.Seed
	f.path.Note = fmt.Sprintf("lab test %s: a search found this run after %d states", f.Test, f.States)
	f.Path = filepath.Join(out, f.Test+".path")
	var b strings.Builder
	if err := f.path.Write(&b); err != nil {
		return fmt.Errorf("labs: save failing run: %w", err)
	}
	if err := os.WriteFile(f.Path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("labs: save failing run: %w", err)
	}
	f.Replay = fmt.Sprintf("%s run --path %s", command, f.Path)
	return nil
}

// command returns the program replay lines name.
func command(opts Options) string {
	if opts.Command == "" {
		return "dsim"
	}
	return opts.Command
}

// subjectName names what is graded: the protocol, and the parameters
// that replace the scenarios'.
func subjectName(sub Subject) string {
	name := sub.Protocol.Name
	for _, k := range slices.Sorted(maps.Keys(sub.Params)) {
		name += fmt.Sprintf(", %s %v", k, sub.Params[k])
	}
	return name
}

// oneLine returns s on one line, cut to at most n bytes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + " ..."
	}
	return s
}
