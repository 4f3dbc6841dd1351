package debugger

import (
	"bytes"
	"fmt"
	"slices"
	"time"

	"github.com/dsimlab/dsim/reports"
	"github.com/dsimlab/dsim/sim"
)

// State is what the debugger's page shows of one point of a run, as JSON.
type State struct {
	// Events is the position: events processed.
	Events uint64 `json:"events"`
	// Time is the virtual time at the position.
	Time string `json:"time"`
	// End says the run has nothing left to do.
	End bool `json:"end"`
	// Current describes the trace records of the last event processed.
	Current []string `json:"current"`
	// Diagram is the message sequence diagram of the records up to the
	// position, as an SVG element.
	Diagram string `json:"diagram"`
	// Nodes are the nodes, in the order they were added.
	Nodes []NodeState `json:"nodes"`
	// Checks are the checks that can be judged at this point.
	Checks []CheckState `json:"checks"`
	// Porcupine says a linearizability visualization exists for the
	// history so far (a linearizability check fails there).
	Porcupine bool `json:"porcupine"`
}

// NodeState is one node at a point: whether it is up, what it says of its
// state (sim.Describer) or else the facts it recorded last, its last other
// events, its pending timers and the messages in flight to it.
type NodeState struct {
	Name    string        `json:"name"`
	Status  string        `json:"status"` // up, down or paused
	State   string        `json:"state,omitempty"`
	Facts   []string      `json:"facts,omitempty"`
	Recent  []string      `json:"recent,omitempty"` // its last events but facts, oldest first
	Timers  []PendingView `json:"timers"`           // null where unknown (a trace)
	Inbound []PendingView `json:"inbound"`
}

// PendingView is a pending event as the page shows it: when it is due
// (At), or, in a trace, which tells only that, when it was sent (Sent).
type PendingView struct {
	ID   uint64 `json:"id"`
	At   string `json:"at,omitempty"`
	Sent string `json:"sent,omitempty"`
	From string `json:"from,omitempty"`
	What string `json:"what"`
	Held bool   `json:"held,omitempty"`
}

// CheckState is one check's verdict at a point.
type CheckState struct {
	Name    string `json:"name"`
	Kind    string `json:"kind"`
	Verdict string `json:"verdict"`
	Detail  string `json:"detail"`
}

// diagramRecords is how many trace records the debugger's diagram shows,
// ending at the position.
const diagramRecords = 160

// factsShown is how many of its last facts a node without a Describer
// shows, and how many of its last other events every node shows.
const factsShown = 8

// State describes the point for the page.
func (p *Point) State() (*State, error) {
	w := p.World
	st := &State{Events: p.Events, Time: time.Duration(w.Now()).String(), End: p.End}
	st.Current = p.current()
	var err error
	if st.Diagram, err = diagramSVG(w, w.Now(), fmt.Sprintf("event %d", p.Events)); err != nil {
		return nil, err
	}
	st.Nodes = p.nodes()
	rep := p.Check()
	st.Checks = []CheckState{}
	for _, c := range rep.Checks {
		st.Checks = append(st.Checks, CheckState{Name: c.Check, Kind: c.Kind.String(), Verdict: c.Verdict.String(), Detail: c.Detail})
	}
	st.Porcupine = rep.Visualization != nil
	return st, nil
}

// diagramSVG draws the space-time diagram of the last records of rec, with
// the position, at time now, marked and labelled; "" if there is none.
func diagramSVG(rec reports.Recorded, now sim.Time, label string) (string, error) {
	traced := rec.Traced()
	if traced == 0 {
		return "", nil
	}
	var b bytes.Buffer
	ho := reports.HTMLOptions{FirstRecord: traced - min(traced, diagramRecords), LastRecord: traced - 1, MaxEvents: diagramRecords}
	position := &reports.Focus{Record: traced - 1, Time: now, Label: label}
	if err := reports.WriteDiagram(&b, rec, ho, position); err != nil {
		return "", err
	}
	return b.String(), nil
}

// current describes the trace records of the last event processed.
func (p *Point) current() []string {
	w := p.World
	trace := w.Trace()
	out := []string{}
	for i := len(trace) - 1; i >= 0 && p.EventOf[i] == p.Events && p.Events > 0; i-- {
		out = append(out, describeRecord(w, &trace[i]))
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// namer names nodes: a world does, and so does a trace read from a file.
type namer interface{ Name(id sim.NodeID) string }

// describeRecord formats a trace record on one line.
func describeRecord(w namer, e *sim.Event) string {
	name := func(id sim.NodeID) string {
		if id == sim.None {
			return ""
		}
		return w.Name(id)
	}
	s := fmt.Sprintf("#%d %s %s", e.Seq, time.Duration(e.Time), e.Kind)
	switch {
	case e.Kind == sim.KindDeliver:
		s += fmt.Sprintf(" %s <- %s: %s", name(e.Node), name(e.Peer), sim.Describe(e.Msg))
	case e.Peer != sim.None:
		s += fmt.Sprintf(" %s -> %s: %s", name(e.Node), name(e.Peer), sim.Describe(e.Msg))
	case e.Node != sim.None:
		s += " " + name(e.Node)
		if e.Msg != nil && e.Kind != sim.KindRecord {
			s += ": " + sim.Describe(e.Msg)
		}
	}
	if e.Description() != "" {
		s += ": " + e.Description()
	}
	if e.Reason != sim.DropNone {
		s += " (" + e.Reason.String() + ")"
	}
	return s
}

// nodes describes every node at the point.
func (p *Point) nodes() []NodeState {
	w := p.World
	out := make([]NodeState, len(w.Nodes()))
	for i, id := range w.Nodes() {
		n := &out[i]
		n.Name, n.Status = w.Name(id), "up"
		switch {
		case !w.Up(id):
			n.Status = "down"
		case w.Paused(id):
			n.Status = "paused"
		}
		if d, ok := w.Node(id).(sim.Describer); ok && w.Up(id) {
			n.State = d.DescribeState()
		} else {
			n.Facts = facts(w.Trace(), id)
		}
		n.Recent = recent(w, w.Trace(), id)
		n.Timers, n.Inbound = []PendingView{}, []PendingView{}
	}
	for _, pe := range w.Pending() {
		if pe.To == sim.None {
			continue
		}
		v := PendingView{ID: pe.ID, At: time.Duration(pe.At).String(), What: sim.Describe(pe.Msg), Held: pe.Held}
		n := &out[pe.To]
		switch pe.Kind {
		case sim.KindDeliver:
			v.From = w.Name(pe.From)
			n.Inbound = append(n.Inbound, v)
		case sim.KindTimer:
			n.Timers = append(n.Timers, v)
		case sim.KindStart:
			v.What = "start"
			n.Timers = append(n.Timers, v)
		}
	}
	return out
}

// facts returns the last facts node id recorded, oldest first.
func facts(trace []sim.Event, id sim.NodeID) []string {
	return lastAt(trace, id, func(e *sim.Event) (string, bool) {
		if e.Kind != sim.KindRecord {
			return "", false
		}
		return fmt.Sprintf("%s: %s", time.Duration(e.Time), e.Description()), true
	})
}

// recent describes the last events at node id other than its facts,
// oldest first.
func recent(w namer, trace []sim.Event, id sim.NodeID) []string {
	return lastAt(trace, id, func(e *sim.Event) (string, bool) {
		if e.Kind == sim.KindRecord {
			return "", false
		}
		return describeRecord(w, e), true
	})
}

// lastAt returns what say says of the last factsShown records of trace at
// node id that it keeps, oldest first.
func lastAt(trace []sim.Event, id sim.NodeID, say func(*sim.Event) (string, bool)) []string {
	var out []string
	for i := len(trace) - 1; i >= 0 && len(out) < factsShown; i-- {
		if e := &trace[i]; e.Node == id {
			if s, keep := say(e); keep {
				out = append(out, s)
			}
		}
	}
	slices.Reverse(out)
	return out
}
