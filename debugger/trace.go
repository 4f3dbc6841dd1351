package debugger

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/dsimlab/dsim/sim"
	"github.com/dsimlab/dsim/tracediff"
)

// Trace is a run's trace read back from its JSON Lines file (what `dsim run
// --trace` and sim.World.StreamTraceJSONL write): the record of a run whose
// scenario and code the debugger does not have. It can be stepped through
// and drawn, but not re-run, branched or checked.
type Trace struct {
	// File names the trace in messages and on the page.
	File string
	// Events are the records read, in order: Seq counts them from 0, Msg
	// is the text the file gives (a fmt.Stringer, one value per text, or
	// nil), Node and Peer index Names.
	Events []sim.Event
	// Names are the nodes' names: those that start in the trace in the
	// order they start (the order the run added them), then any other in
	// the order it first appears.
	Names []string
	// Limit is the most records read; More says the file holds more,
	// which were not read.
	Limit int
	More  bool
}

// DefaultTraceLimit is how many records ReadTrace keeps when given no
// limit. In memory, a record takes about 120 bytes with its share of the
// texts: a million take about 120 MB.
const DefaultTraceLimit = 1_000_000

// ErrBadTrace is wrapped by errors about a file that is not a trace dsim
// wrote.
var ErrBadTrace = errors.New("not a dsim trace")

// ReadTrace reads the trace in r, named file in errors, keeping its first
// limit records (DefaultTraceLimit if limit is not positive); it reads no
// further than the line after them. A line that is not a record (not JSON,
// an unknown kind or drop reason, a seq out of order, a time before the
// last one) is an error naming the file and the line, as is a file with
// no record.
func ReadTrace(r io.Reader, file string, limit int) (*Trace, error) {
	if limit <= 0 {
		limit = DefaultTraceLimit
	}
	d := &traceReader{t: &Trace{File: file, Limit: limit}, ids: map[string]sim.NodeID{}, msgs: map[string]*message{},
		texts: map[string]string{}}
	br := bufio.NewReaderSize(r, 64<<10)
	for n := 1; ; n++ {
		l, end, err := tracediff.ReadLine(br)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, n, err)
		}
		if end {
			break
		}
		if len(d.t.Events) == limit {
			d.t.More = true
			break
		}
		if err := d.add(l); err != nil {
			var syntax *json.SyntaxError // the JSON ended before the line did
			if _, eof := br.Peek(1); errors.Is(eof, io.EOF) && errors.As(err, &syntax) && syntax.Offset >= int64(len(l)) {
				err = fmt.Errorf("%w (it is the file's last line: was the run cut short while writing it?)", err)
			}
			return nil, fmt.Errorf("%s:%d: %w", file, n, err)
		}
	}
	if len(d.t.Events) == 0 {
		return nil, fmt.Errorf("%s: %w: it holds no record", file, ErrBadTrace)
	}
	d.t.order()
	return d.t, nil
}

// order numbers the nodes as Names says, from the order they appear in.
func (t *Trace) order() {
	id := make([]sim.NodeID, len(t.Names)) // the new ID by the old
	for i := range id {
		id[i] = sim.None
	}
	names := make([]string, 0, len(t.Names))
	add := func(old sim.NodeID) {
		if id[old] == sim.None {
			id[old] = sim.NodeID(len(names))
			names = append(names, t.Names[old])
		}
	}
	for i := range t.Events {
		if e := &t.Events[i]; e.Kind == sim.KindStart {
			add(e.Node)
		}
	}
	for old := range t.Names {
		add(sim.NodeID(old))
	}
	for i := range t.Events {
		e := &t.Events[i]
		if e.Node != sim.None {
			e.Node = id[e.Node]
		}
		if e.Peer != sim.None {
			e.Peer = id[e.Peer]
		}
	}
	t.Names = names
}

// traceLine is one line of a trace, as sim writes it.
type traceLine struct {
	Seq    *uint64  `json:"seq"`
	T      sim.Time `json:"t"`
	Kind   string   `json:"kind"`
	Node   string   `json:"node"`
	Peer   string   `json:"peer"`
	Op     sim.OpID `json:"op"`
	Msg    *string  `json:"msg"`
	Reason string   `json:"reason"`
	Text   string   `json:"text"`
}

// traceReader turns lines into records, giving equal texts one copy.
type traceReader struct {
	t     *Trace
	ids   map[string]sim.NodeID
	msgs  map[string]*message
	texts map[string]string
	line  traceLine
}

// add reads one line into a record.
func (d *traceReader) add(b []byte) error {
	l := &d.line
	*l = traceLine{}
	if err := json.Unmarshal(b, l); err != nil {
		return fmt.Errorf("%w: %w", ErrBadTrace, err)
	}
	e := sim.Event{Op: l.Op, Node: d.node(l.Node), Peer: d.node(l.Peer), Text: d.text(l.Text)}
	if l.Msg != nil {
		e.Msg = d.msg(*l.Msg)
	}
	var err error
	if e.Seq, err = d.seq(l.Seq); err != nil {
		return err
	}
	if e.Time, err = d.time(l.T); err != nil {
		return err
	}
	if err := kind(&e, l); err != nil {
		return err
	}
	d.t.Events = append(d.t.Events, e)
	return nil
}

// kind reads a record's kind and drop reason, and checks that it names
// the nodes its kind needs.
func kind(e *sim.Event, l *traceLine) error {
	var ok bool
	if e.Kind, ok = kindByName[l.Kind]; !ok {
		return fmt.Errorf("%w: unknown kind %q (a trace's kinds are %s)", ErrBadTrace, l.Kind, strings.Join(kindNames(), ", "))
	}
	if e.Reason, ok = reasonByName[l.Reason]; !ok {
		return fmt.Errorf("%w: unknown drop reason %q", ErrBadTrace, l.Reason)
	}
	switch node, peer := names(e.Kind); {
	case peer && (e.Node == sim.None || e.Peer == sim.None):
		return fmt.Errorf("%w: a %s record names its node and its peer", ErrBadTrace, e.Kind)
	case node && e.Node == sim.None:
		return fmt.Errorf("%w: a %s record names its node", ErrBadTrace, e.Kind)
	}
	return nil
}

// seq checks that a record's number follows the last one.
func (d *traceReader) seq(seq *uint64) (uint64, error) {
	want := uint64(len(d.t.Events))
	switch {
	case seq == nil:
		return 0, fmt.Errorf("%w: the record has no seq", ErrBadTrace)
	case *seq != want:
		return 0, fmt.Errorf("%w: seq %d where %d was due: a trace numbers its records from 0, one by one", ErrBadTrace, *seq, want)
	}
	return want, nil
}

// time checks that a record is no earlier than the last one.
func (d *traceReader) time(t sim.Time) (sim.Time, error) {
	if n := len(d.t.Events); t < 0 || n > 0 && t < d.t.Events[n-1].Time {
		return 0, fmt.Errorf("%w: t %d comes before the last record's: a trace is in time order", ErrBadTrace, t)
	}
	return t, nil
}

// node returns the ID of a node named in the trace, giving a new name the
// next one; the empty name is sim.None.
func (d *traceReader) node(name string) sim.NodeID {
	if name == "" {
		return sim.None
	}
	id, ok := d.ids[name]
	if !ok {
		id = sim.NodeID(len(d.t.Names))
		d.ids[name] = id
		d.t.Names = append(d.t.Names, name)
	}
	return id
}

// message is a message's text, as a trace gives it. Equal texts are one
// message: pointers hash fast, so pairing a delivery with its send (the
// diagram's, and the messages in flight) costs no more than a run's.
type message struct{ text string }

func (m *message) String() string { return m.text }

// msg returns the message of a text, one per text.
func (d *traceReader) msg(s string) *message {
	m, ok := d.msgs[s]
	if !ok {
		m = &message{s}
		d.msgs[s] = m
	}
	return m
}

// text returns one copy of a text.
func (d *traceReader) text(s string) string {
	t, ok := d.texts[s]
	if !ok {
		d.texts[s] = s
		t = s
	}
	return t
}

// names says which of a node and a peer a record of kind k names.
func names(k sim.Kind) (node, peer bool) {
	switch k {
	case sim.KindSend, sim.KindDeliver, sim.KindDrop, sim.KindDuplicate, sim.KindCut:
		return true, true
	case sim.KindHeal, sim.KindLink, sim.KindStop, sim.KindPartition:
		return false, false
	}
	return true, false
}

// kindByName and reasonByName read the names sim gives kinds and drop
// reasons in traces; the empty reason is sim.DropNone.
var kindByName, reasonByName = func() (map[string]sim.Kind, map[string]sim.DropReason) {
	kinds := map[string]sim.Kind{}
	for k := sim.Kind(1); !strings.HasPrefix(k.String(), "kind("); k++ {
		kinds[k.String()] = k
	}
	reasons := map[string]sim.DropReason{"": sim.DropNone}
	for r := sim.DropReason(1); !strings.HasPrefix(r.String(), "reason("); r++ {
		reasons[r.String()] = r
	}
	return kinds, reasons
}()

// kindNames lists the kinds' names in their order.
func kindNames() []string {
	names := make([]string, 0, len(kindByName))
	for name := range kindByName {
		names = append(names, name)
	}
	slices.SortFunc(names, func(a, b string) int { return int(kindByName[a]) - int(kindByName[b]) })
	return names
}
