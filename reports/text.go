package reports

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/scenarios"
)

// WriteText writes a compact, aligned summary of o for a terminal: the
// scenario, seed and verdict line (PASS or FAIL with counts), the safety
// and liveness checks in two tables with each verdict and detail (an
// inconclusive check shows its budget), the statistics, the number of
// faults, the fingerprint, events, simulated time and the replay command,
// and, on its own last line, the wall-clock time, which OmitWall leaves
// out. Everything but that line is deterministic.
func WriteText(w io.Writer, o *scenarios.Outcome, opts ...Option) error {
	cfg := apply(opts)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	p := func(format string, args ...any) { fmt.Fprintf(tw, format, args...) }
	// kv writes a "key value" line; keys have a fixed width so that every
	// such line aligns, whatever tables lie between them.
	kv := func(key, format string, args ...any) { fmt.Fprintf(tw, "%-13s"+format, append([]any{key}, args...)...) }

	file := ""
	if shownFile(o) != "" {
		file = " (" + oneLine(o.File) + ")"
	}
	kv("scenario", "%s%s\n", oneLine(o.Scenario), file)
	kv("protocol", "%s\n", oneLine(o.Protocol))
	kv("seed", "%d\n", o.Seed)
	kv("verdict", "%s\n", verdictLine(o))

	if o.Crash != nil {
		p("\npanic stack\n")
		for _, line := range strings.Split(o.Crash.Stack, "\n") {
			p("  %s\n", strings.ReplaceAll(line, "\t", "    "))
		}
	}
	safety, liveness := byKind(o.Checks)
	writeChecks(p, "safety checks", safety)
	writeChecks(p, "liveness checks", liveness)

	if len(o.Stats) > 0 {
		p("\nstats\n")
		for _, s := range o.Stats {
			v := formatValue(s.Value)
			if s.Unit != "" {
				v += " " + oneLine(s.Unit)
			}
			p("  %s\t%s\n", oneLine(s.Name), v)
		}
	}

	p("\n")
	nemesis := 0
	for _, f := range o.Faults {
		if f.Nemesis {
			nemesis++
		}
	}
	kv("faults", "%d (%d from the nemesis)\n", len(o.Faults), nemesis)
	for _, l := range huntLines(o) {
		kv(l[0], "%s\n", oneLine(l[1]))
	}
	kv("fingerprint", "%s\n", o.Fingerprint)
	kv("events", "%d\n", o.Events)
	kv("sim time", "%s\n", o.SimTime)
	kv("replay", "%s\n", ReplayCommand(o, opts...))
	if !cfg.omitWall {
		kv("wall", "%s (checks %s)\n", o.Wall, o.CheckWall)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("reports: write text: %w", err)
	}
	return nil
}

// writeChecks writes one table of checks under a heading.
func writeChecks(p func(string, ...any), heading string, checks []checker.Result) {
	p("\n%s\n", heading)
	if len(checks) == 0 {
		p("  (none)\n")
		return
	}
	p("  CHECK\tVERDICT\tDETAIL\n")
	for _, c := range checks {
		p("  %s\t%s\t%s\n", oneLine(c.Check), verdictWord(c.Verdict), oneLine(checkDetail(c)))
	}
}

// oneLine replaces tabs and line breaks, which would break a table, with
// spaces.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\t\n\r\v\f") {
		return s
	}
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool {
		return r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
	}), " ")
}
