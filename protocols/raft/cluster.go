package raft

import (
	"fmt"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols/kv"
	"github.com/dsimlab/dsim/sim"
)

// Cluster is a Raft key-value store set up in a World: its servers and
// clients, and the monitor that checks Raft's safety properties from the
// facts the servers record, as they record them. It implements
// protocols.Instance.
type Cluster struct {
	cfg     Config
	w       *sim.World
	g       *group
	clients *kv.Clients
	mon     *monitor

	snapshots int       // taken by servers of their own state
	installed int       // sent by a leader and installed
	faults    kv.Faults // for the liveness check
}

// NewCluster adds cfg.Servers servers (n1..nN) and cfg.Clients clients
// (c1..cM) to w. Each client draws its operations from the stream
// "workload/NAME". The run stops when every client has finished.
func NewCluster(w *sim.World, cfg Config) (*Cluster, error) {
	return NewClusterOf(w, cfg, nil)
}

// NewClusterOf is NewCluster with servers of one's own: servers(i)
// builds server number i (from 0, named "n1" for 0), for example a
// student's in a lab; nil builds this package's. The clients and the
// checks are this package's, so the servers must speak to clients as
// these do (Request in; Reply or NotLeader out) and record the same facts
// (Elected, LogWrite, Committed, Applied, Snapshot) for the checks.
func NewClusterOf(w *sim.World, cfg Config, servers func(i int) sim.Factory) (*Cluster, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Cluster{cfg: cfg, w: w, g: newGroup(cfg)}
	if servers == nil {
		servers = func(i int) sim.Factory { return func() sim.Node { return &server{g: c.g, me: i} } }
	}
	ids := make([]sim.NodeID, cfg.Servers)
	names := make([]string, cfg.Servers)
	for i := range ids {
		id, err := w.AddNode(name(i), servers(i))
		if err != nil {
			return nil, fmt.Errorf("raft: %w", err)
		}
		ids[i], names[i] = id, name(i)
	}
	var err error
	c.clients, err = kv.AddClients(w, cfg.Clients, cfg.Workload, cfg.Retry, func(d *kv.Driver) sim.Node {
		return &client{g: c.g, LeaderClient: kv.LeaderClient[*Cmd]{Driver: d, Servers: cfg.Servers}}
	})
	if err != nil {
		return nil, fmt.Errorf("raft: %w", err)
	}
	c.g.setIDs(ids, w.Nodes())
	c.mon = newMonitor(names)
	w.Observe(c.observe)
	return c, nil
}

// observe hands the servers' facts to the monitor as they are recorded,
// and notes faults, for the liveness check. (One observer for both, rather
// than sim.ObserveFacts besides, spares every event of the run a second
// call.)
func (c *Cluster) observe(e *sim.Event) {
	if e.Kind == sim.KindRecord {
		if s := c.g.index(e.Node); s >= 0 {
			c.mon.fact(s, e.Time, e.Msg)
			if f, ok := e.Msg.(*Snapshot); ok {
				c.count(f)
			}
		}
		return
	}
	c.faults.Note(e)
}

// count counts a snapshot, for the statistics.
func (c *Cluster) count(f *Snapshot) {
	if f.Installed {
		c.installed++
	} else {
		c.snapshots++
	}
}

// Config returns the cluster's configuration.
func (c *Cluster) Config() Config { return c.cfg }

// Servers returns the servers' node ids, n1 first.
func (c *Cluster) Servers() []sim.NodeID { return c.g.ids }

// Clients returns the clients' node ids, c1 first.
func (c *Cluster) Clients() []sim.NodeID { return c.clients.IDs }

// Violation returns a violation of a Raft safety check seen so far (the
// first check, in the order Protocol lists them, with a violation, and the
// first violation of that check), and false while there is none: a search
// over runs can stop a run at the first bad transition.
func (c *Cluster) Violation() (check, detail string, found bool) {
	for i, d := range c.mon.first {
		if d != "" {
			return safetyChecks[i].name, d, true
		}
	}
	return "", "", false
}

// History returns the clients' operations as checker operations
// (checker.FromSim): clients are numbered in order of their first
// operation, and operations that never returned have an Unknown outcome.
func (c *Cluster) History() []checker.Operation {
	return checker.FromSim(c.w.History())
}
