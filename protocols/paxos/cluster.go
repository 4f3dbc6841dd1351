package paxos

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/kv"
	"github.com/dsimlab/dsim/sim"
)

// MaxServers is the largest cluster: servers are tracked in 64-bit sets.
const MaxServers = 64

// Config configures a Multi-Paxos key-value cluster. Durations are on the
// nodes' own (possibly skewed) clocks.
type Config struct {
	Servers int     // replicas, named n1..nN; 1 to MaxServers
	Clients int     // clients, named c1..cM
	Variant Variant // Correct, or a bug-zoo variant
	// Heartbeat is the servers' tick: a leader tells idle followers it is
	// alive this often.
	Heartbeat time.Duration
	// ElectionTimeout is how long a follower waits without hearing from a
	// leader before it campaigns: uniform in [T, 2T), drawn from its own
	// random stream.
	ElectionTimeout time.Duration
	// Retry is how long a client waits for an answer before resending to
	// another server; leaders and candidates retransmit after half of it.
	Retry time.Duration
	// Backoff is how long a refused candidate waits before campaigning
	// again: uniform in [B, 5B), from its own random stream.
	Backoff time.Duration
	// LivenessBound is how soon after the last fault an operation must
	// complete for the liveness check to hold.
	LivenessBound time.Duration
	// Workload is what the clients do: Ops operations in all (gets, puts,
	// appends and compare-and-sets, by the mix), each abandoned after
	// Timeout (zero: never).
	Workload protocols.Workload
}

// DefaultConfig returns the configuration of the default scenario: 5
// servers, 3 clients, 1000 operations on 5 keys, with timings fit for
// links of a few milliseconds.
func DefaultConfig() Config {
	return Config{
		Servers:         5,
		Clients:         3,
		Variant:         Correct,
		Heartbeat:       10 * time.Millisecond,
		ElectionTimeout: 100 * time.Millisecond,
		Retry:           100 * time.Millisecond,
		Backoff:         20 * time.Millisecond,
		LivenessBound:   2 * time.Second,
		Workload: protocols.Workload{
			Ops:          1000,
			Mix:          []protocols.MixEntry{{Op: "append", Weight: 1}, {Op: "cas", Weight: 1}, {Op: "get", Weight: 4}, {Op: "put", Weight: 2}},
			Keys:         5,
			Distribution: "uniform",
			Timeout:      time.Second,
		},
	}
}

// ErrConfig is wrapped by NewCluster's errors about a bad configuration.
var ErrConfig = errors.New("paxos: bad configuration")

// Validate reports what is wrong with cfg, wrapping ErrConfig.
func (cfg Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...))
	}
	switch {
	case cfg.Servers < 1 || cfg.Servers > MaxServers:
		return bad("servers: %d, want 1 to %d", cfg.Servers, MaxServers)
	case cfg.Clients < 0:
		return bad("clients: %d is negative", cfg.Clients)
	case cfg.Heartbeat <= 0:
		return bad("heartbeat: %v, want a positive duration", cfg.Heartbeat)
	case cfg.ElectionTimeout <= 0:
		return bad("election timeout: %v, want a positive duration", cfg.ElectionTimeout)
	case cfg.Retry <= 0:
		return bad("retry: %v, want a positive duration", cfg.Retry)
	case cfg.Backoff <= 0:
		return bad("backoff: %v, want a positive duration", cfg.Backoff)
	case cfg.LivenessBound <= 0:
		return bad("liveness bound: %v, want a positive duration", cfg.LivenessBound)
	}
	if _, err := ParseVariant(string(cfg.Variant)); err != nil {
		return bad("variant: %q is not one of %v", cfg.Variant, Variants)
	}
	if err := kv.ValidateMix(cfg.Workload.Mix, checker.KVGet, checker.KVPut, checker.KVAppend, checker.KVCAS); err != nil {
		return bad("workload: %v", err)
	}
	if cfg.Clients > 0 && cfg.Workload.Ops > 0 && len(cfg.Workload.Mix) == 0 {
		return bad("workload: no operation mix")
	}
	return nil
}

// Cluster is a Multi-Paxos key-value store set up in a World: its servers
// and clients, and the Paxos events the safety checks read, collected from
// the Facts the nodes record. It implements protocols.Instance.
type Cluster struct {
	cfg     Config
	w       *sim.World
	quorum  int
	servers []sim.NodeID
	clients *kv.Clients // and their workloads, for liveness mode's progress
	ids     []int       // servers as checker node numbers
	byNode  []int       // world node id -> server index, or -1
	events  []checker.PaxosEvent
	keys    keyCache  // storage keys of slots, shared by the servers
	facts   factCache // facts about slots, shared by the servers

	elections int
	faults    kv.Faults // for the liveness check

	mon      protocols.Monitor // online checks (hunt.go)
	promises promises          // what each acceptor promised, by its messages
	agree    agreement         // online agreement
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
// these do (Request in; Reply or NotLeader out) and record the same Facts
// (NewFact: a proposal, an acceptance, an application), with ballots
// whose Node is the proposer's server index.
func NewClusterOf(w *sim.World, cfg Config, servers func(i int) sim.Factory) (*Cluster, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Cluster{cfg: cfg, w: w, quorum: cfg.Variant.quorum(cfg.Servers), promises: newPromises(cfg.Servers, cfg.Workload.Queries)}
	if servers == nil {
		servers = func(i int) sim.Factory { return func() sim.Node { return &server{cl: c, me: i} } }
	}
	for i := 1; i <= cfg.Servers; i++ {
		id, err := w.AddNode("n"+strconv.Itoa(i), servers(i-1))
		if err != nil {
			return nil, fmt.Errorf("paxos: %w", err)
		}
		c.servers = append(c.servers, id)
		c.ids = append(c.ids, int(id))
	}
	var err error
	c.clients, err = kv.AddClients(w, cfg.Clients, cfg.Workload, cfg.Retry, func(d *kv.Driver) sim.Node {
		return &client{cl: c, LeaderClient: kv.LeaderClient[*Cmd]{Driver: d, Servers: cfg.Servers}}
	})
	if err != nil {
		return nil, fmt.Errorf("paxos: %w", err)
	}
	for _, id := range w.Nodes() {
		for len(c.byNode) <= int(id) {
			c.byNode = append(c.byNode, -1)
		}
	}
	for i, id := range c.servers {
		c.byNode[id] = i
	}
	c.events = make([]checker.PaxosEvent, 0, 13*cfg.Workload.Ops)
	// The sends are watched for the acceptors' promises (hunt.go).
	w.ObserveKinds(c.observe, append(sim.FaultKinds(), sim.KindRecord, sim.KindSend)...)
	return c, nil
}

// observe collects the nodes' Facts as Paxos events, for the safety
// checks, notes faults, for the liveness check, and reads the acceptors'
// replies, for the promises check. It watches only those kinds of events,
// so deliveries, drops and timers cost it nothing.
func (c *Cluster) observe(e *sim.Event) {
	if e.Kind == sim.KindSend || e.Kind == sim.KindRecord || e.Kind == sim.KindRestart {
		c.hunt(e)
	}
	if e.Kind == sim.KindRecord {
		if f, ok := e.Msg.(*Fact); ok {
			c.events = append(c.events, f.event(e, c.ids))
		}
		return
	}
	c.faults.Note(e)
}

// index returns the server index of node id, or -1 for a client.
func (c *Cluster) index(id sim.NodeID) int {
	if int(id) < len(c.byNode) {
		return c.byNode[id]
	}
	return -1
}

// Config returns the cluster's configuration.
func (c *Cluster) Config() Config { return c.cfg }

// Servers returns the servers' node ids, n1 first.
func (c *Cluster) Servers() []sim.NodeID { return c.servers }

// Clients returns the clients' node ids, c1 first.
func (c *Cluster) Clients() []sim.NodeID { return c.clients.IDs }

// Elections returns how many elections servers started.
func (c *Cluster) Elections() int { return c.elections }

// Trace returns the Paxos events of the Facts recorded so far, for the
// checker's Paxos checks. The slice is shared and must not be modified.
func (c *Cluster) Trace() checker.PaxosTrace {
	names := make([]string, len(c.w.Nodes()))
	for _, id := range c.w.Nodes() {
		names[id] = c.w.Name(id)
	}
	return checker.PaxosTrace{Acceptors: c.cfg.Servers, Events: c.events, Names: names}
}

// History returns the clients' operations as checker operations
// (checker.FromSim): clients are numbered in order of their first
// operation, and operations that never returned have an Unknown outcome.
func (c *Cluster) History() []checker.Operation {
	return checker.FromSim(c.w.History())
}
