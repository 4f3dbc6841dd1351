package reports

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/dsimlab/dsim/sim"
)

// Geometry of the message sequence diagram, in SVG user units (pixels).
const (
	diagLeft     = 80.0  // left margin, for the time axis labels
	diagColumn   = 120.0 // distance between two node lines
	diagTop      = 50.0  // top of the plot; node names sit above it
	diagBottom   = 20.0  // margin under the plot
	diagRight    = 120.0 // margin right of the last node, for network labels
	diagPerEvent = 5.0   // plot height per event shown
	diagMinPlot  = 240.0 // smallest plot height
	diagMaxPlot  = 4000.0
	diagStub     = 36.0 // length of the stub drawn for a message lost at send time
)

// DefaultMaxEvents is how many events the message sequence diagram shows
// when HTMLOptions.MaxEvents is zero or negative.
const DefaultMaxEvents = 300

// diagram is the laid-out message sequence diagram, ready for the template.
// Every coordinate is final; the template only prints them.
type diagram struct {
	Width, Height float64
	PlotTop       float64
	PlotBottom    float64
	AxisX         float64
	Shown         int      // events in the window
	Truncated     bool     // the event limit cut the window short
	Total         int      // events in the trace
	From, To      sim.Time // the window's time span
	FirstSeq      uint64   // Seq of the first event shown
	LastSeq       uint64   // Seq of the last event shown
	Lanes         []lane
	Ticks         []tick
	States        []segment // crashed and paused stretches of node lines
	Arrows        []arrow
	Crosses       []cross
	Marks         []mark
	Rules         []rule // network-wide events across the diagram
	Traced        uint64 // trace records of the whole run (0: unknown)
	Focus         *rule  // the moment the report is about, if in the window
	Now           *rule  // the debugger's current position, if set

	yOf func(sim.Time) float64 // a time's height, clamped to the plot
}

// y returns the height of time t in the plot.
func (d *diagram) y(t sim.Time) float64 { return d.yOf(t) }

// lane is one node's vertical line.
type lane struct {
	Name   string
	X      float64
	Y1, Y2 float64
}

// tick is a time axis tick and its grid line.
type tick struct {
	Y     float64
	Label string
}

// segment is a stretch of a node line in a given state.
type segment struct {
	X, Y1, Y2 float64
	Class     string // "down" or "paused"
	Title     string
}

// arrow is one message copy from its send to its fate (or to the edge of
// the window).
type arrow struct {
	X1, Y1, X2, Y2 float64
	Class          string // "msg", "msg dup", "msg lost", "msg partial", "msg pending", "msg orphan"
	Title          string
}

// cross marks the point where a message was lost.
type cross struct {
	X, Y  float64
	Path  string
	Title string
}

// mark is an event on one node's line: a crash, restart, pause, resume,
// timer, clock change, start, invoke, return or fact.
type mark struct {
	X, Y  float64
	Class string // the event kind's name
	Label string // short text next to the mark ("" for none)
	Title string
}

// rule is a network-wide event (partition, cut, heal, link change, stop)
// drawn as a horizontal line across the diagram.
type rule struct {
	Y      float64
	X1, X2 float64
	Label  string
	Title  string
}

// selectWindow returns the trace positions [lo, hi) to draw: the events in
// [from, to] (to zero: no upper bound), at most max of them. Trace times
// never decrease, so the window's start is found by binary search.
func selectWindow(trace []sim.Event, from, to sim.Time, max int) (lo, hi int) {
	if max <= 0 {
		max = DefaultMaxEvents
	}
	lo = sort.Search(len(trace), func(i int) bool { return trace[i].Time >= from })
	hi = lo
	for hi < len(trace) && hi-lo < max && (to <= 0 || trace[hi].Time <= to) {
		hi++
	}
	return lo, hi
}

// layoutDiagram lays out the events trace[lo:hi] of w. from and to, when
// set, widen the time axis to the requested window.
func layoutDiagram(w Recorded, trace []sim.Event, lo, hi int, from, to sim.Time) *diagram {
	d := &diagram{Shown: hi - lo, Total: len(trace)}
	nodes := w.Nodes()
	if hi > lo {
		d.From, d.To = trace[lo].Time, trace[hi-1].Time
		d.FirstSeq, d.LastSeq = trace[lo].Seq, trace[hi-1].Seq
	}
	if from > 0 && from < d.From || hi == lo {
		d.From = from
	}
	// Events of the window left out by the event limit make it end early:
	// stretching the axis to the requested end would draw them as silence.
	d.Truncated = hi < len(trace) && (to <= 0 || trace[hi].Time <= to)
	if to > d.To && !d.Truncated {
		d.To = to
	}
	plot := min(max(float64(hi-lo)*diagPerEvent, diagMinPlot), diagMaxPlot)
	d.PlotTop, d.PlotBottom = diagTop, diagTop+plot
	d.Height = d.PlotBottom + diagBottom
	d.Width = diagLeft + float64(len(nodes))*diagColumn + diagRight
	d.AxisX = diagLeft - 8
	span := float64(d.To - d.From)
	yRaw := func(t sim.Time) float64 {
		if span <= 0 {
			return d.PlotTop
		}
		return d.PlotTop + float64(t-d.From)/span*plot
	}
	y := func(t sim.Time) float64 { return min(max(yRaw(t), d.PlotTop), d.PlotBottom) }
	d.yOf = y
	x := func(id sim.NodeID) float64 { return diagLeft + diagColumn/2 + float64(id)*diagColumn }
	name := func(id sim.NodeID) string {
		if id == sim.None || int(id) >= len(nodes) {
			return "-"
		}
		return w.Name(id)
	}

	for _, id := range nodes {
		d.Lanes = append(d.Lanes, lane{Name: w.Name(id), X: x(id), Y1: d.PlotTop, Y2: d.PlotBottom})
	}
	if span > 0 {
		step := niceStep(time.Duration(span), 10)
		first := (time.Duration(d.From) + step - 1) / step * step
		for t := first; t <= time.Duration(d.To); t += step {
			d.Ticks = append(d.Ticks, tick{Y: y(sim.Time(t)), Label: t.String()})
		}
	}

	// Crashed and paused stretches: the state at the window's start comes
	// from the events before it.
	down := make([]sim.Time, len(nodes))   // since when a node is down; -1: up
	paused := make([]sim.Time, len(nodes)) // since when a node is paused; -1: not
	for i := range nodes {
		down[i], paused[i] = -1, -1
	}
	closeState := func(id sim.NodeID, since []sim.Time, until sim.Time, class, what string) {
		if since[id] < 0 {
			return
		}
		if until >= d.From && hi > lo {
			start := max(since[id], d.From)
			d.States = append(d.States, segment{X: x(id), Y1: y(start), Y2: y(until), Class: class,
				Title: fmt.Sprintf("%s %s from %s to %s", name(id), what, time.Duration(since[id]), time.Duration(until))})
		}
		since[id] = -1
	}
	for i := 0; i < hi; i++ {
		e := &trace[i]
		if e.Node < 0 || int(e.Node) >= len(nodes) {
			continue
		}
		switch e.Kind {
		case sim.KindCrash:
			closeState(e.Node, paused, e.Time, "paused", "paused")
			down[e.Node] = e.Time
		case sim.KindRestart:
			closeState(e.Node, down, e.Time, "down", "down")
		case sim.KindPause:
			paused[e.Node] = e.Time
		case sim.KindResume:
			closeState(e.Node, paused, e.Time, "paused", "paused")
		}
	}
	for _, id := range nodes {
		closeState(id, down, d.To, "down", "down")
		closeState(id, paused, d.To, "paused", "paused")
	}

	// Events on one node's line, and network-wide rules.
	for i := lo; i < hi; i++ {
		e := &trace[i]
		at := time.Duration(e.Time)
		onNode := e.Node >= 0 && int(e.Node) < len(nodes)
		m := mark{Class: e.Kind.String()}
		if onNode {
			m.X, m.Y = x(e.Node), y(e.Time)
		}
		switch e.Kind {
		case sim.KindCrash, sim.KindRestart, sim.KindPause, sim.KindResume:
			m.Label = e.Kind.String()
			m.Title = fmt.Sprintf("%s: %s %s", at, name(e.Node), e.Kind)
		case sim.KindStart:
			m.Title = fmt.Sprintf("%s: %s started", at, name(e.Node))
		case sim.KindTimer:
			m.Title = fmt.Sprintf("%s: timer %s of %s fired", at, sim.Describe(e.Msg), name(e.Node))
		case sim.KindClock:
			m.Label = "clock"
			m.Title = fmt.Sprintf("%s: %s clock set: %s", at, name(e.Node), e.Text)
		case sim.KindInvoke:
			m.Title = fmt.Sprintf("%s: %s invokes op %d: %s", at, name(e.Node), e.Op, sim.Describe(e.Msg))
		case sim.KindReturn:
			m.Title = fmt.Sprintf("%s: op %d of %s returns %s", at, e.Op, name(e.Node), sim.Describe(e.Msg))
		case sim.KindRecord:
			m.Title = fmt.Sprintf("%s: %s: %s", at, name(e.Node), e.Description())
		case sim.KindPartition, sim.KindCut, sim.KindHeal, sim.KindLink, sim.KindStop:
			r := rule{Y: y(e.Time), X1: diagLeft, X2: d.Width - diagRight + 10, Label: e.Kind.String()}
			r.Title = fmt.Sprintf("%s: %s", at, e.Kind)
			if e.Node != sim.None {
				r.Title += fmt.Sprintf(" %s -> %s", name(e.Node), name(e.Peer))
			}
			if e.Text != "" {
				r.Title += ": " + e.Text
			}
			d.Rules = append(d.Rules, r)
			continue
		default:
			continue // messages are drawn as arrows below
		}
		if onNode {
			d.Marks = append(d.Marks, m)
		}
	}

	// Messages.
	for _, f := range matchFlights(trace, lo, hi) {
		d.addFlight(trace, f, lo, hi, x, yRaw, name)
	}
	return d
}

// addFlight draws one message copy. y maps a time to its unclamped
// height; arrows with an end outside the window are clipped to its edges.
func (d *diagram) addFlight(trace []sim.Event, f flight, lo, hi int, x func(sim.NodeID) float64,
	y func(sim.Time) float64, name func(sim.NodeID) string) {
	in := func(i int) bool { return i >= lo && i < hi }
	var from, to sim.NodeID
	var msg any
	if f.send >= 0 {
		s := &trace[f.send]
		from, to, msg = s.Node, s.Peer, s.Msg
	} else {
		e := &trace[f.fate]
		msg = e.Msg
		if e.Kind == sim.KindDeliver {
			from, to = e.Peer, e.Node
		} else {
			from, to = e.Node, e.Peer
		}
	}
	if from < 0 || to < 0 || int(from) >= len(d.Lanes) || int(to) >= len(d.Lanes) {
		return
	}
	copyOf, class := "message", "msg"
	if f.dup {
		copyOf, class = "duplicate", "msg dup"
	}
	title := fmt.Sprintf("%s -> %s: %s %s", name(from), name(to), copyOf, sim.Describe(msg))
	a := arrow{X1: x(from), X2: x(to), Class: class}
	short := func() { a.X2 = a.X1 + math.Copysign(diagStub, a.X2-a.X1) } // a stub towards the receiver
	switch {
	case f.fate < 0:
		a.Y1 = y(trace[f.send].Time)
		a.Y2 = a.Y1
		short()
		a.Class += " pending"
		title += fmt.Sprintf(", sent %s, still in flight at the end of the trace", time.Duration(trace[f.send].Time))
	case f.send < 0:
		a.Y2 = y(trace[f.fate].Time)
		a.Y1 = a.Y2
		a.X1 = a.X2 - math.Copysign(diagStub, a.X2-a.X1)
		a.Class += " orphan"
		title += fmt.Sprintf(", %s %s (no matching send found)", trace[f.fate].Kind, time.Duration(trace[f.fate].Time))
	default:
		s, e := &trace[f.send], &trace[f.fate]
		a.Y1, a.Y2 = y(s.Time), y(e.Time)
		title += fmt.Sprintf(", sent %s", time.Duration(s.Time))
		if e.Kind == sim.KindDrop {
			title += fmt.Sprintf(", lost %s (%s)", time.Duration(e.Time), e.Reason)
			if e.Reason == sim.DropLoss || e.Reason == sim.DropPartition {
				short()
			}
			a.Class += " lost"
		} else {
			title += fmt.Sprintf(", delivered %s", time.Duration(e.Time))
		}
		if in(f.send) && in(f.fate) {
			if e.Kind == sim.KindDrop {
				d.Crosses = append(d.Crosses, cross{X: a.X2, Y: a.Y2, Path: crossPath(a.X2, a.Y2), Title: title})
			}
		} else {
			a.Class += " partial"
		}
	}
	a.X1, a.Y1, a.X2, a.Y2 = clip(a.X1, a.Y1, a.X2, a.Y2, d.PlotTop, d.PlotBottom)
	a.Title = title
	d.Arrows = append(d.Arrows, a)
}

// clip clips the segment (x1, y1)-(x2, y2), with y1 <= y2, to the band
// top <= y <= bottom.
func clip(x1, y1, x2, y2, top, bottom float64) (float64, float64, float64, float64) {
	at := func(yy float64) float64 { return x1 + (x2-x1)*(yy-y1)/(y2-y1) }
	nx1, ny1, nx2, ny2 := x1, y1, x2, y2
	if y2 > y1 {
		if y1 < top {
			nx1, ny1 = at(top), top
		}
		if y2 > bottom {
			nx2, ny2 = at(bottom), bottom
		}
		return nx1, ny1, nx2, ny2
	}
	ny1 = min(max(y1, top), bottom)
	ny2 = min(max(y2, top), bottom)
	return nx1, ny1, nx2, ny2
}

// crossPath is the SVG path of an x centred on (x, y).
func crossPath(x, y float64) string {
	const r = 4
	return fmt.Sprintf("M%s %sL%s %sM%s %sL%s %s", num(x-r), num(y-r), num(x+r), num(y+r),
		num(x-r), num(y+r), num(x+r), num(y-r))
}

// niceStep returns a step of 1, 2 or 5 times a power of ten nanoseconds
// that cuts span into at most about n parts.
func niceStep(span time.Duration, n int) time.Duration {
	if span <= 0 || n <= 0 {
		return 1
	}
	raw := span / time.Duration(n)
	step := time.Duration(1)
	for {
		for _, m := range []time.Duration{1, 2, 5} {
			if step*m >= raw {
				return step * m
			}
		}
		step *= 10
	}
}
