package reports

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"reflect"

	"github.com/dsimlab/dsim/sim"
)

// ChromeTrace writes a run's trace as it goes in the Chrome trace-event
// format (the JSON object form: {"traceEvents": [...]}), which Perfetto
// (ui.perfetto.dev: "Open trace file") and chrome://tracing ("Load") open.
// Virtual time becomes the trace's time, in microseconds.
//
//   - One process, the run, named after the scenario and seed; one thread
//     (track) per node, named after it, in the order the nodes were added.
//   - Each event a node handles (a delivery, a timer, its start or
//     restart) is a complete event ("X") on its track, named after the
//     message's or tag's type, with the details in args.
//   - Each message is a flow ("s" at the handler that sent it, "f" at the
//     handler that received it), drawn as an arrow; a copy the network
//     duplicated is a flow of its own. Lost messages end in an instant
//     event "drop" on the receiver's track instead.
//   - Client operations are async spans ("b" to "e", category "op") from
//     invocation to return on the client's track.
//   - Faults are instant events (category "fault"): on the node's track for
//     a crash, restart, pause, resume or clock change, across the whole
//     trace (scope "g") for partitions, cuts, heals and link changes.
//   - Facts nodes record are instant events on their track (category
//     "fact"); checks are global instant markers (category "check") that
//     Close adds.
//
// Messages and their deliveries are paired as the HTML diagram pairs them
// (see the package documentation), in memory that grows with the messages
// in flight only.
type ChromeTrace struct {
	w       *sim.World
	bw      *bufio.Writer
	err     error
	n       int                       // events written
	flows   map[flightKey][]uint64    // flow ids of copies in flight, oldest first
	nextID  uint64                    // the last flow id given
	lastOut map[sim.NodeID]chromeSpan // the handler slice a send binds to
}

// chromeSpan is a handler's slice: when it started.
type chromeSpan struct{ ts float64 }

// ChromeMark is a marker Close adds: a check's verdict, at a time.
type ChromeMark struct {
	Time   sim.Time
	Name   string
	Detail string
}

// chromeEvent is one trace event; the field names are the format's.
type chromeEvent struct {
	Name  string         `json:"name"`
	Cat   string         `json:"cat,omitempty"`
	Ph    string         `json:"ph"`
	Ts    float64        `json:"ts"`
	Dur   *float64       `json:"dur,omitempty"`
	Pid   int            `json:"pid"`
	Tid   int            `json:"tid"`
	ID    string         `json:"id,omitempty"`
	Scope string         `json:"s,omitempty"`
	BP    string         `json:"bp,omitempty"`
	Args  map[string]any `json:"args,omitempty"`
}

// handlerDur is the length given to a handler's slice, in microseconds: a
// handler takes no virtual time, but a flow must bind to a slice that
// encloses it.
const handlerDur = 0.001

// NewChromeTrace starts a Chrome trace of world w, titled title, on out,
// and watches w from now on: call it before the world runs (through
// scenarios.RunOptions.Watch), and Close after.
func NewChromeTrace(out io.Writer, w *sim.World, title string) *ChromeTrace {
	c := &ChromeTrace{w: w, bw: bufio.NewWriterSize(out, 64<<10), flows: map[flightKey][]uint64{},
		lastOut: map[sim.NodeID]chromeSpan{}}
	c.writeString(`{"displayTimeUnit":"ms","otherData":{"generator":"dsim"},"traceEvents":[` + "\n")
	c.emit(chromeEvent{Name: "process_name", Ph: "M", Pid: 1, Args: map[string]any{"name": title}})
	for _, id := range w.Nodes() {
		c.emit(chromeEvent{Name: "thread_name", Ph: "M", Pid: 1, Tid: tid(id), Args: map[string]any{"name": w.Name(id)}})
		c.emit(chromeEvent{Name: "thread_sort_index", Ph: "M", Pid: 1, Tid: tid(id), Args: map[string]any{"sort_index": int(id)}})
	}
	w.Observe(c.event)
	return c
}

// tid is a node's track: thread ids start at 1.
func tid(id sim.NodeID) int { return int(id) + 1 }

// micros converts virtual time to the format's microseconds.
func micros(t sim.Time) float64 { return float64(t) / 1e3 }

// Close adds the markers, ends the JSON and flushes it, returning the
// first write error.
func (c *ChromeTrace) Close(marks []ChromeMark) error {
	for _, m := range marks {
		c.emit(chromeEvent{Name: m.Name, Cat: "check", Ph: "i", Scope: "g", Ts: micros(m.Time), Pid: 1,
			Args: map[string]any{"detail": m.Detail}})
	}
	c.writeString("\n]}\n")
	if c.err == nil {
		c.err = c.bw.Flush()
	}
	if c.err != nil {
		return fmt.Errorf("reports: chrome trace: %w", c.err)
	}
	return nil
}

// event turns one trace event into trace-format events.
func (c *ChromeTrace) event(e *sim.Event) {
	ts := micros(e.Time)
	switch e.Kind {
	case sim.KindDeliver:
		c.handler(e, "recv "+typeName(e.Msg), map[string]any{"from": c.name(e.Peer), "msg": sim.Describe(e.Msg)})
		if id, ok := c.take(flightKey{e.Peer, e.Node, msgIdentity(e.Msg)}, false); ok {
			c.emit(chromeEvent{Name: "message", Cat: "message", Ph: "f", BP: "e", Ts: ts, Pid: 1, Tid: tid(e.Node), ID: flowID(id)})
		}
	case sim.KindTimer:
		c.handler(e, "timer "+typeName(e.Msg), map[string]any{"tag": sim.Describe(e.Msg)})
	case sim.KindStart, sim.KindRestart:
		c.handler(e, e.Kind.String(), nil)
		if e.Kind == sim.KindRestart {
			c.instant(e, "restart", "fault", "t", nil)
		}
	case sim.KindSend, sim.KindDuplicate:
		c.send(e)
	case sim.KindDrop:
		atSend := e.Reason == sim.DropLoss || e.Reason == sim.DropPartition
		c.take(flightKey{e.Node, e.Peer, msgIdentity(e.Msg)}, atSend)
		at := e.Peer
		if atSend {
			at = e.Node
		}
		c.emit(chromeEvent{Name: "drop " + typeName(e.Msg), Cat: "drop", Ph: "i", Scope: "t", Ts: ts, Pid: 1, Tid: tid(at),
			Args: map[string]any{"from": c.name(e.Node), "to": c.name(e.Peer), "msg": sim.Describe(e.Msg), "reason": e.Reason.String()}})
	case sim.KindInvoke, sim.KindReturn:
		ph := map[sim.Kind]string{sim.KindInvoke: "b", sim.KindReturn: "e"}[e.Kind]
		c.emit(chromeEvent{Name: "op", Cat: "op", Ph: ph, Ts: ts, Pid: 1, Tid: tid(e.Node), ID: fmt.Sprintf("op%d", e.Op),
			Args: map[string]any{e.Kind.String(): sim.Describe(e.Msg)}})
	case sim.KindRecord:
		c.instant(e, e.Description(), "fact", "t", nil)
	default:
		c.other(e)
	}
}

// other writes faults and the stop as instant events.
func (c *ChromeTrace) other(e *sim.Event) {
	args := map[string]any{}
	if e.Text != "" {
		args["detail"] = e.Text
	}
	switch {
	case e.Kind == sim.KindStop:
		c.instant(e, "stop", "run", "g", args)
	case e.Node == sim.None || e.Peer != sim.None || e.Kind == sim.KindPartition || e.Kind == sim.KindHeal:
		if e.Node != sim.None {
			args["from"], args["to"] = c.name(e.Node), c.name(e.Peer)
		}
		c.instant(e, e.Kind.String(), "fault", "g", args)
	default:
		c.instant(e, e.Kind.String(), "fault", "t", args)
	}
}

// handler writes the slice of a node handling an event.
func (c *ChromeTrace) handler(e *sim.Event, name string, args map[string]any) {
	dur := handlerDur
	ts := micros(e.Time)
	c.lastOut[e.Node] = chromeSpan{ts: ts}
	c.emit(chromeEvent{Name: name, Cat: e.Kind.String(), Ph: "X", Ts: ts, Dur: &dur, Pid: 1, Tid: tid(e.Node), Args: args})
}

// send starts a flow for a message copy put on its link.
func (c *ChromeTrace) send(e *sim.Event) {
	c.nextID++
	k := flightKey{e.Node, e.Peer, msgIdentity(e.Msg)}
	c.flows[k] = append(c.flows[k], c.nextID)
	ts := micros(e.Time)
	if span, ok := c.lastOut[e.Node]; ok && span.ts == ts {
		ts += handlerDur / 2 // inside the handler's slice, which the flow binds to
	}
	c.emit(chromeEvent{Name: "message", Cat: "message", Ph: "s", Ts: ts, Pid: 1, Tid: tid(e.Node), ID: flowID(c.nextID),
		Args: map[string]any{"to": c.name(e.Peer), "msg": sim.Describe(e.Msg)}})
}

// take removes the flow of a copy from its link: the oldest, or the newest
// for a loss at send time.
func (c *ChromeTrace) take(k flightKey, newest bool) (uint64, bool) {
	q := c.flows[k]
	if len(q) == 0 {
		return 0, false
	}
	var id uint64
	if newest {
		id, q = q[len(q)-1], q[:len(q)-1]
	} else {
		id, q = q[0], q[1:]
	}
	if len(q) == 0 {
		delete(c.flows, k)
	} else {
		c.flows[k] = q
	}
	return id, true
}

// instant writes an instant event about e.
func (c *ChromeTrace) instant(e *sim.Event, name, cat, scope string, args map[string]any) {
	ev := chromeEvent{Name: name, Cat: cat, Ph: "i", Scope: scope, Ts: micros(e.Time), Pid: 1, Args: args}
	if scope == "t" && e.Node != sim.None {
		ev.Tid = tid(e.Node)
	}
	c.emit(ev)
}

// flowID is the id of flow n.
func flowID(n uint64) string { return fmt.Sprintf("m%d", n) }

// name is a node's name, or "" for none.
func (c *ChromeTrace) name(id sim.NodeID) string {
	if id == sim.None {
		return ""
	}
	return c.w.Name(id)
}

// typeName is the short name of a message's type: "Prepare" for
// *twopc.Prepare.
func typeName(v any) string {
	if v == nil {
		return "nil"
	}
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Name() == "" {
		return t.String()
	}
	return t.Name()
}

// emit writes one event.
func (c *ChromeTrace) emit(ev chromeEvent) {
	b, err := json.Marshal(ev)
	if err != nil && c.err == nil {
		c.err = err
	}
	if c.n > 0 {
		c.writeString(",\n")
	}
	c.n++
	c.write(b)
}

func (c *ChromeTrace) writeString(s string) { c.write([]byte(s)) }

func (c *ChromeTrace) write(b []byte) {
	if c.err == nil {
		_, c.err = c.bw.Write(b)
	}
}
