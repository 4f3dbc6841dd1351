package sim

import (
	"reflect"
	"strconv"
	"unicode/utf8"
)

// encoder writes events in their JSON Lines form: the object {"seq", "t",
// "kind", "node", "peer", "op", "msg", "reason", "text"} with empty fields
// left out and a newline, written by hand rather than through
// encoding/json's reflection (which cost a traced run three to five times
// an untraced one), and byte for byte what encoding/json writes for it.
// Most of a line repeats earlier lines, so the encoder keeps what repeats
// as ready-made JSON: each node's name as a node and a peer field, each
// message's field (a message held by pointer is described when it is sent
// and again when it arrives, is dropped or duplicated, and describing it is
// the dearest part of a line), the last time, and the sequence number,
// counted up in decimal.
type encoder struct {
	w       *World
	nodes   []string             // ,"node":"NAME" by node ID, or "" until first used
	peers   []string             // ,"peer":"NAME" likewise
	ptrs    *[ptrSlots]described // msg fields of messages held by pointer, by address
	values  map[any]string       // msg fields of comparable values, such as timer tags
	scratch []byte               // where a new msg field is made
	t       Time                 // the time of the last line
	tText   []byte               // its decimal digits
	seq     uint64               // the sequence number seqText holds
	seqText []byte               // its decimal digits, or empty
}

// described is a message and its msg field, ,"msg":"TEXT".
type described struct {
	msg   any
	field string
}

// ptrSlots is how many messages held by pointer an encoder remembers, in a
// table indexed by their address: a newer message takes an older one's
// slot, which only costs describing the older one again.
const ptrSlots = 1 << 12

// maxValues bounds the values an encoder remembers: it forgets them all
// when it holds this many.
const maxValues = 1 << 12

func newEncoder(w *World) *encoder { return &encoder{w: w, t: -1} }

// kindFields and reasonFields are each kind's and drop reason's field.
var kindFields, reasonFields = func() (k [kindCount]string, r [len(dropNames)]string) {
	for i := range k {
		k[i] = string(appendField(nil, "kind", Kind(i).String()))
	}
	for i := range r {
		r[i] = string(appendField(nil, "reason", DropReason(i).String()))
	}
	return k, r
}()

// append appends e's line to buf.
func (c *encoder) append(buf []byte, e *Event) []byte {
	buf = append(buf, `{"seq":`...)
	buf = append(buf, c.seqDigits(e.Seq)...)
	buf = append(buf, `,"t":`...)
	buf = append(buf, c.timeDigits(e.Time)...)
	if e.Kind < kindCount {
		buf = append(buf, kindFields[e.Kind]...)
	} else {
		buf = appendField(buf, "kind", e.Kind.String())
	}
	buf = append(buf, c.nodeField(&c.nodes, "node", e.Node)...)
	buf = append(buf, c.nodeField(&c.peers, "peer", e.Peer)...)
	if e.Op != 0 {
		buf = append(buf, `,"op":`...)
		buf = strconv.AppendInt(buf, int64(e.Op), 10)
	}
	if e.Kind != KindRecord { // a fact's description is its text
		buf = c.appendMsg(buf, e.Msg)
	}
	if int(e.Reason) < len(reasonFields) {
		if e.Reason != DropNone {
			buf = append(buf, reasonFields[e.Reason]...)
		}
	} else {
		buf = appendField(buf, "reason", e.Reason.String())
	}
	buf = appendField(buf, "text", e.Description())
	return append(buf, "}\n"...)
}

// seqDigits returns seq in decimal: the last one counted up when seq
// follows it, as it does in a stream.
func (c *encoder) seqDigits(seq uint64) []byte {
	if len(c.seqText) == 0 || seq != c.seq+1 {
		c.seq, c.seqText = seq, strconv.AppendUint(c.seqText[:0], seq, 10)
		return c.seqText
	}
	c.seq = seq
	for i := len(c.seqText) - 1; i >= 0; i-- {
		if c.seqText[i] != '9' {
			c.seqText[i]++
			return c.seqText
		}
		c.seqText[i] = '0'
	}
	c.seqText = append(c.seqText[:1], c.seqText...) // 99…9 + 1 = 100…0
	c.seqText[0] = '1'
	return c.seqText
}

// timeDigits returns t in decimal, formatted once for events at one time.
func (c *encoder) timeDigits(t Time) []byte {
	if t != c.t {
		c.t, c.tText = t, strconv.AppendInt(c.tText[:0], int64(t), 10)
	}
	return c.tText
}

// nodeField returns the field name: the name of node id, made once.
func (c *encoder) nodeField(fields *[]string, name string, id NodeID) string {
	if id == None {
		return ""
	}
	if int(id) >= len(*fields) {
		*fields = append(*fields, make([]string, int(id)+1-len(*fields))...)
	}
	f := &(*fields)[id]
	if *f == "" {
		*f = string(appendField(nil, name, c.w.nodes[id].name))
	}
	return *f
}

// appendMsg appends the msg field of v. A message held by pointer is
// described once (it is described when sent and again when it arrives, is
// dropped or duplicated), and so is a value of a comparable type, such as
// a timer's tag: equal values are described alike.
func (c *encoder) appendMsg(buf []byte, v any) []byte {
	if v == nil {
		return buf
	}
	switch t := reflect.TypeOf(v); {
	case t.Kind() == reflect.Pointer:
		if c.ptrs == nil {
			c.ptrs = new([ptrSlots]described)
		}
		addr := uint64(uintptr(reflect.ValueOf(v).UnsafePointer()))
		slot := &c.ptrs[(addr*0x9e3779b97f4a7c15)>>(64-12)]
		if slot.msg != v {
			*slot = described{v, c.field(v)}
		}
		return append(buf, slot.field...)
	case t.Comparable():
		f, ok := c.values[v]
		if !ok {
			if c.values == nil || len(c.values) >= maxValues {
				c.values = make(map[any]string)
			}
			f = c.field(v)
			c.values[v] = f
		}
		return append(buf, f...)
	}
	return appendField(buf, "msg", Describe(v))
}

// field returns v's msg field.
func (c *encoder) field(v any) string {
	c.scratch = appendField(c.scratch[:0], "msg", Describe(v))
	return string(c.scratch)
}

// plainJSON marks the bytes a JSON string holds as they are: ASCII but
// for control characters, quotes, backslashes and the HTML-sensitive three.
var plainJSON = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendField appends ,"name":"value" unless value is empty.
func appendField(buf []byte, name, value string) []byte {
	if value == "" {
		return buf
	}
	buf = append(buf, ',', '"')
	buf = append(buf, name...)
	buf = append(buf, '"', ':')
	return appendJSONString(buf, value)
}

// appendJSONString appends s as a JSON string exactly as encoding/json
// writes it: quotes and backslashes escaped, control characters as \n, \r,
// \t, \b, \f or \u00XX, the HTML-sensitive <, > and & as \u003c, \u003e and
// \u0026, U+2028 and U+2029 escaped, and bytes that are not UTF-8 replaced
// by \ufffd.
func appendJSONString(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		for i < len(s) && plainJSON[s[i]] { // the common case, in a loop of its own
			i++
		}
		if i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			buf = append(buf, s[start:i]...)
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			case '\b':
				buf = append(buf, '\\', 'b')
			case '\f':
				buf = append(buf, '\\', 'f')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			buf = append(buf, s[start:i]...)
			switch r {
			case utf8.RuneError:
				buf = append(buf, `\ufffd`...)
			default:
				buf = append(buf, '\\', 'u', '2', '0', '2', hex[r&0xf])
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}
