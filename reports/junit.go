package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/scenarios"
)

// The JUnit XML form, as Jenkins, GitLab, GitHub Actions reporters, Buildkite
// and CircleCI read it: <testsuites> holding one <testsuite>, whose
// <testcase>s are the checks; a failing case holds a <failure> (a violated
// check, or an inconclusive one not allowed) or an <error> (a panic, an
// interruption), and a case that did not run a <skipped>.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr,omitempty"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string       `xml:"name,attr"`
	Classname string       `xml:"classname,attr"`
	Failure   *junitResult `xml:"failure,omitempty"`
	Error     *junitResult `xml:"error,omitempty"`
	Skipped   *junitResult `xml:"skipped,omitempty"`
}

type junitResult struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes one run's Outcome as JUnit XML: a test suite named
// after the scenario and seed, with the seed, fingerprint, events and
// replay command as properties, and a test case per check. A violated
// check is a failure, an inconclusive one a failure too unless allowed
// (then it is skipped); a panic or an interruption is an error of a test
// case named "run". The output is deterministic; the suite's time is left
// out with OmitWall.
func WriteJUnit(w io.Writer, o *scenarios.Outcome, opts ...Option) error {
	cfg := apply(opts)
	replay := ReplayCommand(o, opts...)
	suite := junitSuite{Name: fmt.Sprintf("%s --seed %d", o.Scenario, o.Seed), Properties: []junitProperty{
		{"protocol", o.Protocol}, {"seed", strconv.FormatUint(o.Seed, 10)}, {"fingerprint", o.Fingerprint},
		{"events", strconv.FormatUint(o.Events, 10)}, {"replay", replay}}}
	for _, c := range o.Checks {
		suite.Cases = append(suite.Cases, runCase(o, c, replay))
	}
	if o.Crash != nil || o.Interrupted {
		suite.Cases = append(suite.Cases, crashCase(o, replay))
	}
	if !cfg.omitWall {
		suite.Time = seconds(o.Wall)
	}
	return writeJUnit(w, "dsim run "+o.Scenario, suite)
}

// runCase is one check's test case.
func runCase(o *scenarios.Outcome, c checker.Result, replay string) junitCase {
	tc := junitCase{Name: caseName(c.Check, c.Kind.String()), Classname: o.Scenario}
	text := c.Detail
	if len(c.Offending) > 0 {
		text += "\noffending: " + strings.Join(c.Offending, ", ")
	}
	text += "\nreplay: " + replay
	res := &junitResult{Message: c.Verdict.String() + ": " + firstLine(c.Detail), Type: c.Verdict.String(), Text: text}
	switch {
	case c.Verdict == checker.Violated:
		tc.Failure = res
	case c.Verdict == checker.Inconclusive && (o.AllowInconclusive || c.Vacuous && o.AllowVacuous):
		tc.Skipped = res
	case c.Verdict == checker.Inconclusive:
		tc.Failure = res
	}
	return tc
}

// crashCase is the error of a run that panicked or was interrupted.
func crashCase(o *scenarios.Outcome, replay string) junitCase {
	tc := junitCase{Name: "run", Classname: o.Scenario}
	if o.Crash != nil {
		tc.Error = &junitResult{Message: o.Crash.String(), Type: "panic", Text: o.Crash.Stack + "\nreplay: " + replay}
	} else {
		tc.Error = &junitResult{Message: "interrupted", Type: "interrupted", Text: "the run was stopped by a signal; no check ran"}
	}
	return tc
}

// maxJUnitSeeds is how many failing seeds a sweep's test case lists.
const maxJUnitSeeds = 20

// WriteJUnit writes the sweep's summary as JUnit XML: a test suite named
// after the scenarios, with the seeds, shard, version, digest and run
// counts as properties, and a test case per check, which fails if a run
// violated it (or was inconclusive on it, unless allowed), listing the
// failing seeds with their replay commands. Test cases for panics, for the
// determinism check and for an interrupted sweep are added when they
// apply. The output is deterministic; the time is left out with OmitWall.
func (s *Sweep) WriteJUnit(w io.Writer, opts ...Option) error {
	r := s.Report(opts...)
	class := strings.Join(r.Scenarios, ",")
	suite := junitSuite{Name: class, Properties: sweepProperties(r)}
	for _, c := range r.Checks {
		suite.Cases = append(suite.Cases, sweepCheckCase(r, c, class))
	}
	suite.Cases = append(suite.Cases, sweepExtraCases(r, class)...)
	if r.WallNS != nil {
		suite.Time = seconds(time.Duration(*r.WallNS))
	}
	return writeJUnit(w, "dsim sweep "+class, suite)
}

// sweepProperties are what the sweep covered.
func sweepProperties(r SweepReport) []junitProperty {
	props := []junitProperty{{"runs", strconv.Itoa(r.Runs)}, {"passed", strconv.Itoa(r.Passed)}, {"digest", r.Digest}}
	for _, p := range []junitProperty{{"seeds", r.Seeds}, {"shard", r.Shard}, {"version", r.Version}} {
		if p.Value != "" {
			props = append(props, p)
		}
	}
	return props
}

// sweepCheckCase is one check's test case over the sweep.
func sweepCheckCase(r SweepReport, c SweepCheck, class string) junitCase {
	tc := junitCase{Name: caseName(c.Name, c.Kind), Classname: class}
	var violated, inconclusive []Failure
	for _, f := range r.Failing {
		if slices.Contains(f.Violated, c.Name) {
			violated = append(violated, f)
		} else if slices.Contains(f.Inconclusive, c.Name) {
			inconclusive = append(inconclusive, f)
		}
	}
	switch {
	case len(violated) > 0:
		tc.Failure = &junitResult{Message: fmt.Sprintf("violated in %d of %d runs", len(violated), r.Runs), Type: "violated",
			Text: seedList(append(violated, inconclusive...))}
	case len(inconclusive) > 0:
		tc.Failure = &junitResult{Message: fmt.Sprintf("inconclusive in %d of %d runs", len(inconclusive), r.Runs), Type: "inconclusive",
			Text: seedList(inconclusive)}
	}
	return tc
}

// sweepExtraCases are the test cases beyond the checks: panics, the
// determinism check, an interruption.
func sweepExtraCases(r SweepReport, class string) []junitCase {
	var crashed, diverged []Failure
	for _, f := range r.Failing {
		if f.Crashed {
			crashed = append(crashed, f)
		}
		if f.Divergence != nil {
			diverged = append(diverged, f)
		}
	}
	var out []junitCase
	if len(crashed) > 0 {
		out = append(out, junitCase{Name: "no run panics", Classname: class, Error: &junitResult{
			Message: fmt.Sprintf("%d of %d runs panicked", len(crashed), r.Runs), Type: "panic", Text: seedList(crashed)}})
	}
	if r.Replayed > 0 {
		tc := junitCase{Name: "every run replays the same", Classname: class}
		if len(diverged) > 0 {
			tc.Failure = &junitResult{Message: fmt.Sprintf("%d of %d runs run twice did not replay the same", len(diverged), r.Replayed),
				Type: "nondeterministic", Text: seedList(diverged)}
		}
		out = append(out, tc)
	}
	if r.Interrupted {
		out = append(out, junitCase{Name: "every seed ran", Classname: class, Error: &junitResult{
			Message: fmt.Sprintf("interrupted after %d runs", r.Runs), Type: "interrupted"}})
	}
	return out
}

// seedList lists failing seeds with their replay commands, one a line,
// and the first divergence of a nondeterministic one.
func seedList(fs []Failure) string {
	var b strings.Builder
	for i, f := range fs {
		if i == maxJUnitSeeds {
			fmt.Fprintf(&b, "and %d more\n", len(fs)-i)
			break
		}
		fmt.Fprintf(&b, "seed %d: %s\n", f.Seed, f.Replay)
		if f.Divergence != nil {
			fmt.Fprintf(&b, "  did not replay the same at %s\n", f.Divergence)
		}
	}
	return b.String()
}

// writeJUnit writes one suite in a <testsuites> document, with totals.
func writeJUnit(w io.Writer, name string, suite junitSuite) error {
	for _, c := range suite.Cases {
		suite.Tests++
		switch {
		case c.Failure != nil:
			suite.Failures++
		case c.Error != nil:
			suite.Errors++
		case c.Skipped != nil:
			suite.Skipped++
		}
	}
	doc := junitSuites{Name: name, Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors,
		Skipped: suite.Skipped, Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("reports: write JUnit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("reports: write JUnit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// caseName names a check's test case: "linearizability (safety)".
func caseName(check, kind string) string { return check + " (" + kind + ")" }

// firstLine is s up to its first newline.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// seconds formats a duration as JUnit's time attribute: seconds, to the
// millisecond.
func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }
