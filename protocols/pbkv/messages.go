package pbkv

import (
	"fmt"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/sim"
)

// View is a configuration the view service decided: its number, the
// primary and the backup, each with the incarnation (boot count) the view
// service assigned the role to. A server that restarts is a new
// incarnation and holds no role until a later view names it again. The
// zero View (Num 0) is "no view yet"; None marks a missing backup.
type View struct {
	Num        int
	Primary    sim.NodeID
	PrimaryInc uint32
	Backup     sim.NodeID
	BackupInc  uint32
}

// String formats the view with node ids, e.g. "view 3 p=1#2 b=none".
func (v View) String() string {
	return fmt.Sprintf("view %d p=%s b=%s", v.Num, role(v.Primary, v.PrimaryInc), role(v.Backup, v.BackupInc))
}

func role(id sim.NodeID, inc uint32) string {
	if id == sim.None {
		return "none"
	}
	return fmt.Sprintf("%d#%d", id, inc)
}

// Ping is a server's heartbeat to the view service, sent every Ping
// interval. Known is the latest view the server knows: the view service
// answers only a ping that needs news (a newer view, or a lease). Ack is
// the view the server acknowledges as a primary that is ready to serve it
// (0: none). Durable is the latest view the server's write-ahead log
// records it served as primary, which lets the view service re-admit a
// restarted primary whose disk holds every write.
type Ping struct {
	Inc     uint32
	Known   int
	Ack     int
	Durable int
}

// GetView asks the view service for the current view (clients send it).
type GetView struct{}

// ViewReply is the view service's answer to a Ping or GetView: the
// current view and, for a primary holding a read lease, the time on the
// view service's clock until which no other server will become primary.
type ViewReply struct {
	View       View
	LeaseUntil sim.Time
}

// Request is a client operation sent to the primary. Client names the
// client's session (its name, plus "~N" after its Nth restart) and Seq
// numbers the session's operations from 1, so a retried write is applied
// at most once.
type Request struct {
	From   sim.NodeID
	Client string
	Seq    int64
	Op     checker.KVOp
	Key    string
	Value  string
}

// String formats a request for traces.
func (r *Request) String() string {
	return fmt.Sprintf("%s %s#%d %s=%q", r.Op, r.Client, r.Seq, r.Key, r.Value)
}

// Err is a server's refusal of a Request.
type Err uint8

// The errors a Reply carries.
const (
	OK             Err = iota
	ErrWrongServer     // not the primary of its current view: ask the view service
)

// Reply answers a Request: the value for a get, and an error if the server
// refused it.
type Reply struct {
	Seq   int64
	Value string
	Err   Err
}

// Forward carries a batch of operations from the primary to the backup of
// View. Batches are numbered from 1 within a view; the backup applies them
// in order and acknowledges each.
type Forward struct {
	View  View
	Batch int64
	Ops   []*Request
}

// ForwardReply acknowledges (OK) or refuses a Forward. Known is the
// latest view the backup knows, so a deposed primary learns of its
// successor.
type ForwardReply struct {
	View  int
	Batch int64
	OK    bool
	Known View
}

// Transfer carries the primary's whole state (keys and at-most-once table)
// to the new backup of View. The backup counts only once it has installed
// it.
type Transfer struct {
	View     View
	Snapshot []byte
}

// TransferReply acknowledges (OK) or refuses a Transfer.
type TransferReply struct {
	View  int
	OK    bool
	Known View
}
