package raft

import (
	"encoding/binary"
	"maps"
	"slices"

	"github.com/dsimlab/dsim/protocols/kv"
)

// session is what the state machine remembers of a client session: the
// last sequence number applied and its result, so that a retried command
// takes effect at most once.
type session struct {
	seq    int64
	result Reply
}

// Machine is the replicated state machine: a key-value map and the client
// sessions. Every server applies the committed entries to its own, in
// index order. It is exported for servers of one's own (NewClusterOf),
// such as a lab's, which apply commands exactly as this package's do.
type Machine struct {
	kv       map[string]string
	sessions map[uint64]session
}

// NewMachine returns an empty state machine.
func NewMachine() Machine {
	return Machine{kv: map[string]string{}, sessions: map[uint64]session{}}
}

// Apply executes cmd once per session and sequence number, and returns its
// result and whether it was new (false: a retry of a command applied
// already, whose result is repeated if it was the session's last).
func (m *Machine) Apply(cmd *Cmd) (Reply, bool) {
	if s, ok := m.sessions[cmd.Session]; ok && cmd.Seq <= s.seq {
		return s.result, false
	}
	r := Reply{Seq: cmd.Seq, Leader: -1}
	r.Value, r.OK = kv.Apply(m.kv, cmd.Op, cmd.Key, cmd.Value, cmd.Expected)
	m.sessions[cmd.Session] = session{seq: cmd.Seq, result: r}
	return r, true
}

// applied reports whether the session's command seq has been applied.
func (m *Machine) applied(sess uint64, seq int64) bool {
	s, ok := m.sessions[sess]
	return ok && seq <= s.seq
}

// encode appends the state machine to buf, keys and sessions in sorted
// order, so that equal states encode alike.
func (m *Machine) encode(buf []byte) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(m.kv)))
	for _, k := range slices.Sorted(maps.Keys(m.kv)) {
		buf = appendString(appendString(buf, k), m.kv[k])
	}
	buf = binary.AppendUvarint(buf, uint64(len(m.sessions)))
	for _, id := range slices.Sorted(maps.Keys(m.sessions)) {
		s := m.sessions[id]
		buf = binary.AppendUvarint(buf, id)
		buf = binary.AppendVarint(buf, s.seq)
		buf = appendString(buf, s.result.Value)
		ok := byte(0)
		if s.result.OK {
			ok = 1
		}
		buf = append(buf, ok)
	}
	return buf
}

// decodeMachine decodes a state machine that encode wrote.
func decodeMachine(buf []byte) (Machine, error) {
	m := NewMachine()
	d := decoder{buf: buf}
	for n := d.uvarint("keys"); n > 0 && d.err == nil; n-- {
		k := d.string("key")
		m.kv[k] = d.string("value")
	}
	for n := d.uvarint("sessions"); n > 0 && d.err == nil; n-- {
		id := d.uvarint("session")
		s := session{seq: d.varint("sequence number")}
		s.result = Reply{Seq: s.seq, Value: d.string("result"), OK: d.byte("result") == 1, Leader: -1}
		m.sessions[id] = s
	}
	if d.err == nil && len(d.buf) > 0 {
		d.fail("trailing bytes")
	}
	return m, d.err
}
