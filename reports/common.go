package reports

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// Option changes how a report is written. The zero set of options writes
// everything, wall-clock times included.
type Option func(*config)

// config is the result of applying Options.
type config struct {
	omitWall   bool
	program    string // "" means "dsim"
	replayLine string // the whole replay line, if not a run's
}

// OmitWall leaves out the wall-clock times (and the rates derived from
// them), the only parts of a report that differ between two runs of the
// same seed. Golden files and byte-for-byte comparisons use it.
func OmitWall() Option { return func(c *config) { c.omitWall = true } }

// Program names the command that replay lines start with, as its users
// type it, e.g. "regsim" or "go run ./cmd/regsim"; without it they start
// with "dsim". A command of one's own (package cli) passes its name, so
// that the replay line it prints runs the program that knows its
// protocols. The name is written as given, unquoted.
func Program(name string) Option { return func(c *config) { c.program = name } }

// ReplayLine sets the command a report gives to reproduce what it shows,
// when it is not a run of a scenario: `dsim check h.json` for a history.
func ReplayLine(command string) Option { return func(c *config) { c.replayLine = command } }

// apply folds opts into a config.
func apply(opts []Option) config {
	var c config
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

// ReplayCommand returns the shell command that replays o's run:
// `dsim run NAME --seed N` for a built-in scenario (its File is
// "library/NAME.yaml"), and `dsim run PATH --seed N` for a scenario loaded
// from a file, quoted for a POSIX shell when needed. The Program option
// names another command than dsim.
func ReplayCommand(o *scenarios.Outcome, opts ...Option) string {
	return apply(opts).replay(replayTarget(o.Scenario, o.File), o.Seed, o.ReplayFlags...)
}

// shownFile returns the outcome's file when it says more than the scenario's
// name (a path the user gave), and "" for a built-in scenario run by name.
func shownFile(o *scenarios.Outcome) string {
	if o.File == o.Scenario || o.File == "library/"+o.Scenario+".yaml" {
		return ""
	}
	return o.File
}

// replayTarget is what a replay line names: the scenario's name for a
// built-in scenario, its file otherwise.
func replayTarget(scenario, file string) string {
	if file != "" && file != "library/"+scenario+".yaml" {
		return file
	}
	return scenario
}

// replay is the command that runs target with seed, and flags, for c's
// program.
func (c config) replay(target string, seed uint64, flags ...string) string {
	if c.replayLine != "" {
		return c.replayLine
	}
	program := c.program
	if program == "" {
		program = "dsim"
	}
	line := fmt.Sprintf("%s run %s --seed %d", program, shellQuote(target), seed)
	for _, f := range flags {
		line += " " + shellQuote(f)
	}
	return line
}

// ShellQuote quotes s for a POSIX shell unless it only holds characters
// that need no quoting, as replay lines do.
func ShellQuote(s string) string { return shellQuote(s) }

// shellQuote quotes s for a POSIX shell unless it only holds characters
// that need no quoting.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@+=,", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// verdictWord is how text and HTML reports show a verdict: failures in
// capitals so they stand out in a table.
func verdictWord(v checker.Verdict) string {
	switch v {
	case checker.Holds:
		return "holds"
	case checker.Violated:
		return "VIOLATED"
	case checker.Inconclusive:
		return "INCONCLUSIVE"
	}
	return v.String()
}

// checkDetail is a check's detail followed by its offending items and, for
// budgeted or inconclusive checks, its budget.
func checkDetail(c checker.Result) string {
	var b strings.Builder
	b.WriteString(c.Detail)
	if len(c.Offending) > 0 {
		fmt.Fprintf(&b, " [offending: %s]", strings.Join(c.Offending, ", "))
	}
	if (c.Verdict == checker.Inconclusive && !c.Vacuous) || c.TimedOut {
		budget := "unlimited"
		if c.Budget > 0 {
			budget = c.Budget.String()
		}
		fmt.Fprintf(&b, " (budget %s", budget)
		switch {
		case c.TimedOut:
			b.WriteString(", timed out")
		case c.Limit == checker.LimitMemory:
			b.WriteString(", memory limit reached")
		}
		b.WriteString(")")
	}
	return b.String()
}

// byKind splits checks into safety and liveness checks, keeping their order.
func byKind(checks []checker.Result) (safety, liveness []checker.Result) {
	for _, c := range checks {
		if c.Kind == checker.Liveness {
			liveness = append(liveness, c)
		} else {
			safety = append(safety, c)
		}
	}
	return safety, liveness
}

// formatValue formats a statistic: integers without a fraction, other
// values with six significant digits.
func formatValue(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return strconv.FormatFloat(v, 'g', -1, 64)
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 6, 64)
}

// verdictLine is the one-line verdict of an outcome: "PASS" or "FAIL"
// followed by the counts of checks, or "CRASHED" and where it panicked.
func verdictLine(o *scenarios.Outcome) string {
	if o.Crash != nil {
		return "CRASHED (" + oneLine(o.Crash.String()) + ")"
	}
	if o.Interrupted {
		return fmt.Sprintf("INTERRUPTED (stopped at %v after %d events; no check ran)", o.SimTime, o.Events)
	}
	holds, violated, inconclusive := o.Counts()
	word := "FAIL"
	if o.Passed {
		word = "PASS"
	}
	s := fmt.Sprintf("%s (%d holds, %d violated, %d inconclusive", word, holds, violated, inconclusive)
	if inconclusive > 0 && o.AllowInconclusive {
		s += ", inconclusive allowed"
	}
	return s + ")"
}

// describeFault formats a fault for people, e.g. "crash server",
// "partition {server} {c1}" or "clock c3 offset 3ms drift 0.01". Whether
// the nemesis drew it is left to the caller.
func describeFault(f scenarios.Fault) string {
	var b strings.Builder
	b.WriteString(string(f.Kind))
	switch f.Kind {
	case scenarios.FaultCrash, scenarios.FaultRestart, scenarios.FaultPause, scenarios.FaultResume:
		b.WriteString(" " + f.Node)
	case scenarios.FaultPartition:
		for _, g := range f.Groups {
			b.WriteString(" {" + strings.Join(g, ", ") + "}")
		}
	case scenarios.FaultCut:
		b.WriteString(" " + f.From + " -> " + f.To)
	case scenarios.FaultHeal:
		if f.From != "" {
			b.WriteString(" " + f.From + " -> " + f.To)
		} else {
			b.WriteString(" all")
		}
	case scenarios.FaultClock:
		fmt.Fprintf(&b, " %s offset %s drift %s", f.Node, f.Offset, strconv.FormatFloat(f.Drift, 'g', -1, 64))
	case scenarios.FaultLink:
		if f.From != "" {
			b.WriteString(" " + f.From + " -> " + f.To)
		} else {
			b.WriteString(" default")
		}
		if f.Link != nil {
			b.WriteString(": " + describeLink(*f.Link))
		}
	}
	return b.String()
}

// describeLink formats a link configuration on one line.
func describeLink(l sim.LinkConfig) string {
	lat := l.Latency
	parts := []string{string(lat.Kind)}
	add := func(name string, d time.Duration) {
		if d != 0 {
			parts = append(parts, name+" "+d.String())
		}
	}
	addF := func(name string, v float64) {
		if v != 0 {
			parts = append(parts, name+" "+strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	add("mean", lat.Mean)
	add("min", lat.Min)
	add("max", lat.Max)
	add("stddev", lat.Stddev)
	add("median", lat.Median)
	addF("sigma", lat.Sigma)
	addF("alpha", lat.Alpha)
	addF("drop", l.Drop)
	addF("duplicate", l.Duplicate)
	if l.FIFO {
		parts = append(parts, "fifo")
	}
	return strings.Join(parts, " ")
}
