package labs

import (
	"fmt"
	"io"
	"strings"
)

// tierDoc says what each tier tests, for headings.
var tierDoc = map[Tier]string{
	Run:        "fixed seeds, calm and lossy networks",
	Search:     "small configurations, every order of events within bounds",
	Unreliable: "seed sweeps with crashes, partitions and random faults",
}

// Score returns the points earned and the points there were, over the
// tests graded.
func (r *Result) Score() (got, max int) {
	for _, tr := range r.Tests {
		got += tr.Points
		max += tr.Test.Points
	}
	return got, max
}

// TierScore returns the points earned and the points there were in one
// tier.
func (r *Result) TierScore(t Tier) (got, max int) {
	for _, tr := range r.Tests {
		if tr.Test.Tier == t {
			got += tr.Points
			max += tr.Test.Points
		}
	}
	return got, max
}

// Full reports whether every test graded passed.
func (r *Result) Full() bool {
	got, max := r.Score()
	return got == max
}

// Failures returns the failures, in grading order.
func (r *Result) Failures() []*Failure {
	var out []*Failure
	for _, tr := range r.Tests {
		if tr.Failure != nil {
			out = append(out, tr.Failure)
		}
	}
	return out
}

// WriteText writes the grade as Grade's Progress shows it: a heading, the
// tests by tier with what failed, the hint and the replay command, and
// the score. It is deterministic: the same code graded the same way
// writes the same text.
func (r *Result) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	r.writeHeading(ew)
	var tier Tier
	for _, tr := range r.Tests {
		if tr.Test.Tier != tier {
			tier = tr.Test.Tier
			writeTier(ew, tier)
		}
		writeTest(ew, tr, r.Lab)
	}
	r.writeScore(ew)
	return ew.err
}

func (r *Result) writeHeading(w io.Writer) {
	fmt.Fprintf(w, "lab %s: %s\ngrading %s\n", r.Lab.Name, r.Lab.Title, r.Subject)
}

func writeTier(w io.Writer, t Tier) {
	fmt.Fprintf(w, "\n%s: %s\n", t, tierDoc[t])
}

// writeTest writes a test's line, and after a failure what failed, the
// hints and how to replay it.
func writeTest(w io.Writer, tr TestResult, l *Lab) {
	t := tr.Test
	verdict := "ok  "
	if tr.Failure != nil {
		verdict = "FAIL"
	}
	fmt.Fprintf(w, "  %s %-24s %3d/%-3d %-12s %s, %s\n", verdict, t.Name, tr.Points, t.Points, t.Part,
		t.Scenario, seedText(t))
	f := tr.Failure
	if f == nil {
		return
	}
	if f.Steps > 0 {
		fmt.Fprintf(w, "       the search found a failing run of seed %d, %d steps from its start (%d states explored):\n",
			f.Seed, f.Steps, f.States)
	} else {
		fmt.Fprintf(w, "       seed %d failed:\n", f.Seed)
	}
	for _, d := range f.Details {
		fmt.Fprintf(w, "         %s\n", d)
	}
	if t.Hint != "" {
		fmt.Fprintf(w, "       hint: %s\n", t.Hint)
	}
	for _, c := range f.Checks {
		if h := l.CheckHints[c]; h != "" {
			fmt.Fprintf(w, "       %s: %s\n", c, h)
		}
	}
	if f.Replay != "" {
		fmt.Fprintf(w, "       replay: %s\n", f.Replay)
	}
	if f.Report != "" {
		fmt.Fprintf(w, "       report: %s\n", f.Report)
	}
}

// seedText says which seeds a test runs.
func seedText(t *Test) string {
	text := fmt.Sprintf("seeds %d-%d", t.Seeds.First, t.Seeds.Last)
	if t.Seeds.First == t.Seeds.Last {
		text = fmt.Sprintf("seed %d", t.Seeds.First)
	}
	if t.Swarm {
		text += ", swarm"
	}
	return text
}

func (r *Result) writeScore(w io.Writer) {
	got, max := r.Score()
	var tiers []string
	for _, t := range Tiers {
		if g, m := r.TierScore(t); m > 0 {
			tiers = append(tiers, fmt.Sprintf("%s %d/%d", t, g, m))
		}
	}
	fmt.Fprintf(w, "\nscore: %d/%d (%s)\n", got, max, strings.Join(tiers, ", "))
}

// errWriter keeps the first error of a series of writes.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return len(p), nil
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// WriteTable writes the lab's tests as a Markdown table: tier, test,
// part, points, scenario and seeds, and the search's bounds. Each lab's
// README has it, and a test keeps the two equal.
func (l *Lab) WriteTable(w io.Writer) error {
	ew := &errWriter{w: w}
	fmt.Fprintln(ew, "| tier | test | part | points | scenario | seeds | search (explore's bounds) |")
	fmt.Fprintln(ew, "|---|---|---|---|---|---|---|")
	for _, t := range l.selected(Options{}) {
		seeds := fmt.Sprintf("%d-%d", t.Seeds.First, t.Seeds.Last)
		if t.Seeds.First == t.Seeds.Last {
			seeds = fmt.Sprint(t.Seeds.First)
		}
		if t.Swarm {
			seeds += ", swarm"
		}
		fmt.Fprintf(ew, "| %s | `%s` | %s | %d | `%s`%s | %s | %s |\n", t.Tier, t.Name, t.Part, t.Points, t.Scenario,
			changed(t), seeds, searchText(t))
	}
	fmt.Fprintf(ew, "| | | | **%d** | | | |\n", l.Max(nil))
	return ew.err
}

// changed says that a test changes its scenario.
func changed(t *Test) string {
	if t.Change != nil {
		return ", smaller"
	}
	return ""
}

// searchText describes a test's search as the explore command's flags.
func searchText(t *Test) string {
	o := t.Search
	if o == nil {
		return ""
	}
	var b []string
	if o.Mode.Walks() {
		b = append(b, fmt.Sprintf("--mode %s --runs %d --max-depth %d", o.Mode, o.Runs, o.MaxDepth))
	}
	for _, f := range []struct {
		n    int
		flag string
	}{{o.MaxTimers, "timers"}, {o.MaxCrashes, "crashes"}, {o.MaxDrops, "drops"}, {o.MaxDuplicates, "duplicates"}} {
		if f.n > 0 {
			b = append(b, fmt.Sprintf("--max-%s %d", f.flag, f.n))
		}
	}
	if o.MaxStates > 0 {
		b = append(b, fmt.Sprintf("--max-states %d", o.MaxStates))
	}
	if o.SearchSeed > 0 {
		b = append(b, fmt.Sprintf("--search-seed %d", o.SearchSeed))
	}
	return "`" + strings.Join(b, " ") + "`"
}
