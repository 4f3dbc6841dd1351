package debugger

import (
	"fmt"
	"slices"
	"time"

	"github.com/dsimlab/dsim/reports"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// TraceInfo is what the page knows of a trace read from a file, in
// RunInfo.Trace.
type TraceInfo struct {
	File    string `json:"file"`
	Records int    `json:"records"` // records read
	Limit   int    `json:"limit"`   // the most records read
	More    bool   `json:"more"`    // the file holds more records than were read
}

// Name returns the name of node id.
func (t *Trace) Name(id sim.NodeID) string { return t.Names[id] }

// Info describes the whole trace as RunInfo describes a run: its length
// in records, its nodes, and its faults, each at the position just after
// its record.
func (t *Trace) Info() *RunInfo {
	last := &t.Events[len(t.Events)-1]
	info := &RunInfo{Total: uint64(len(t.Events)), EndTime: time.Duration(last.Time).String(), Nodes: slices.Clone(t.Names),
		Faults: []Marker{}, Steps: []scenarios.Step{}, Trace: &TraceInfo{File: t.File, Records: len(t.Events), Limit: t.Limit, More: t.More}}
	for i := range t.Events {
		if e := &t.Events[i]; e.Kind.IsFault() {
			info.Faults = append(info.Faults, Marker{Events: e.Seq + 1, Time: time.Duration(e.Time).String(), Text: describeRecord(t, e)})
		}
	}
	return info
}

// State describes the trace after its first k records (all of them if it
// has fewer), as Point.State describes a point of a run, but a step is a
// record rather than an event, and what a trace does not hold is left out:
// no node describes its state (each shows its last facts), no timer is
// known (Timers is nil), and no check is run (Checks is empty).
func (t *Trace) State(k uint64) (*State, error) {
	k = min(k, uint64(len(t.Events)))
	st := &State{Events: k, End: k == uint64(len(t.Events)) && !t.More, Current: []string{}, Checks: []CheckState{}}
	var now sim.Time
	if k > 0 {
		e := &t.Events[k-1]
		now = e.Time
		st.Current = append(st.Current, describeRecord(t, e))
	}
	st.Time = time.Duration(now).String()
	var err error
	if st.Diagram, err = diagramSVG(tracePrefix{t, k}, now, fmt.Sprintf("record %d", k)); err != nil {
		return nil, err
	}
	st.Nodes = t.nodes(t.Events[:k])
	return st, nil
}

// nodes describes every node after the records of trace: whether it is
// up, its last facts and other events, and the messages in flight to it.
func (t *Trace) nodes(trace []sim.Event) []NodeState {
	out := make([]NodeState, len(t.Names))
	for i, status := range statuses(trace, len(t.Names)) {
		id := sim.NodeID(i)
		out[i] = NodeState{Name: t.Names[i], Status: status, Facts: facts(trace, id), Recent: recent(t, trace, id),
			Inbound: []PendingView{}}
	}
	for _, i := range reports.InFlight(trace) {
		e := &trace[i]
		out[e.Peer].Inbound = append(out[e.Peer].Inbound, PendingView{ID: e.Seq, Sent: time.Duration(e.Time).String(),
			From: t.Names[e.Node], What: sim.Describe(e.Msg)})
	}
	return out
}

// statuses says of each of n nodes whether it is up, down or paused after
// the records of trace: down until it starts.
func statuses(trace []sim.Event, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "down"
	}
	for i := range trace {
		e := &trace[i]
		switch e.Kind {
		case sim.KindStart, sim.KindRestart, sim.KindResume:
			out[e.Node] = "up"
		case sim.KindCrash:
			out[e.Node] = "down"
		case sim.KindPause:
			out[e.Node] = "paused"
		}
	}
	return out
}

// tracePrefix is a trace's first k records, as reports draws them.
type tracePrefix struct {
	t *Trace
	k uint64
}

func (p tracePrefix) Trace() []sim.Event { return p.t.Events[:p.k] }

func (p tracePrefix) Nodes() []sim.NodeID {
	ids := make([]sim.NodeID, len(p.t.Names))
	for i := range ids {
		ids[i] = sim.NodeID(i)
	}
	return ids
}

func (p tracePrefix) Name(id sim.NodeID) string { return p.t.Names[id] }

func (p tracePrefix) Traced() uint64 { return p.k }
