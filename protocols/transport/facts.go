package transport

import "strconv"

// The facts below are what transport nodes record (sim.Context.Record) for
// the checks to read. Each String reproduces the stable line that describes
// the fact in traces, and that the run's fingerprint hashes.

// ConnEvent is a connection's life-cycle event, recorded by an endpoint
// whose Config.Record is set: What is "open", "closed", "reset" or
// "broken"; Conn is the connection's ID and Peer the other end's name.
type ConnEvent struct {
	What string
	Conn string
	Peer string
}

// String describes the event, e.g. "transport open c1#1.1 peer=n1".
func (f ConnEvent) String() string {
	return "transport " + f.What + " " + f.Conn + " peer=" + f.Peer
}

// EndpointStarted is an endpoint starting in a new incarnation (from 1),
// recorded when its Config.Record is set.
type EndpointStarted struct {
	Incarnation uint32
}

// String describes the start, e.g. "transport incarnation 2".
func (f EndpointStarted) String() string {
	return "transport incarnation " + strconv.FormatUint(uint64(f.Incarnation), 10)
}

// StreamOpened is a stream workload node opening stream Stream on its end
// of connection Conn (its ID; Local is the connection's Conn.Local number)
// to node To.
type StreamOpened struct {
	Stream uint64
	Conn   string
	Local  uint64
	To     string
}

// String describes the fact, e.g. "stream open s=00000000000000ff conn=c1#1.1/1 to=n1".
func (f StreamOpened) String() string {
	b := make([]byte, 0, 64)
	b = appendHex16(append(b, "stream open s="...), f.Stream)
	b = appendConn(append(b, " conn="...), f.Conn, f.Local)
	return string(append(append(b, " to="...), f.To...))
}

// StreamWritten is a stream's writer writing its message Index (from 0).
type StreamWritten struct {
	Stream uint64
	Index  int
}

// String describes the fact, e.g. "stream write s=00000000000000ff i=3".
func (f StreamWritten) String() string {
	b := make([]byte, 0, 48)
	b = appendHex16(append(b, "stream write s="...), f.Stream)
	return string(strconv.AppendInt(append(b, " i="...), int64(f.Index), 10))
}

// StreamDelivered is a message delivered on the recording node's end of
// connection Conn (Local as in StreamOpened): message Index of stream
// Stream, or Stream 0 and Index -1 if what arrived was no stream message.
type StreamDelivered struct {
	Stream uint64
	Index  int
	Conn   string
	Local  uint64
}

// String describes the fact, e.g. "stream deliver s=00000000000000ff i=3 conn=c1#1.1/1".
func (f StreamDelivered) String() string {
	b := make([]byte, 0, 64)
	b = appendHex16(append(b, "stream deliver s="...), f.Stream)
	b = strconv.AppendInt(append(b, " i="...), int64(f.Index), 10)
	return string(appendConn(append(b, " conn="...), f.Conn, f.Local))
}

// StreamClosed is the recording node's end of connection Conn (Local as in
// StreamOpened) ending: Err is "ok" (closed in order), "reset", "broken"
// or "error".
type StreamClosed struct {
	Conn  string
	Local uint64
	Err   string
}

// String describes the fact, e.g. "stream closed conn=c1#1.1/1 err=ok".
func (f StreamClosed) String() string {
	b := make([]byte, 0, 48)
	b = appendConn(append(b, "stream closed conn="...), f.Conn, f.Local)
	return string(append(append(b, " err="...), f.Err...))
}

// StreamClientDone is a stream client having delivered all its messages.
type StreamClientDone struct{}

// String describes the fact: "stream client done".
func (StreamClientDone) String() string { return "stream client done" }

// appendHex16 appends v as 16 lower-case hex digits, as %016x does.
func appendHex16(b []byte, v uint64) []byte {
	const digits = "0123456789abcdef"
	for shift := 60; shift >= 0; shift -= 4 {
		b = append(b, digits[v>>shift&0xf])
	}
	return b
}

// appendConn appends a connection end as "ID/Local".
func appendConn(b []byte, id string, local uint64) []byte {
	return strconv.AppendUint(append(append(b, id...), '/'), local, 10)
}
