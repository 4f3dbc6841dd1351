package mapreduce

import (
	"fmt"
	"strconv"

	"github.com/dsimlab/dsim/sim"
)

// AttemptID names one execution of one task: the coordinator's epoch (how
// many times it has started) in the high 32 bits, a sequence number within
// the epoch in the low 32. It is never reused, across coordinator restarts
// too, and prints as "epoch.seq".
type AttemptID uint64

func newAttemptID(epoch, seq uint32) AttemptID { return AttemptID(uint64(epoch)<<32 | uint64(seq)) }

// Epoch returns the coordinator epoch that issued the attempt.
func (a AttemptID) Epoch() uint32 { return uint32(a >> 32) }

// String formats a as "epoch.seq", e.g. "1.17".
func (a AttemptID) String() string { return string(a.appendTo(make([]byte, 0, 24))) }

// appendTo appends a as String formats it.
func (a AttemptID) appendTo(b []byte) []byte {
	b = strconv.AppendUint(b, uint64(a.Epoch()), 10)
	return strconv.AppendUint(append(b, '.'), uint64(uint32(a)), 10)
}

// TaskKind says whether a task maps or reduces.
type TaskKind uint8

// The task kinds.
const (
	MapTask TaskKind = iota + 1
	ReduceTask
)

// String returns "map" or "reduce".
func (k TaskKind) String() string {
	if k == MapTask {
		return "map"
	}
	return "reduce"
}

// location says where a completed map task's output lives.
type location struct {
	Worker  sim.NodeID
	Attempt AttemptID // 0: not known yet
}

// report tells the coordinator that an attempt finished.
type report struct {
	ID   AttemptID
	Kind TaskKind
	Task int
}

// waitReq asks the coordinator for the current location of map outputs a
// reduce attempt could not fetch.
type waitReq struct {
	ID   AttemptID
	Maps []int
}

// heartbeat is a worker's periodic status: its incarnation (incremented at
// every start), the attempts it runs, the map outputs it holds, the
// completions the coordinator has not acknowledged, and the map outputs
// its reducers are stuck on.
type heartbeat struct {
	Inc     uint64
	Seq     uint64   // numbers the heartbeats of this incarnation, from 1
	SentAt  sim.Time // the worker's local clock when sent, echoed for the lease
	Running []AttemptID
	Held    []AttemptID
	Reports []report
	Waiting []waitReq
}

// String keeps traces short.
func (h heartbeat) String() string {
	return fmt.Sprintf("heartbeat{inc %d seq %d running %d held %d reports %d}", h.Inc, h.Seq, len(h.Running), len(h.Held), len(h.Reports))
}

// coordHeader is carried by every message from the coordinator: its epoch,
// and whether that epoch resumed the job from a checkpoint (if not, workers
// drop everything older epochs gave them).
type coordHeader struct {
	Epoch   uint32
	Resumed bool
}

// heartbeatReply answers a heartbeat: the attempts the worker must abort or
// drop, the completions acknowledged, new map locations for its reducers,
// and the heartbeat it answers, which renews the worker's lease.
type heartbeatReply struct {
	coordHeader
	Seq    uint64
	SentAt sim.Time
	Inc    uint64
	Kill   []AttemptID
	Ack    []AttemptID
	Locs   []locUpdate
}

// String keeps traces short.
func (h heartbeatReply) String() string {
	return fmt.Sprintf("heartbeat-reply{epoch %d seq %d kill %v ack %d locs %d}", h.Epoch, h.Seq, h.Kill, len(h.Ack), len(h.Locs))
}

// assign starts an attempt on a worker. A reduce attempt gets the location
// of every map output (Attempt 0 for those not known).
type assign struct {
	coordHeader
	ID   AttemptID
	Kind TaskKind
	Task int
	Locs []location
}

// String keeps traces short.
func (a assign) String() string {
	return fmt.Sprintf("assign{%s %d attempt %s}", a.Kind, a.Task, a.ID)
}

// locUpdate tells a reduce attempt where map task Map's output now lives.
type locUpdate struct {
	Reduce AttemptID
	Map    int
	Loc    location
}

// locPush carries location updates outside heartbeat replies, as soon as
// a re-executed map task completes.
type locPush struct {
	coordHeader
	Locs []locUpdate
}

// done reports a finished attempt at once (heartbeats repeat it until it
// is acknowledged).
type done struct {
	Inc uint64
	R   report
}

// fetch asks a worker for partition Part of map attempt MapAttempt's output.
type fetch struct {
	Reduce     AttemptID
	Map        int
	MapAttempt AttemptID
	Part       int
}

// fetchStatus says how a fetch went.
type fetchStatus uint8

const (
	fetchOK          fetchStatus = iota + 1
	fetchMissing                 // the worker does not hold that attempt's output
	fetchUnavailable             // the worker's lease lapsed: it may not serve now
)

// fetchReply answers a fetch; with fetchOK it carries the data.
type fetchReply struct {
	Reduce     AttemptID
	Map        int
	MapAttempt AttemptID
	Status     fetchStatus
	KVs        []KeyValue
	Bytes      int
}

// String keeps traces short.
func (f fetchReply) String() string {
	return fmt.Sprintf("fetch-reply{reduce %s map %d attempt %s status %d bytes %d}", f.Reduce, f.Map, f.MapAttempt, f.Status, f.Bytes)
}

// fsOp is what a file-service request does.
type fsOp uint8

const (
	fsRead   fsOp = iota + 1 // read Path
	fsPut                    // set Path to Data
	fsCreate                 // set Path to empty (the in-place variant's truncate)
	fsAppend                 // append Data to Path (the in-place variant)
	fsRename                 // atomically move Path to To
)

// fsRequest asks the file service to do Op. Tag identifies the request to
// the sender (an attempt and a step), so a late reply is recognised.
type fsRequest struct {
	Op   fsOp
	Tag  fsTag
	Path string
	To   string
	Data []byte
}

// String keeps traces short.
func (r fsRequest) String() string {
	return fmt.Sprintf("fs{op %d %s %s -> %q bytes %d}", r.Op, r.Tag, r.Path, r.To, len(r.Data))
}

// fsTag identifies a file-service request: the attempt and its step.
type fsTag struct {
	Attempt AttemptID
	Step    int
}

// String formats the tag.
func (t fsTag) String() string { return fmt.Sprintf("%s/%d", t.Attempt, t.Step) }

// fsReply answers a request: OK, and the data of a read.
type fsReply struct {
	Tag  fsTag
	OK   bool
	Data []byte
}

// String keeps traces short.
func (r fsReply) String() string {
	return fmt.Sprintf("fs-reply{%s ok %v bytes %d}", r.Tag, r.OK, len(r.Data))
}
