package paxos

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/sim"
)

// Cmd is a command of the replicated log: one client operation on the
// key-value store, or the no-op a new leader uses to fill a slot nobody
// asked for. Commands are immutable once built and shared by pointer
// between messages.
type Cmd struct {
	Session  uint64       // the client's session: node id and incarnation
	Seq      int64        // the client's sequence number within the session, from 1
	Client   sim.NodeID   // where the reply goes
	Op       checker.KVOp // zero for the no-op
	Key      string       //
	Value    string       // put, append, and the new value of cas
	Expected string       // cas
	ID       string       // the command's identity in Paxos traces, e.g. "c1#7"
}

// noop is the shared no-op command.
var noop = &Cmd{ID: checker.PaxosNoop}

// IsNoop reports whether c is the no-op.
func (c *Cmd) IsNoop() bool { return c.Op == 0 }

// String formats c for traces, e.g. "c1#7 put k3=c1#7".
func (c *Cmd) String() string {
	switch c.Op {
	case 0:
		return "noop"
	case checker.KVGet:
		return c.ID + " get " + c.Key
	case checker.KVCAS:
		return c.ID + " cas " + c.Key + " " + strconv.Quote(c.Expected) + "->" + strconv.Quote(c.Value)
	}
	return c.ID + " " + c.Op.String() + " " + c.Key + "=" + strconv.Quote(c.Value)
}

// errCorrupt is wrapped by decoding errors.
var errCorrupt = errors.New("paxos: corrupt record")

// appendCmd appends the binary encoding of c to buf.
func appendCmd(buf []byte, c *Cmd) []byte {
	buf = append(buf, byte(c.Op))
	if c.Op == 0 {
		return buf
	}
	buf = binary.AppendUvarint(buf, c.Session)
	buf = binary.AppendVarint(buf, c.Seq)
	buf = binary.AppendVarint(buf, int64(c.Client))
	for _, s := range [...]string{c.Key, c.Value, c.Expected, c.ID} {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	return buf
}

// decodeCmd decodes a command encoded by appendCmd from the front of buf
// and returns the rest.
func decodeCmd(buf []byte) (*Cmd, []byte, error) {
	if len(buf) == 0 {
		return nil, nil, fmt.Errorf("%w: empty command", errCorrupt)
	}
	op := checker.KVOp(buf[0])
	buf = buf[1:]
	if op == 0 {
		return noop, buf, nil
	}
	if op < checker.KVGet || op > checker.KVCAS {
		return nil, nil, fmt.Errorf("%w: operation %d", errCorrupt, op)
	}
	c := &Cmd{Op: op}
	var n int
	if c.Session, n = binary.Uvarint(buf); n <= 0 {
		return nil, nil, fmt.Errorf("%w: session", errCorrupt)
	}
	buf = buf[n:]
	if c.Seq, n = binary.Varint(buf); n <= 0 {
		return nil, nil, fmt.Errorf("%w: sequence number", errCorrupt)
	}
	buf = buf[n:]
	client, n := binary.Varint(buf)
	if n <= 0 || client < 0 || client > 1<<31-1 {
		return nil, nil, fmt.Errorf("%w: client", errCorrupt)
	}
	c.Client = sim.NodeID(client)
	buf = buf[n:]
	for _, s := range [...]*string{&c.Key, &c.Value, &c.Expected, &c.ID} {
		l, n := binary.Uvarint(buf)
		if n <= 0 || l > uint64(len(buf)-n) {
			return nil, nil, fmt.Errorf("%w: string field", errCorrupt)
		}
		*s = string(buf[n : n+int(l)])
		buf = buf[n+int(l):]
	}
	if c.ID == "" {
		return nil, nil, fmt.Errorf("%w: command without an id", errCorrupt)
	}
	return c, buf, nil
}

// appendBallot appends the binary encoding of b to buf.
func appendBallot(buf []byte, b Ballot) []byte {
	buf = binary.AppendVarint(buf, b.Round)
	return binary.AppendVarint(buf, int64(b.Node))
}

// decodeBallot decodes a ballot from the front of buf and returns the rest.
func decodeBallot(buf []byte) (Ballot, []byte, error) {
	r, n := binary.Varint(buf)
	if n <= 0 || r < 0 {
		return Ballot{}, nil, fmt.Errorf("%w: ballot round", errCorrupt)
	}
	buf = buf[n:]
	node, n := binary.Varint(buf)
	if n <= 0 || node < 0 || node > 1<<31-1 {
		return Ballot{}, nil, fmt.Errorf("%w: ballot node", errCorrupt)
	}
	return Ballot{Round: r, Node: int32(node)}, buf[n:], nil
}
