package reports

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/scenarios/library"
	"github.com/dsimlab/dsim/sim"
)

// chromeRun runs a scenario with a Chrome trace and returns the file and
// the outcome (with its whole trace recorded, to compare).
func chromeRun(t *testing.T, name string, seed uint64) ([]byte, *scenarios.Outcome) {
	t.Helper()
	s, err := library.Load(name)
	require.NoError(t, err)
	var out bytes.Buffer
	var c *ChromeTrace
	o, err := scenarios.Run(s, seed, scenarios.RunOptions{Trace: true,
		Watch: func(w *sim.World) { c = NewChromeTrace(&out, w, name) }})
	require.NoError(t, err)
	require.NoError(t, c.Close([]ChromeMark{{Time: sim.Time(o.SimTime), Name: "echo: holds", Detail: "d"}}))
	return out.Bytes(), o
}

// traceEvent is an event of the format as the format documents it (the
// Trace Event Format document): the fields every event has, and those of
// its phase.
type traceEvent struct {
	Name *string        `json:"name"`
	Cat  string         `json:"cat"`
	Ph   string         `json:"ph"`
	Ts   *float64       `json:"ts"`
	Dur  *float64       `json:"dur"`
	Pid  *int           `json:"pid"`
	Tid  *int           `json:"tid"`
	ID   string         `json:"id"`
	S    string         `json:"s"`
	BP   string         `json:"bp"`
	Args map[string]any `json:"args"`
}

// TestChromeTraceFormat checks an exported run against the format's
// documented fields: the JSON object form with traceEvents; every event
// with name, ph, ts (µs), pid and tid; complete events with dur; instant
// events with a scope; flows that start and finish once each, inside a
// slice of their track; async operations that begin and end; metadata
// naming the process and every node's track. It also checks the counts
// against the run's trace, and that the export is deterministic.
func TestChromeTraceFormat(t *testing.T) {
	data, o := chromeRun(t, "echo-faults", 1)
	var file struct {
		TraceEvents     []traceEvent `json:"traceEvents"`
		DisplayTimeUnit string       `json:"displayTimeUnit"`
	}
	require.NoError(t, json.Unmarshal(data, &file))
	assert.Equal(t, "ms", file.DisplayTimeUnit)
	evs := file.TraceEvents
	require.NotEmpty(t, evs)

	slices := map[int][]traceEvent{} // X events by track
	starts, finishes := map[string]traceEvent{}, map[string]traceEvent{}
	begins, ends := map[string]int{}, map[string]int{}
	threads := map[int]string{}
	count := map[string]int{}
	for i, e := range evs {
		require.NotNil(t, e.Name, "event %d has a name", i)
		require.NotNil(t, e.Ts, "event %d has ts", i)
		require.NotNil(t, e.Pid, "event %d has pid", i)
		require.NotNil(t, e.Tid, "event %d has tid", i)
		assert.GreaterOrEqual(t, *e.Ts, 0.0)
		count[e.Ph]++
		switch e.Ph {
		case "X":
			require.NotNil(t, e.Dur, "a complete event has dur")
			assert.Positive(t, *e.Dur)
			slices[*e.Tid] = append(slices[*e.Tid], e)
		case "i":
			assert.Contains(t, []string{"g", "p", "t"}, e.S, "an instant event's scope")
		case "s":
			assert.NotContains(t, starts, e.ID, "a flow starts once")
			starts[e.ID] = e
		case "f":
			assert.Equal(t, "e", e.BP, "a flow ends in its enclosing slice")
			assert.Contains(t, starts, e.ID, "a flow finishes after it starts")
			assert.NotContains(t, finishes, e.ID, "a flow finishes once")
			finishes[e.ID] = e
		case "b", "e":
			assert.NotEmpty(t, e.ID)
			assert.Equal(t, "op", e.Cat)
			if e.Ph == "b" {
				begins[e.ID]++
			} else {
				ends[e.ID]++
			}
		case "M":
			if *e.Name == "thread_name" {
				threads[*e.Tid] = e.Args["name"].(string)
			}
		default:
			t.Fatalf("event %d has phase %q", i, e.Ph)
		}
	}
	for _, id := range o.World.Nodes() {
		assert.Equal(t, o.World.Name(id), threads[int(id)+1], "a track per node")
	}
	for id, f := range finishes {
		assert.True(t, inSlice(slices[*f.Tid], *f.Ts), "flow %s ends inside a slice of its track", id)
		assert.True(t, inSlice(slices[*starts[id].Tid], *starts[id].Ts), "flow %s starts inside a slice of its track", id)
	}
	for id, n := range ends {
		assert.Equal(t, 1, begins[id], "operation %s begins once", id)
		assert.Equal(t, 1, n)
	}

	kinds := map[sim.Kind]int{}
	for _, e := range o.World.Trace() {
		kinds[e.Kind]++
	}
	assert.Equal(t, kinds[sim.KindSend]+kinds[sim.KindDuplicate], count["s"], "a flow per message copy")
	assert.Equal(t, kinds[sim.KindDeliver], count["f"], "every delivery ends its flow")
	assert.Equal(t, kinds[sim.KindDeliver]+kinds[sim.KindTimer]+kinds[sim.KindStart]+kinds[sim.KindRestart], count["X"])
	assert.Equal(t, kinds[sim.KindInvoke], count["b"])
	faults := 0
	for _, e := range evs {
		if e.Cat == "fault" {
			faults++
		}
	}
	assert.Equal(t, kinds[sim.KindCrash]+kinds[sim.KindRestart]+kinds[sim.KindPartition]+kinds[sim.KindHeal]+
		kinds[sim.KindClock]+kinds[sim.KindPause]+kinds[sim.KindResume], faults, "every fault is an instant event")
	assert.Contains(t, string(data), `"name":"echo: holds","cat":"check","ph":"i"`, "checks are markers")

	again, _ := chromeRun(t, "echo-faults", 1)
	assert.Equal(t, data, again, "the same run gives the same file")
}

// inSlice reports whether ts lies inside one of the complete events.
func inSlice(slices []traceEvent, ts float64) bool {
	for _, s := range slices {
		if *s.Ts <= ts && ts <= *s.Ts+*s.Dur {
			return true
		}
	}
	return false
}
