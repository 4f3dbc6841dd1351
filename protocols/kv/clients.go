package kv

import (
	"strconv"
	"time"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// Clients are a cluster's clients: their nodes and their drivers.
type Clients struct {
	IDs     []sim.NodeID // the clients' node ids, c1 first
	Drivers []*Driver    // the clients' workloads, in the same order
	done    int          // clients whose workload is done
}

// AddClients adds n clients, c1..cN, to w. Client i draws its share of wl
// (Workload.Share) from the stream "workload/ci" with a Driver that
// resends after retry; node builds an incarnation of the client around its
// driver. The run stops once every client has finished its workload.
func AddClients(w *sim.World, n int, wl protocols.Workload, retry time.Duration, node func(d *Driver) sim.Node) (*Clients, error) {
	cs := &Clients{}
	for i := 1; i <= n; i++ {
		name := "c" + strconv.Itoa(i)
		d := NewDriver(w.Stream("workload/"+name), Config{Workload: wl,
			Ops: wl.Share(i-1, n), Retry: retry, Done: cs.clientDone})
		id, err := w.AddNode(name, func() sim.Node { return node(d) })
		if err != nil {
			return nil, err
		}
		cs.IDs = append(cs.IDs, id)
		cs.Drivers = append(cs.Drivers, d)
	}
	return cs, nil
}

// clientDone stops the run once every client has finished its workload.
func (cs *Clients) clientDone(ctx *sim.Context) {
	cs.done++
	if cs.done == len(cs.IDs) {
		ctx.StopRun("workload finished")
	}
}
