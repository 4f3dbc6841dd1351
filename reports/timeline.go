package reports

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/dsimlab/dsim/scenarios"
)

// Geometry of the fault timeline, in SVG user units (pixels).
const (
	tlLabel  = 300.0 // width of the label column
	tlPlot   = 620.0 // width of the time axis
	tlRow    = 20.0  // height of one bar's row
	tlTop    = 10.0  // margin above the first row
	tlAxis   = 30.0  // room for the axis under the rows
	tlMargin = 20.0  // right margin
)

// faultSpan is one bar of the fault timeline: a fault from when it starts
// until it is undone (a crash until its restart, a pause until its resume,
// a partition or cut until the heal, a clock skew until the clock is reset
// or set again, a link change until the next change of the same link) or
// until the end of the run. An undo with nothing to undo is a bar of its
// own with no length.
type faultSpan struct {
	Kind       string
	Text       string
	Start, End time.Duration
	Open       bool // lasted until the end of the run
	Point      bool // an undo with nothing to undo
	Nemesis    bool
}

// faultSpans pairs the faults of a schedule (in time order) into bars.
// end is the end of the run.
func faultSpans(faults []scenarios.Fault, end time.Duration) []faultSpan {
	var spans []faultSpan
	open := map[string]int{} // what is open -> index in spans
	begin := func(key string, f scenarios.Fault) {
		open[key] = len(spans)
		spans = append(spans, faultSpan{Kind: string(f.Kind), Text: describeFault(f), Start: f.At, Nemesis: f.Nemesis})
	}
	finish := func(key string, at time.Duration) bool {
		i, ok := open[key]
		if ok {
			spans[i].End = at
			delete(open, key)
		}
		return ok
	}
	point := func(f scenarios.Fault) {
		spans = append(spans, faultSpan{Kind: string(f.Kind), Text: describeFault(f), Start: f.At, End: f.At,
			Point: true, Nemesis: f.Nemesis})
	}
	for _, f := range faults {
		switch f.Kind {
		case scenarios.FaultCrash, scenarios.FaultPause:
			finish(string(f.Kind)+" "+f.Node, f.At) // a second crash ends the first bar
			begin(string(f.Kind)+" "+f.Node, f)
		case scenarios.FaultRestart:
			if !finish("crash "+f.Node, f.At) {
				point(f)
			}
		case scenarios.FaultResume:
			if !finish("pause "+f.Node, f.At) {
				point(f)
			}
		case scenarios.FaultPartition:
			finish("partition", f.At) // a new partition replaces the old
			begin("partition", f)
		case scenarios.FaultCut:
			finish("cut "+f.From+" "+f.To, f.At)
			begin("cut "+f.From+" "+f.To, f)
		case scenarios.FaultHeal:
			healed := false
			if f.From != "" {
				healed = finish("cut "+f.From+" "+f.To, f.At)
			} else {
				for _, k := range slices.Sorted(maps.Keys(open)) {
					if k == "partition" || strings.HasPrefix(k, "cut ") {
						healed = finish(k, f.At) || healed
					}
				}
			}
			if !healed {
				point(f)
			}
		case scenarios.FaultClock:
			reset := f.Offset == 0 && f.Drift == 0
			if !finish("clock "+f.Node, f.At) && reset {
				point(f)
			}
			if !reset {
				begin("clock "+f.Node, f)
			}
		case scenarios.FaultLink:
			finish("link "+f.From+" "+f.To, f.At)
			begin("link "+f.From+" "+f.To, f)
		default:
			point(f)
		}
	}
	for _, i := range open {
		spans[i].End = max(end, spans[i].Start)
		spans[i].Open = true
	}
	return spans
}

// timeline is the laid-out fault timeline, ready for the template.
type timeline struct {
	Width, Height float64
	LabelX        float64 // right edge of the labels
	PlotX         float64 // left edge of the axis
	PlotEnd       float64 // right edge of the axis
	AxisY         float64
	End           time.Duration
	Bars          []bar
	Ticks         []vtick
	Window        *band // the diagram's window, if any
	Focus         *line // the moment the report is about, if any
}

// line is a vertical line across the timeline, with a label.
type line struct {
	X     float64
	Label string
	Title string
}

// bar is one fault's bar and its label.
type bar struct {
	X, Y, W, H float64
	LabelY     float64
	Class      string
	Label      string
	Title      string
}

// vtick is a tick on the timeline's time axis.
type vtick struct {
	X     float64
	Label string
}

// band is a shaded stretch of the time axis.
type band struct {
	X, W  float64
	Title string
}

// layoutTimeline lays out the fault timeline of a run that lasted end,
// shading the diagram's window [from, to] when it is not empty.
func layoutTimeline(faults []scenarios.Fault, end time.Duration, from, to time.Duration) *timeline {
	for _, f := range faults {
		end = max(end, f.At)
	}
	spans := faultSpans(faults, end)
	t := &timeline{LabelX: tlLabel - 8, PlotX: tlLabel, PlotEnd: tlLabel + tlPlot, End: end}
	t.AxisY = tlTop + float64(len(spans))*tlRow + 4
	t.Height = t.AxisY + tlAxis
	t.Width = tlLabel + tlPlot + tlMargin
	x := func(d time.Duration) float64 {
		if end <= 0 {
			return tlLabel
		}
		return tlLabel + float64(d)/float64(end)*tlPlot
	}
	for i, s := range spans {
		b := bar{X: x(s.Start), Y: tlTop + float64(i)*tlRow + 3, H: tlRow - 6, Label: s.Text,
			Class: "fault " + s.Kind}
		if s.Nemesis {
			b.Label += " (nemesis)"
		}
		b.LabelY = b.Y + b.H - 3
		b.W = max(x(s.End)-b.X, 2)
		if s.Nemesis {
			b.Class += " nemesis"
		}
		switch {
		case s.Point:
			b.Title = b.Label + fmt.Sprintf(" at %s", s.Start)
		case s.Open:
			b.Title = b.Label + fmt.Sprintf(" from %s until the end of the run", s.Start)
			b.Class += " open"
		default:
			b.Title = b.Label + fmt.Sprintf(" from %s to %s (%s)", s.Start, s.End, s.End-s.Start)
		}
		t.Bars = append(t.Bars, b)
	}
	if end > 0 {
		step := niceStep(end, 8)
		for d := time.Duration(0); d <= end; d += step {
			t.Ticks = append(t.Ticks, vtick{X: x(d), Label: d.String()})
		}
	}
	if to > from && end > 0 {
		t.Window = &band{X: x(from), W: max(x(min(to, end))-x(from), 1),
			Title: fmt.Sprintf("the message diagram's window, %s to %s", from, to)}
	}
	return t
}
