package reports

import (
	"bytes"
	"errors"
	"fmt"
	"html"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

func writeHTML(t testing.TB, o *scenarios.Outcome, ho HTMLOptions) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, WriteHTML(&b, o, ho, OmitWall()))
	return b.String()
}

// assertSelfContained checks that a page loads nothing from anywhere and
// runs no script of its own, and that its main elements are balanced.
func assertSelfContained(t *testing.T, page string) {
	t.Helper()
	require.True(t, strings.HasPrefix(page, "<!DOCTYPE html>\n"))
	require.True(t, strings.HasSuffix(page, "</html>\n"))
	// The SVG namespace name (in porcupine's script) is an identifier, not
	// an address anything is fetched from.
	rest := strings.ReplaceAll(page, "http://www.w3.org/2000/svg", "")
	for _, bad := range []string{"<script", "<link", "@import", "http://", "https://", "url(http", "url(//"} {
		assert.False(t, strings.Contains(rest, bad), "the page contains %q", bad)
	}
	assert.False(t, regexp.MustCompile(`\s(src|href)=`).MatchString(page), "the page loads something")
	for _, tag := range []string{"html", "head", "body", "section", "table", "tr", "svg", "g", "div", "style", "iframe"} {
		open := len(regexp.MustCompile(`<`+tag+`[\s>]`).FindAllString(page, -1))
		closed := strings.Count(page, "</"+tag+">")
		assert.Equal(t, open, closed, "<%s> opened %d times, closed %d times", tag, open, closed)
	}
}

// TestHTMLStructure checks the report of a real run: it is self-contained,
// both SVGs are well-formed XML, the diagram has one line per node and one
// tick per timer fired in its window, and the timeline one bar per fault.
func TestHTMLStructure(t *testing.T) {
	o := runScenario(t, "echo-faults", 1)
	page := writeHTML(t, o, HTMLOptions{})
	assertSelfContained(t, page)
	trace := o.World.Trace()
	require.Greater(t, len(trace), DefaultMaxEvents)
	assert.Contains(t, page, fmt.Sprintf("(%d shown of the run's %d)", DefaultMaxEvents, len(trace)))
	assert.Contains(t, page, `<span class="badge pass">PASS</span>`)

	diagram := parseSVG(t, svgFragment(page, "diagram"))
	lanes := withClass(diagram, "line", "lane")
	require.Len(t, lanes, len(o.World.Nodes()), "one line per node")
	for i, id := range o.World.Nodes() {
		assert.Equal(t, o.World.Name(id), lanes[i].Attrs["data-node"])
	}

	var timers, drops, sends int
	for _, e := range trace[:DefaultMaxEvents] {
		switch e.Kind {
		case sim.KindTimer:
			timers++
		case sim.KindDrop:
			drops++
		case sim.KindSend, sim.KindDuplicate:
			sends++
		}
	}
	assert.Len(t, withClass(diagram, "g", "mark", "timer"), timers)
	crosses := withClass(diagram, "path", "loss")
	assert.NotEmpty(t, crosses, "losses are marked")
	assert.LessOrEqual(t, len(crosses), drops)
	arrows := withClass(diagram, "line", "msg")
	assert.GreaterOrEqual(t, len(arrows), sends, "every copy sent in the window is drawn")
	assert.NotEmpty(t, withClass(diagram, "line", "msg", "dup"), "duplicates are drawn")
	assert.NotEmpty(t, withClass(diagram, "line", "msg", "lost"), "lost messages are drawn")

	timeline := parseSVG(t, svgFragment(page, "timeline"))
	// echo-faults: clock skew (never reset), partition+heal, crash+restart,
	// pause+resume, and the nemesis's crash+restart.
	bars := withClass(timeline, "rect", "fault")
	require.Len(t, bars, 5)
	assert.Len(t, withClass(timeline, "rect", "fault", "nemesis"), 1)
	assert.Len(t, withClass(timeline, "rect", "fault", "open"), 1)
	assert.Len(t, withClass(timeline, "rect", "window"), 1, "the diagram's window is shaded")
}

// TestHTMLWindow chooses windows around the scenario's faults and finds
// them drawn on the node lines and across the diagram.
func TestHTMLWindow(t *testing.T) {
	o := runScenario(t, "echo-faults", 1)
	ms := func(n int) sim.Time { return sim.Time(time.Duration(n) * time.Millisecond) }
	for _, tc := range []struct {
		name     string
		opts     HTMLOptions
		elements [][]string // element name, classes
	}{
		{"crash and restart", HTMLOptions{From: ms(95), To: ms(125), MaxEvents: 10000},
			[][]string{{"g", "mark", "crash"}, {"g", "mark", "restart"}, {"line", "state", "down"}}},
		{"pause and resume", HTMLOptions{From: ms(125), To: ms(155), MaxEvents: 10000},
			[][]string{{"g", "mark", "pause"}, {"g", "mark", "resume"}, {"line", "state", "paused"}}},
		{"partition and heal", HTMLOptions{From: ms(45), To: ms(85), MaxEvents: 10000},
			[][]string{{"g", "rule"}, {"line", "msg", "lost"}}},
		{"clock", HTMLOptions{From: ms(9), To: ms(11)},
			[][]string{{"g", "mark", "clock"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page := writeHTML(t, o, tc.opts)
			els := parseSVG(t, svgFragment(page, "diagram"))
			require.Len(t, withClass(els, "line", "lane"), 4)
			for _, want := range tc.elements {
				assert.NotEmpty(t, withClass(els, want[0], want[1:]...), "%v", want)
			}
			lo, hi := selectWindow(o.World.Trace(), tc.opts.From, tc.opts.To, tc.opts.MaxEvents)
			require.Greater(t, hi, lo)
			for _, e := range o.World.Trace()[lo:hi] {
				require.True(t, e.Time >= tc.opts.From && e.Time <= tc.opts.To, "event at %v outside the window", e.Time)
			}
			assert.Contains(t, page, fmt.Sprintf("(%d shown of the run's %d)", hi-lo, len(o.World.Trace())))
		})
	}
	t.Run("max events", func(t *testing.T) {
		page := writeHTML(t, o, HTMLOptions{MaxEvents: 50})
		assert.Contains(t, page, fmt.Sprintf("(50 shown of the run's %d)", len(o.World.Trace())))
		assert.Contains(t, page, "cut short by the limit")
		page = writeHTML(t, o, HTMLOptions{From: ms(5), To: ms(6)})
		assert.NotContains(t, page, "cut short by the limit")
		assert.Contains(t, page, "simulated time 5ms to 6ms", "the axis covers the window asked for")
	})
	t.Run("empty window", func(t *testing.T) {
		page := writeHTML(t, o, HTMLOptions{From: ms(5000), To: ms(6000)})
		assert.Empty(t, svgFragment(page, "diagram"))
		assert.Contains(t, page, "No event lies in the window 5s to 6s: the trace kept records 0 to")
	})
}

// TestHTMLFailing renders a hand-made failing outcome: FAIL, the violation
// and its detail, the inconclusive check with its budget, and porcupine's
// own page embedded verbatim (escaped) in a sandboxed iframe.
func TestHTMLFailing(t *testing.T) {
	o := failingOutcome(t)
	page := writeHTML(t, o, HTMLOptions{})
	assertSelfContained(t, page)
	assert.Contains(t, page, `<span class="badge fail">FAIL</span>`)
	assert.Contains(t, page, `<td class="violated">VIOLATED</td><td>`+html.EscapeString(o.Checks[2].Detail)+`</td>`)
	assert.Contains(t, page, `<td class="inconclusive">INCONCLUSIVE</td><td>could not decide within the budget</td><td class="mono"></td><td class="mono">2s, timed out</td>`)
	assert.Less(t, strings.Index(page, "<h3>Safety</h3>"), strings.Index(page, "linearizability"))
	assert.Greater(t, strings.Index(page, "progress"), strings.Index(page, "<h3>Liveness</h3>"))
	assert.Contains(t, page, "This outcome carries no simulation")
	assert.Empty(t, svgFragment(page, "diagram"))
	assert.NotEmpty(t, svgFragment(page, "timeline"))

	m := regexp.MustCompile(`<iframe class="porcupine" title="porcupine visualization" sandbox="allow-scripts" srcdoc="([^"]*)"></iframe>`).FindStringSubmatch(page)
	require.Len(t, m, 2, "porcupine's page is embedded in a sandboxed iframe")
	var want bytes.Buffer
	require.NoError(t, o.Visualization(&want))
	require.Contains(t, want.String(), "<script>", "porcupine's page has its own script")
	assert.Equal(t, PorcupineAtFirstError(want.String()), html.UnescapeString(m[1]), "the srcdoc holds porcupine's page, made to open at its first error")

	o.Visualization = func(io.Writer) error { return errors.New("no data") }
	page = writeHTML(t, o, HTMLOptions{})
	assert.NotContains(t, page, "<iframe")
	assert.Contains(t, page, "could not be written: no data")
}

// TestHTMLEscapes feeds markup through every kind of field.
func TestHTMLEscapes(t *testing.T) {
	evil := `<script>alert("x")</script>`
	o := &scenarios.Outcome{
		Scenario: evil, File: evil, Protocol: evil, Fingerprint: evil,
		Checks: []checker.Result{{Check: evil, Verdict: checker.Violated, Detail: evil, Offending: []string{evil}}},
		Stats:  []protocols.Stat{{Name: evil, Value: 1, Unit: evil}},
		Faults: []scenarios.Fault{{At: time.Millisecond, Kind: scenarios.FaultCrash, Node: evil}},
		Visualization: func(w io.Writer) error {
			_, err := io.WriteString(w, `<html>"</iframe><script>alert(1)</script></html>`)
			return err
		},
	}
	page := writeHTML(t, o, HTMLOptions{})
	assertSelfContained(t, page)
	assert.NotContains(t, page, "<script>alert")
	assert.Contains(t, page, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;")
	parseSVG(t, svgFragment(page, "timeline"))
}
