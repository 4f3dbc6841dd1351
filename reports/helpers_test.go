package reports

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/scenarios/library"
)

// runScenario runs a library scenario with tracing on.
func runScenario(t testing.TB, name string, seed uint64) *scenarios.Outcome {
	t.Helper()
	s, err := library.Load(name)
	require.NoError(t, err)
	o, err := scenarios.Run(s, seed, scenarios.RunOptions{Trace: true})
	require.NoError(t, err)
	return o
}

// staleRead is a register history that is not linearizable: a read returns
// the old value after a write of "2" completed.
func staleRead() []checker.Operation {
	w := func(client int, call, ret int64, v string) checker.Operation {
		return checker.Operation{Client: client, Call: call, Return: ret,
			Input: checker.RegisterInput{Op: checker.RegisterWrite, Value: v}}
	}
	r := func(client int, call, ret int64, v string) checker.Operation {
		return checker.Operation{Client: client, Call: call, Return: ret,
			Input: checker.RegisterInput{Op: checker.RegisterRead}, Output: checker.RegisterOutput{Value: v}}
	}
	return []checker.Operation{w(0, 0, 10, "1"), w(0, 20, 30, "2"), r(1, 40, 50, "1")}
}

// failingOutcome builds by hand the outcome of a run that failed: a real
// porcupine linearizability violation (with its visualization), a safety
// check that held and a liveness check that ran out of its budget. It has
// no World, so no message diagram.
func failingOutcome(t testing.TB) *scenarios.Outcome {
	t.Helper()
	lin, err := checker.CheckLinearizable(checker.RegisterModel(), staleRead(), 10*time.Second)
	require.NoError(t, err)
	require.Equal(t, checker.Violated, lin.Verdict, "the hand-made history must not be linearizable")
	return &scenarios.Outcome{
		Scenario: "register-stale", File: "testdata/register stale.yaml", Protocol: "register", Seed: 42,
		Fingerprint: "00000000deadbeef", Events: 1234, SimTime: 3 * time.Second,
		Wall: 5 * time.Millisecond, CheckWall: time.Millisecond,
		Checks: []checker.Result{
			{Check: "no-lost-ack", Kind: checker.Safety, Verdict: checker.Holds, Detail: "every acknowledged write is stored"},
			{Check: "progress", Kind: checker.Liveness, Verdict: checker.Inconclusive,
				Detail: "could not decide within the budget", Budget: 2 * time.Second, TimedOut: true},
			lin.Result,
		},
		Stats: []protocols.Stat{{Name: "ops", Value: 3}, {Name: "latency p99", Value: 1.2345678, Unit: "ms"}},
		Faults: []scenarios.Fault{
			{At: time.Second, Kind: scenarios.FaultCrash, Node: "n1"},
			{At: 2 * time.Second, Kind: scenarios.FaultRestart, Node: "n1"},
		},
		Visualization: lin.WriteVisualization,
	}
}

// svgFragment returns the <svg id="id"> element of an HTML page, or "".
func svgFragment(page, id string) string {
	i := strings.Index(page, `<svg id="`+id+`"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(page[i:], "</svg>")
	if j < 0 {
		return ""
	}
	return page[i : i+j+len("</svg>")]
}

// svgElement is one element of a parsed SVG fragment.
type svgElement struct {
	Name  string
	Attrs map[string]string
}

// parseSVG parses an SVG fragment as XML, failing the test if it is not
// well formed, and returns its elements in document order.
func parseSVG(t testing.TB, fragment string) []svgElement {
	t.Helper()
	require.NotEmpty(t, fragment, "SVG fragment missing")
	dec := xml.NewDecoder(strings.NewReader(fragment))
	dec.Strict = true
	var out []svgElement
	depth := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err, "SVG is not well-formed XML")
		switch e := tok.(type) {
		case xml.StartElement:
			depth++
			el := svgElement{Name: e.Name.Local, Attrs: map[string]string{}}
			for _, a := range e.Attr {
				el.Attrs[a.Name.Local] = a.Value
			}
			out = append(out, el)
		case xml.EndElement:
			depth--
		}
	}
	require.Zero(t, depth, "unbalanced SVG")
	return out
}

// withClass returns the elements named name whose class list contains
// every one of classes.
func withClass(els []svgElement, name string, classes ...string) []svgElement {
	var out []svgElement
	for _, e := range els {
		if e.Name != name {
			continue
		}
		have := strings.Fields(e.Attrs["class"])
		ok := true
		for _, c := range classes {
			if !contains(have, c) {
				ok = false
			}
		}
		if ok {
			out = append(out, e)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// render renders o in all three formats with wall times omitted.
func render(t testing.TB, o *scenarios.Outcome) (text, js, page []byte) {
	t.Helper()
	var a, b, c bytes.Buffer
	require.NoError(t, WriteText(&a, o, OmitWall()))
	require.NoError(t, WriteJSON(&b, o, OmitWall()))
	require.NoError(t, WriteHTML(&c, o, HTMLOptions{}, OmitWall()))
	return a.Bytes(), b.Bytes(), c.Bytes()
}
