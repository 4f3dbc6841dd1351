package sim

import (
	"bufio"
	"fmt"
	"io"
	"math/bits"
)

// Kind is the kind of a trace event.
type Kind uint8

// The kinds of trace events.
const (
	KindSend      Kind = iota + 1 // Node sent Msg to Peer
	KindDeliver                   // Msg from Peer was delivered to Node
	KindDrop                      // Msg from Node to Peer was lost; Reason says why
	KindDuplicate                 // the network made a second copy of Msg from Node to Peer
	KindTimer                     // a timer of Node fired; Msg is its tag
	KindCrash                     // Node crashed
	KindRestart                   // Node restarted (Start was called on a fresh node)
	KindStart                     // Node started for the first time
	KindPause                     // Node was paused
	KindResume                    // Node was resumed
	KindCut                       // the link from Node to Peer was cut
	KindHeal                      // every cut link was restored (Node and Peer are None), or one link
	KindLink                      // the configuration of the link from Node to Peer changed (Node None: the default)
	KindClock                     // Node's clock was set; Text gives offset and drift
	KindInvoke                    // client Node invoked operation Op with input Msg
	KindReturn                    // operation Op of client Node returned output Msg
	KindRecord                    // Node recorded a fact: Msg is the value given to Context.Record, Text its description
	KindStop                      // the run was stopped; Text says why
	KindPartition                 // the network was split into groups; Text lists them
	kindCount
)

var kindNames = [kindCount]string{
	KindSend: "send", KindDeliver: "deliver", KindDrop: "drop", KindDuplicate: "duplicate",
	KindTimer: "timer", KindCrash: "crash", KindRestart: "restart", KindStart: "start",
	KindPause: "pause", KindResume: "resume", KindCut: "cut", KindHeal: "heal", KindLink: "link",
	KindClock: "clock", KindInvoke: "invoke", KindReturn: "return", KindRecord: "record",
	KindStop: "stop", KindPartition: "partition",
}

// IsFault reports whether the event is a fault the world suffered: a crash,
// restart, pause, resume, partition, cut, heal, clock change or link change.
// Liveness checks measure progress from the last one.
func (k Kind) IsFault() bool {
	switch k {
	case KindCrash, KindRestart, KindPause, KindResume, KindPartition, KindCut, KindHeal, KindClock, KindLink:
		return true
	}
	return false
}

// FaultKinds returns the kinds of events that are faults (see IsFault), for
// World.ObserveKinds.
func FaultKinds() []Kind {
	return []Kind{KindCrash, KindRestart, KindPause, KindResume, KindPartition, KindCut, KindHeal, KindClock, KindLink}
}

// String returns the kind's name as used in JSON Lines traces.
func (k Kind) String() string {
	if k < kindCount && kindNames[k] != "" {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// DropReason says why the network lost a message.
type DropReason uint8

// The reasons a message is dropped.
const (
	DropNone        DropReason = iota
	DropLoss                   // the link's drop probability
	DropPartition              // the link was cut when the message was sent
	DropCutInFlight            // the link was cut while the message was in flight
	DropNodeDown               // the receiver was crashed when the message arrived
	DropCrash                  // the receiver crashed while the message was held by a pause
	DropChosen                 // a program chose to lose it (World.Drop)
)

var dropNames = [...]string{"", "loss", "partition", "cut-in-flight", "node-down", "crash", "chosen"}

// String returns the reason's name.
func (r DropReason) String() string {
	if int(r) < len(dropNames) {
		return dropNames[r]
	}
	return fmt.Sprintf("reason(%d)", r)
}

// None is the NodeID of "no node" in trace events.
const None NodeID = -1

// Event is one recorded trace event. Which fields are set depends on Kind.
type Event struct {
	Seq    uint64     // position in the trace, from 0
	Time   Time       // true virtual time (not the node's skewed clock)
	Kind   Kind       // what happened
	Node   NodeID     // the node it happened to (the sender, for network events)
	Peer   NodeID     // the other node, or None
	Msg    any        // message, timer tag, or operation input/output
	Op     OpID       // the operation, for invoke and return
	Reason DropReason // for drops
	Text   string     // a fact's description (see Description), or details of a fault
}

// Description is the event's text: the details of a fault, a note, or the
// description of a fact (Describe of it), which a fact that hashes itself
// (FactHasher) leaves to be computed here, when someone reads it.
func (e *Event) Description() string {
	if e.Text == "" && e.Kind == KindRecord {
		return Describe(e.Msg)
	}
	return e.Text
}

// FactHasher is what a fact may implement to fold itself into the
// fingerprint without being described first: the fast path for facts a
// protocol records by the ten thousand. FingerprintWords must return the same
// two words for facts that say the same, and different words, but for
// hash collisions, for facts that do not. A trace or a report describes the
// fact (its String method) only when it writes or shows it.
type FactHasher interface {
	FingerprintWords() (uint64, uint64)
}

// fingerprint is an incremental 64-bit hash over the event stream. Each event
// is folded in with two multiply-rotate rounds; the result is finalised with
// splitmix64. It is not cryptographic: it detects divergence between runs.
type fingerprint struct {
	h uint64
	n uint64
}

const (
	fpPrime1 = 0x9e3779b97f4a7c15
	fpPrime2 = 0xc2b2ae3d27d4eb4f
)

func (f *fingerprint) add(a, b uint64) {
	h := f.h ^ a
	h = bits.RotateLeft64(h*fpPrime1, 31)
	h ^= b
	f.h = bits.RotateLeft64(h*fpPrime2, 27)
	f.n++
}

func (f *fingerprint) addString(s string) {
	// FNV-1a over the string, then folded like any other word.
	x := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		x ^= uint64(s[i])
		x *= 1099511628211
	}
	f.add(x, uint64(len(s)))
}

func (f *fingerprint) sum() uint64 { return mix64(f.h ^ mix64(f.n)) }

// Describe formats a message, timer tag or operation value for people and for
// JSON traces: its String method if it has one, else its Go syntax with field
// names (%+v). Messages holding pointers to pointers print addresses, which
// differ between runs; give such types a String method.
func Describe(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprintf("%T%+v", v, v)
}

// WriteTraceJSONL writes the recorded trace as JSON Lines, one event per line,
// with node names instead of numbers and times in nanoseconds ("t"). It writes
// nothing for events that were not recorded (see Config.Trace).
func (w *World) WriteTraceJSONL(out io.Writer) error {
	bw := bufio.NewWriter(out)
	var line []byte
	enc := newEncoder(w)
	for i := range w.trace {
		line = enc.append(line[:0], &w.trace[i])
		if _, err := bw.Write(line); err != nil {
			return fmt.Errorf("write trace event %d: %w", w.trace[i].Seq, err)
		}
	}
	return bw.Flush()
}

// StreamTraceJSONL writes every event from now on to out as it happens, in
// WriteTraceJSONL's format, through a buffer of bounded size, so a run of
// any length can be traced in constant memory, and a run that is cut short
// leaves the trace up to its last flushed event. It returns the function
// that flushes the buffer at the end of the run and returns the first write
// error (after which nothing more is written).
func (w *World) StreamTraceJSONL(out io.Writer) (flush func() error) {
	const size = 64 << 10
	buf := make([]byte, 0, size+size/4) // lines are made in place, not copied into a bufio.Writer
	var werr error
	write := func() {
		if _, err := out.Write(buf); err != nil && werr == nil {
			werr = fmt.Errorf("write trace: %w", err)
		}
		buf = buf[:0]
	}
	enc := newEncoder(w)
	w.Observe(func(e *Event) {
		if werr == nil {
			if buf = enc.append(buf, e); len(buf) >= size {
				write()
			}
		}
	})
	return func() error {
		if werr == nil && len(buf) > 0 {
			write()
		}
		return werr
	}
}
