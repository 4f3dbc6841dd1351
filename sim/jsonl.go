package sim

import (
	"reflect"
	"strconv"
	"unicode/utf8"
)

// appendJSON appends an event's JSON Lines form to buf: the object
// {"seq", "t", "kind", "node", "peer", "op", "msg", "reason", "text"} with
// empty fields left out and a newline, written by hand rather than through
// encoding/json's reflection (which cost a traced run three to five times
// an untraced one), and byte for byte what encoding/json writes for it.
func (w *World) appendJSON(buf []byte, e *Event) []byte {
	return w.appendJSONWith(buf, e, Describe)
}

// appendJSONWith is appendJSON with describe to describe messages.
func (w *World) appendJSONWith(buf []byte, e *Event, describe func(any) string) []byte {
	buf = append(buf, `{"seq":`...)
	buf = strconv.AppendUint(buf, e.Seq, 10)
	buf = append(buf, `,"t":`...)
	buf = strconv.AppendInt(buf, int64(e.Time), 10)
	buf = appendField(buf, "kind", e.Kind.String())
	if e.Node != None {
		buf = appendField(buf, "node", w.nodes[e.Node].name)
	}
	if e.Peer != None {
		buf = appendField(buf, "peer", w.nodes[e.Peer].name)
	}
	if e.Op != 0 {
		buf = append(buf, `,"op":`...)
		buf = strconv.AppendInt(buf, int64(e.Op), 10)
	}
	if e.Kind != KindRecord { // a fact's description is its text
		buf = appendField(buf, "msg", describe(e.Msg))
	}
	if e.Reason != DropNone {
		buf = appendField(buf, "reason", e.Reason.String())
	}
	buf = appendField(buf, "text", e.Description())
	return append(buf, "}\n"...)
}

// plainJSON marks the ASCII bytes a JSON string holds as they are.
var plainJSON = func() (t [utf8.RuneSelf]bool) {
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
		if c := s[i]; c < utf8.RuneSelf {
			if plainJSON[c] {
				i++
				continue
			}
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

// describer describes messages for a streamed trace, remembering the
// description of each message held by pointer: a message is described when
// it is sent and again when it arrives (or is dropped, or duplicated), and
// describing is most of what tracing costs. It forgets everything past a
// bounded number of messages.
type describer struct {
	seen map[any]string
}

// maxDescribed bounds the messages a describer remembers.
const maxDescribed = 1 << 12

func (d *describer) describe(v any) string {
	if v == nil || reflect.TypeOf(v).Kind() != reflect.Pointer {
		return Describe(v)
	}
	if s, ok := d.seen[v]; ok {
		return s
	}
	if d.seen == nil || len(d.seen) >= maxDescribed {
		d.seen = make(map[any]string, maxDescribed)
	}
	s := Describe(v)
	d.seen[v] = s
	return s
}
