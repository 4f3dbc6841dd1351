package raft

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/sim"
)

// Cmd is a client's command: one operation on the key-value store. Commands
// are immutable once built and shared by pointer between messages and
// logs.
type Cmd struct {
	Session  uint64       // the client's session: node id and incarnation
	Seq      int64        // the client's sequence number within the session, from 1
	Client   sim.NodeID   // where the reply goes
	Op       checker.KVOp //
	Key      string       //
	Value    string       // put, append, and the new value of cas
	Expected string       // cas
	ID       string       // the command's identity in facts, e.g. "c1#7"
}

// String formats c for traces, e.g. `c1#7 put k3="c1.7;"`.
func (c *Cmd) String() string {
	switch c.Op {
	case checker.KVGet:
		return c.ID + " get " + c.Key
	case checker.KVCAS:
		return c.ID + " cas " + c.Key + " " + strconv.Quote(c.Expected) + "->" + strconv.Quote(c.Value)
	}
	return c.ID + " " + c.Op.String() + " " + c.Key + "=" + strconv.Quote(c.Value)
}

// Entry is one entry of the replicated log: a command and the term of the
// leader that appended it. Its index is its position in the log, from 1.
// Entries are immutable once built and shared by pointer.
type Entry struct {
	Term int64
	Cmd  *Cmd
}

// String formats e for traces, e.g. "3/c1#7".
func (e *Entry) String() string { return strconv.FormatInt(e.Term, 10) + "/" + e.Cmd.ID }

// errCorrupt is wrapped by decoding errors.
var errCorrupt = errors.New("raft: corrupt record")

// appendEntry appends the binary encoding of e to buf.
func appendEntry(buf []byte, e *Entry) []byte {
	buf = binary.AppendVarint(buf, e.Term)
	c := e.Cmd
	buf = append(buf, byte(c.Op))
	buf = binary.AppendUvarint(buf, c.Session)
	buf = binary.AppendVarint(buf, c.Seq)
	buf = binary.AppendVarint(buf, int64(c.Client))
	for _, s := range [...]string{c.Key, c.Value, c.Expected, c.ID} {
		buf = appendString(buf, s)
	}
	return buf
}

// decodeEntry decodes an entry encoded by appendEntry from the front of buf
// and returns the rest.
func decodeEntry(buf []byte) (*Entry, []byte, error) {
	d := decoder{buf: buf}
	e := &Entry{Term: d.varint("term"), Cmd: &Cmd{}}
	c := e.Cmd
	c.Op = checker.KVOp(d.byte("operation"))
	c.Session = d.uvarint("session")
	c.Seq = d.varint("sequence number")
	client := d.varint("client")
	c.Client = sim.NodeID(client)
	for _, s := range [...]*string{&c.Key, &c.Value, &c.Expected, &c.ID} {
		*s = d.string("string field")
	}
	switch {
	case d.err != nil:
		return nil, nil, d.err
	case e.Term < 1:
		return nil, nil, fmt.Errorf("%w: term %d", errCorrupt, e.Term)
	case c.Op < checker.KVGet || c.Op > checker.KVCAS:
		return nil, nil, fmt.Errorf("%w: operation %d", errCorrupt, c.Op)
	case client < 0 || client > math.MaxInt32 || c.ID == "":
		return nil, nil, fmt.Errorf("%w: command without a client or an id", errCorrupt)
	}
	return e, d.buf, nil
}

// appendString appends s, preceded by its length, to buf.
func appendString(buf []byte, s string) []byte {
	buf = binary.AppendUvarint(buf, uint64(len(s)))
	return append(buf, s...)
}

// decoder reads the fields of a record one by one and keeps the first
// error, so a decoding function checks once at the end.
type decoder struct {
	buf []byte
	err error
}

func (d *decoder) fail(what string) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", errCorrupt, what)
	}
	d.buf = nil
}

func (d *decoder) varint(what string) int64 {
	v, n := binary.Varint(d.buf)
	if n <= 0 {
		d.fail(what)
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) uvarint(what string) uint64 {
	v, n := binary.Uvarint(d.buf)
	if n <= 0 {
		d.fail(what)
		return 0
	}
	d.buf = d.buf[n:]
	return v
}

func (d *decoder) byte(what string) byte {
	if len(d.buf) == 0 {
		d.fail(what)
		return 0
	}
	b := d.buf[0]
	d.buf = d.buf[1:]
	return b
}

func (d *decoder) string(what string) string {
	l := d.uvarint(what)
	if d.err != nil || l > uint64(len(d.buf)) {
		d.fail(what)
		return ""
	}
	s := string(d.buf[:l])
	d.buf = d.buf[l:]
	return s
}
