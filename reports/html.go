package reports

import (
	"bufio"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// HTMLOptions chooses what the HTML report's message sequence diagram
// shows. The window is, in order of precedence: the trace records
// FirstRecord to LastRecord, if LastRecord is set; the events between From
// and To, if either is set; MaxEvents records centred on Focus, if set;
// and else the first MaxEvents records.
type HTMLOptions struct {
	// MaxEvents is the largest number of trace events the diagram shows;
	// zero or negative means DefaultMaxEvents (300).
	MaxEvents int
	// From and To, when set, restrict the diagram to the events with
	// From <= Time <= To (To zero: no upper bound), still at most
	// MaxEvents of them, and stretch its time axis over the window.
	From, To sim.Time
	// FirstRecord and LastRecord, when LastRecord is set, restrict the
	// diagram to the trace records numbered FirstRecord to LastRecord
	// (sim.Event.Seq, from 0), still at most MaxEvents of them.
	FirstRecord, LastRecord uint64
	// Focus, if set, is the moment the report is about (a run's first
	// violation, or its first fault): the diagram centres on it unless
	// another window is asked for, and the diagram and the fault timeline
	// mark it.
	Focus *Focus
}

// Focus is a moment of a run a report points at: the trace record of the
// event, its time, and what happened.
type Focus struct {
	// Record is the number of the trace record (sim.Event.Seq).
	Record uint64
	// Time is when it happened.
	Time sim.Time
	// Label says what it is, e.g. "first violation: atomicity".
	Label string
	// Detail is a sentence about it, shown in the summary.
	Detail string
}

//go:embed report.html.tmpl
var reportTemplate string

// page is parsed once; html/template escapes every value it prints.
var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"num": num,
}).Parse(reportTemplate))

// htmlPage is what the template renders.
type htmlPage struct {
	Scenario, File, Protocol string
	Seed                     uint64
	Passed                   bool
	Verdict                  string
	Fingerprint              string
	Events                   uint64
	SimTime                  time.Duration
	Replay                   string
	Wall                     string // "" when omitted
	Groups                   []checkGroup
	Stats                    []statRow
	Faults                   []faultRow
	Hunt                     [][2]string // the swarm mix, fault points and online violation: name, text
	Timeline                 *timeline
	Diagram                  *diagram
	NoTrace                  string // why there is no diagram, or ""
	Traced                   uint64 // trace records of the whole run
	Focus                    *Focus
	Porcupine                string // porcupine's HTML page, or ""
	PorcupineError           string
}

// checkGroup is the table of safety or of liveness checks.
type checkGroup struct {
	Title  string
	Checks []checkRow
}

// checkRow is one row of a checks table.
type checkRow struct {
	Name, Verdict, Class, Detail, Offending, Budget string
}

// statRow is one row of the statistics table.
type statRow struct{ Name, Value, Unit string }

// faultRow is one row of the fault list.
type faultRow struct {
	At      time.Duration
	Text    string
	Nemesis bool
}

// WriteHTML writes one self-contained HTML page about o: inline CSS and
// SVG, no script of its own and nothing fetched from the network. It shows
// the summary, the safety and liveness checks, the statistics, the fault
// timeline (one bar per fault, from when it starts to when it is undone),
// a message sequence diagram of the trace window chosen by ho (which needs
// a run with RunOptions.Trace), and, when o.Visualization is set,
// porcupine's visualization of the history in a sandboxed iframe (it is a
// page of its own, with its own script). Every value is escaped by
// html/template. The page is deterministic apart from the wall time, which
// OmitWall leaves out.
func WriteHTML(w io.Writer, o *scenarios.Outcome, ho HTMLOptions, opts ...Option) error {
	cfg := apply(opts)
	p := htmlPage{
		Scenario: o.Scenario, File: shownFile(o), Protocol: o.Protocol, Seed: o.Seed, Passed: o.Passed,
		Verdict: verdictLine(o), Fingerprint: o.Fingerprint, Events: o.Events, SimTime: o.SimTime,
		Replay: ReplayCommand(o, opts...), Hunt: huntLines(o),
	}
	if o.World != nil {
		p.Traced = o.World.Traced()
	}
	if !cfg.omitWall {
		p.Wall = fmt.Sprintf("%s (checks %s)", o.Wall, o.CheckWall)
	}
	safety, liveness := byKind(o.Checks)
	p.Groups = []checkGroup{{Title: "Safety", Checks: checkRows(safety)}, {Title: "Liveness", Checks: checkRows(liveness)}}
	for _, s := range o.Stats {
		p.Stats = append(p.Stats, statRow{Name: s.Name, Value: formatValue(s.Value), Unit: s.Unit})
	}
	for _, f := range o.Faults {
		p.Faults = append(p.Faults, faultRow{At: f.At, Text: describeFault(f), Nemesis: f.Nemesis})
	}

	var trace []sim.Event
	if o.World != nil {
		trace = o.World.Trace()
	}
	var winFrom, winTo time.Duration
	switch {
	case o.World == nil:
		p.NoTrace = "This outcome carries no simulation, so there is no message diagram."
	case len(trace) == 0:
		p.NoTrace = "No trace was recorded: run with scenarios.RunOptions{Trace: true} for a message diagram."
	default:
		lo, hi := ho.window(trace)
		if hi == lo {
			p.NoTrace = ho.emptyWindow(trace)
		} else {
			p.Diagram = layoutDiagram(o.World, trace, lo, hi, ho.From, ho.To)
			p.Diagram.note(o.World.Traced(), ho.Focus)
			winFrom, winTo = time.Duration(p.Diagram.From), time.Duration(p.Diagram.To)
		}
	}
	p.Timeline = layoutTimeline(o.Faults, o.SimTime, winFrom, winTo)
	if f := ho.Focus; f != nil {
		p.Focus = f
		p.Timeline.mark(f)
	}

	if o.Visualization != nil {
		var b strings.Builder
		if err := o.Visualization(&b); err != nil {
			p.PorcupineError = err.Error()
		} else {
			p.Porcupine = PorcupineAtFirstError(b.String())
		}
	}

	bw := bufio.NewWriter(w)
	if err := page.Execute(bw, p); err != nil {
		return fmt.Errorf("reports: write HTML: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("reports: write HTML: %w", err)
	}
	return nil
}

// checkRows converts checks to table rows.
func checkRows(checks []checker.Result) []checkRow {
	var rows []checkRow
	for _, c := range checks {
		r := checkRow{Name: c.Check, Verdict: verdictWord(c.Verdict), Class: c.Verdict.String(), Detail: c.Detail,
			Offending: strings.Join(c.Offending, ", ")}
		if c.Budget > 0 || c.TimedOut || c.Verdict == checker.Inconclusive {
			r.Budget = "unlimited"
			if c.Budget > 0 {
				r.Budget = c.Budget.String()
			}
			if c.TimedOut {
				r.Budget += ", timed out"
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// num formats an SVG coordinate with at most one decimal.
func num(v float64) string {
	r := math.Round(v*10) / 10
	if r == 0 {
		r = 0 // no "-0"
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}
