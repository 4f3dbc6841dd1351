package reports

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/dsimlab/dsim/sim"
)

// window returns the trace positions [lo, hi) the diagram draws, as the
// options choose (see HTMLOptions).
func (ho HTMLOptions) window(trace []sim.Event) (lo, hi int) {
	max := ho.MaxEvents
	if max <= 0 {
		max = DefaultMaxEvents
	}
	switch {
	case ho.LastRecord > 0:
		return recordWindow(trace, ho.FirstRecord, ho.LastRecord, max)
	case ho.From > 0 || ho.To > 0 || ho.Focus == nil:
		return selectWindow(trace, ho.From, ho.To, max)
	}
	first := ho.Focus.Record - min(ho.Focus.Record, uint64(max/2))
	return recordWindow(trace, first, first+uint64(max)-1, max)
}

// recordWindow returns the positions of the records numbered first to last,
// at most max of them.
func recordWindow(trace []sim.Event, first, last uint64, max int) (lo, hi int) {
	lo = sort.Search(len(trace), func(i int) bool { return trace[i].Seq >= first })
	hi = sort.Search(len(trace), func(i int) bool { return trace[i].Seq > last })
	return lo, min(hi, lo+max)
}

// emptyWindow says why the window chosen holds no event.
func (ho HTMLOptions) emptyWindow(trace []sim.Event) string {
	kept := fmt.Sprintf("the trace kept records 0 to %d", trace[len(trace)-1].Seq)
	switch {
	case ho.LastRecord > 0:
		return fmt.Sprintf("No trace record lies in the window %d to %d: %s.", ho.FirstRecord, ho.LastRecord, kept)
	case ho.From > 0 || ho.To > 0:
		return fmt.Sprintf("No event lies in the window %s to %s: %s.", time.Duration(ho.From), time.Duration(ho.To), kept)
	}
	return fmt.Sprintf("The %s (trace record %d) lies beyond the records kept: %s.", ho.Focus.Label, ho.Focus.Record, kept)
}

// note completes the diagram's caption facts: the run's whole count of
// trace records, and the focus if it lies in the window.
func (d *diagram) note(traced uint64, f *Focus) {
	d.Traced = traced
	if f == nil || f.Record < d.FirstSeq || f.Record > d.LastSeq {
		return
	}
	d.Focus = &rule{Y: d.y(f.Time), X1: diagLeft, X2: d.Width - diagRight + 10, Label: f.Label,
		Title: fmt.Sprintf("%s: %s (trace record %d)", time.Duration(f.Time), f.Label, f.Record)}
}

// mark draws the focus on the fault timeline.
func (t *timeline) mark(f *Focus) {
	x := t.PlotX
	if t.End > 0 {
		x += float64(min(time.Duration(f.Time), t.End)) / float64(t.End) * (t.PlotEnd - t.PlotX)
	}
	t.Focus = &line{X: x, Label: f.Label, Title: fmt.Sprintf("%s: %s", time.Duration(f.Time), f.Label)}
}

// PorcupineAtFirstError returns porcupine's visualization page made to
// open at its first error: once the page has drawn, it follows its own
// "jump to first error" link, which scrolls the first operation no order
// can place into view and selects its partial linearization. A page with
// no error is left as it opened.
func PorcupineAtFirstError(page string) string {
	const script = `<script>window.addEventListener("load", function () {
  var jump = document.querySelector("#jump-link");
  if (jump && !jump.classList.contains("inactive")) { jump.dispatchEvent(new MouseEvent("click")); }
});</script>`
	i := strings.LastIndex(page, "</body>")
	if i < 0 {
		return page + script
	}
	return page[:i] + script + page[i:]
}

// Recorded is what a message sequence diagram is drawn from: the trace
// records kept (Trace, in order), the nodes and their names, and how many
// records the run had in all (Traced). A *sim.World is one; so is a trace
// read back from its JSON Lines file (the web debugger's).
type Recorded interface {
	Trace() []sim.Event
	Nodes() []sim.NodeID
	Name(id sim.NodeID) string
	Traced() uint64
}

// WriteDiagram writes the message sequence diagram of world's recorded
// trace alone, as one <svg> element with the id "diagram", for pages of
// their own (the web debugger): the window as ho chooses, the focus
// marked, and now, if not nil, drawn as a blue line (the position a
// debugger stands at). It returns an error if the window holds no record.
func WriteDiagram(w io.Writer, world Recorded, ho HTMLOptions, now *Focus) error {
	trace := world.Trace()
	if len(trace) == 0 {
		return fmt.Errorf("reports: no trace was recorded")
	}
	lo, hi := ho.window(trace)
	if lo == hi {
		return fmt.Errorf("reports: %s", ho.emptyWindow(trace))
	}
	d := layoutDiagram(world, trace, lo, hi, ho.From, ho.To)
	d.note(world.Traced(), ho.Focus)
	if now != nil {
		d.Now = &rule{Y: d.y(now.Time), X1: diagLeft, X2: d.Width - diagRight + 10, Label: now.Label,
			Title: fmt.Sprintf("%s: %s", time.Duration(now.Time), now.Label)}
	}
	if err := page.ExecuteTemplate(w, "diagram", d); err != nil {
		return fmt.Errorf("reports: write diagram: %w", err)
	}
	return nil
}
