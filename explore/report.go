package explore

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteJSON writes r as indented JSON (the schema is Result's).
func (r *Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes r for people: what was searched, how far, how fast,
// and what was found.
func (r *Result) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	row := func(name, format string, args ...any) {
		fmt.Fprintf(tw, "%s\t%s\n", name, fmt.Sprintf(format, args...))
	}
	row("scenario", "%s", r.Scenario)
	row("seed", "%d", r.Seed)
	row("search", "%s", r.searchLine())
	row("bounds", "%s", r.Bounds)
	row("states", "%s explored, %s", count(r.States), r.uniqueLine())
	row("depth", "%d (longest path)", r.Depth)
	if r.Transient > 0 {
		row("transient", "%s states failed a check that held again at the end of their path's run", count(r.Transient))
	}
	row("speed", "%s states/s (%v)", count(uint64(r.StatesPerSecond)), time.Duration(r.Wall).Round(time.Millisecond))
	row("result", "%s", r.verdict())
	if err := tw.Flush(); err != nil {
		return err
	}
	if v := r.Violation; v != nil {
		fmt.Fprintf(w, "\nviolated at the end of a path of %d steps:\n", v.Depth)
		for _, c := range v.Checks {
			fmt.Fprintf(w, "  %s: %s\n", c.Check, c.Detail)
		}
	}
	return nil
}

// String formats the bounds on one line.
func (b Bounds) String() string {
	var parts []string
	add := func(name string, v int64) {
		if v == 0 {
			parts = append(parts, name+" -")
		} else {
			parts = append(parts, fmt.Sprintf("%s %d", name, v))
		}
	}
	add("depth", int64(b.MaxDepth))
	add("states", int64(b.MaxStates))
	parts = append(parts, fmt.Sprintf("drops %d, duplicates %d, crashes %d", b.MaxDrops, b.MaxDuplicates, b.MaxCrashes))
	add("timers", int64(b.MaxTimers))
	if b.BudgetNS > 0 {
		parts = append(parts, "budget "+time.Duration(b.BudgetNS).String())
	}
	return strings.Join(parts, ", ")
}

func (r *Result) searchLine() string {
	s := string(r.Mode)
	switch r.Mode {
	case Random:
		s = fmt.Sprintf("random walks (%d, search seed %d)", r.Bounds.Runs, r.Bounds.SearchSeed)
	case PCT:
		s = fmt.Sprintf("PCT walks (%d, d=%d, search seed %d)", r.Bounds.Runs, r.Bounds.PCTDepth, r.Bounds.SearchSeed)
	}
	if r.Hashing {
		return s + ", state hashing"
	}
	return s + ", stateless (" + r.NotHashed + ")"
}

func (r *Result) uniqueLine() string {
	if !r.Hashing {
		return "unique not known (no state hashing)"
	}
	return count(r.Unique) + " unique"
}

// verdict says how the search ended.
func (r *Result) verdict() string {
	switch {
	case r.Violation != nil:
		return fmt.Sprintf("VIOLATED: %s after %d steps", r.Violation.Checks[0].Check, r.Violation.Depth)
	case r.Exhausted:
		return "EXHAUSTED: every state within the bounds explored; no safety check failed"
	case r.Stop == StopExhausted:
		return fmt.Sprintf("COMPLETE TO DEPTH %d: no safety check failed; %s states at the depth bound had steps left", r.Bounds.MaxDepth, count(r.DepthCut))
	case r.Stop == StopRuns:
		return "no safety check failed in any walk"
	}
	return fmt.Sprintf("STOPPED (%s) before the space was exhausted; no safety check failed so far", r.Stop)
}

// count formats n with thousands separators: 16,668.
func count(n uint64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
