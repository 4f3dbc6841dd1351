package lb

import (
	"fmt"
	"time"
)

// Request asks a server to serve one request. Size is the work it takes at
// speed 1, in nanoseconds; the client drew it, so that every balancer sees
// the same requests under the same seed.
type Request struct {
	ID     uint64 // the client's boot epoch (high 24 bits) and request count in the boot (low 40), from 1
	Client int32  // the client's index (c1 is 0)
	Key    uint64 // the request key, a 64-bit hash
	Size   float64
}

// Response answers a Request and carries the server's load report.
type Response struct {
	ID       uint64
	Sojourn  time.Duration // time from arrival at the server to departure
	Received uint64        // requests from this client received in the epoch
	Report                 // the server's load as the response left
	Server   int32         // the server's index (n1 is 0)
}

// Report is a server's load report: on every Response, and on its own every
// ReportInterval while the load changes.
type Report struct {
	Epoch uint64 // the server's boot count, from 1
	Seq   uint64 // the server's message count in the epoch, to drop reordered reports
	Queue int32  // requests waiting or in service
}

// LoadReport is a Report sent on its own, to one client.
type LoadReport struct {
	Server   int32
	Report   Report
	Received uint64 // requests from this client received in the epoch
}

// Hello announces a server that has booted or joined: balancer nodes add it
// to their members and forget any ejection.
type Hello struct {
	Server int32
	Epoch  uint64
}

// Call is the history input of one request when Config.History is set.
type Call struct {
	Key uint64
}

// Reply is the history output of an answered request.
type Reply struct {
	Server string
}

// String formats the request for traces.
func (r *Request) String() string {
	return fmt.Sprintf("req %d from client %d key %016x size %v", r.ID, r.Client, r.Key, time.Duration(r.Size))
}

// String formats the response for traces.
func (r *Response) String() string {
	return fmt.Sprintf("resp %d from server %d sojourn %v queue %d", r.ID, r.Server, r.Sojourn, r.Queue)
}

// String formats the report for traces.
func (r *LoadReport) String() string {
	return fmt.Sprintf("load server %d epoch %d queue %d", r.Server, r.Report.Epoch, r.Report.Queue)
}

// String formats the announcement for traces.
func (h *Hello) String() string { return fmt.Sprintf("hello server %d epoch %d", h.Server, h.Epoch) }

// String formats the call for histories.
func (c Call) String() string { return fmt.Sprintf("request key %016x", c.Key) }

// String formats the reply for histories.
func (r Reply) String() string { return "served by " + r.Server }

// slab hands out messages from chunks, so that a run makes one allocation
// per slabSize messages rather than one each. A message is never handed
// out twice: the network may deliver it twice, and traces may keep it.
type slab[T any] struct{ chunk []T }

// slabSize is the messages in one chunk; a chunk lives while any of its
// messages does, which is about slabSize requests' time.
const slabSize = 256

func (s *slab[T]) next() *T {
	if len(s.chunk) == 0 {
		s.chunk = make([]T, slabSize)
	}
	p := &s.chunk[0]
	s.chunk = s.chunk[1:]
	return p
}
