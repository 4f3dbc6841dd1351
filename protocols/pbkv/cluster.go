package pbkv

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/kv"
	"github.com/dsimlab/dsim/protocols/wal"
	"github.com/dsimlab/dsim/sim"
)

// ErrConfig is wrapped by the errors about a bad Config.
var ErrConfig = errors.New("pbkv: bad configuration")

// Config configures a primary-backup key-value store. Durations are on the
// nodes' own (possibly skewed) clocks.
type Config struct {
	Servers int     // key-value servers, named n1..nN; at least 1
	Clients int     // clients, named c1..cM
	Variant Variant // Correct, or a bug-zoo variant
	// Ping is how often servers ping the view service, and how often it
	// reconsiders the view.
	Ping time.Duration
	// DeadPings is how many Ping intervals without a ping make the view
	// service consider a server dead.
	DeadPings int
	// Retry is how long a client waits for an answer before asking the
	// view service for the view and resending.
	Retry time.Duration
	// Leases turns on read leases: the primary answers gets from its own
	// state, without asking the backup, while its lease runs.
	Leases bool
	// Lease is how long a lease runs on the view service's clock; the view
	// service makes no other server primary until the leases it granted
	// have ended.
	Lease time.Duration
	// LeaseMargin is the clock assumption of leases: the largest amount by
	// which a primary's clock may lag the view service's over a lease. The
	// primary stops using its lease LeaseMargin before it ends by its own
	// clock. Too small a margin for the real skew lets a deposed primary
	// serve stale reads.
	LeaseMargin time.Duration
	// CheckpointEvery is the write-ahead logs' checkpoint period, in
	// records.
	CheckpointEvery int
	// Workload is what the clients do: Ops operations in all (gets, puts
	// and appends, by the mix), each abandoned after Timeout (zero: never).
	Workload protocols.Workload
}

// DefaultConfig returns the configuration of the default scenario: 3
// servers, 3 clients, 1000 operations on 5 keys, timings fit for links of
// a few milliseconds, no leases.
func DefaultConfig() Config {
	return Config{
		Servers:         3,
		Clients:         3,
		Variant:         Correct,
		Ping:            20 * time.Millisecond,
		DeadPings:       5,
		Retry:           50 * time.Millisecond,
		Lease:           time.Second,
		LeaseMargin:     250 * time.Millisecond,
		CheckpointEvery: 200,
		Workload: protocols.Workload{
			Ops:          1000,
			Mix:          []protocols.MixEntry{{Op: "append", Weight: 1}, {Op: "get", Weight: 2}, {Op: "put", Weight: 1}},
			Keys:         5,
			Distribution: "uniform",
			Timeout:      time.Second,
		},
	}
}

// Validate reports what is wrong with cfg, wrapping ErrConfig.
func (cfg Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...))
	}
	switch {
	case cfg.Servers < 1:
		return bad("servers: %d, want at least 1", cfg.Servers)
	case cfg.Clients < 0:
		return bad("clients: %d is negative", cfg.Clients)
	case cfg.Ping <= 0:
		return bad("ping: %v, want a positive duration", cfg.Ping)
	case cfg.DeadPings < 1:
		return bad("dead pings: %d, want at least 1", cfg.DeadPings)
	case cfg.Retry <= 0:
		return bad("retry: %v, want a positive duration", cfg.Retry)
	case cfg.Leases && cfg.Lease <= 0:
		return bad("lease: %v, want a positive duration", cfg.Lease)
	case cfg.LeaseMargin < 0:
		return bad("lease margin: %v is negative", cfg.LeaseMargin)
	case cfg.CheckpointEvery < 1:
		return bad("checkpoint every: %d, want at least 1 record", cfg.CheckpointEvery)
	}
	if _, err := ParseVariant(string(cfg.Variant)); err != nil {
		return err
	}
	if err := kv.ValidateMix(cfg.Workload.Mix, checker.KVGet, checker.KVPut, checker.KVAppend); err != nil {
		return bad("workload: %v", err)
	}
	if cfg.Clients > 0 && cfg.Workload.Ops > 0 && len(cfg.Workload.Mix) == 0 {
		return bad("workload: no operation mix")
	}
	return nil
}

// Cluster is a primary-backup key-value store set up in a World: the view
// service, the servers and the clients, and what the checks need. It
// implements protocols.Instance.
type Cluster struct {
	cfg     Config
	w       *sim.World
	vs      sim.NodeID
	servers []sim.NodeID
	clients *kv.Clients // and their workloads, for liveness mode's progress
	byNode  []int       // world node id -> server index, or -1
	views   []ViewDecided
	acts    []PrimaryActs

	transfers, leaseReads int

	mon    protocols.Monitor // online checks (hunt.go)
	online onlinePrimary
}

// NewCluster adds the view service ("vs"), cfg.Servers servers (n1..nN)
// and cfg.Clients clients (c1..cM) to w, in that order. Each client draws
// its operations from the stream "workload/NAME". The run stops when every
// client has finished.
func NewCluster(w *sim.World, cfg Config) (*Cluster, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Cluster{cfg: cfg, w: w}
	var err error
	if c.vs, err = w.AddNode("vs", func() sim.Node { return &viewService{cl: c} }); err != nil {
		return nil, fmt.Errorf("pbkv: %w", err)
	}
	for i := 1; i <= cfg.Servers; i++ {
		id, err := w.AddNode("n"+strconv.Itoa(i), func() sim.Node { return &server{cl: c} })
		if err != nil {
			return nil, fmt.Errorf("pbkv: %w", err)
		}
		c.servers = append(c.servers, id)
	}
	c.clients, err = kv.AddClients(w, cfg.Clients, cfg.Workload, cfg.Retry, func(d *kv.Driver) sim.Node {
		return &client{cl: c, d: d}
	})
	if err != nil {
		return nil, fmt.Errorf("pbkv: %w", err)
	}
	c.byNode = make([]int, len(w.Nodes()))
	for i := range c.byNode {
		c.byNode[i] = -1
	}
	for i, id := range c.servers {
		c.byNode[id] = i
	}
	return c, nil
}

// decided records that the view service decided a view: in the trace
// (ctx.Record), and here for CheckOnePrimary. Keeping the fact here too,
// rather than reading it back with sim.ObserveFacts, spares every event of
// the run a call: the kernel publishes events only while someone observes
// them, and pbkv records a handful of facts in thousands of events.
// TestFactsAreInTheTrace checks that the facts kept are exactly the
// trace's.
func (c *Cluster) decided(ctx *sim.Context, f ViewDecided) {
	ctx.Record(f)
	c.views = append(c.views, f)
	c.decidedOnline(f)
}

// acted records, like decided, that a server first acted as primary of a
// view.
func (c *Cluster) acted(ctx *sim.Context, f PrimaryActs) {
	ctx.Record(f)
	c.acts = append(c.acts, f)
	c.actedOnline(f)
}

// index returns the server index of node id, or -1.
func (c *Cluster) index(id sim.NodeID) int {
	if id >= 0 && int(id) < len(c.byNode) {
		return c.byNode[id]
	}
	return -1
}

func (c *Cluster) dead() time.Duration { return time.Duration(c.cfg.DeadPings) * c.cfg.Ping }

// Config returns the cluster's configuration.
func (c *Cluster) Config() Config { return c.cfg }

// ViewService returns the view service's node id.
func (c *Cluster) ViewService() sim.NodeID { return c.vs }

// Servers returns the nodes a nemesis may fault: the view service first,
// then the key-value servers n1..nN.
func (c *Cluster) Servers() []sim.NodeID { return append([]sim.NodeID{c.vs}, c.servers...) }

// KVServers returns the key-value servers' node ids, n1 first.
func (c *Cluster) KVServers() []sim.NodeID { return c.servers }

// Clients returns the clients' node ids, c1 first.
func (c *Cluster) Clients() []sim.NodeID { return c.clients.IDs }

// Views returns the views the view service decided so far, in order.
// The slice is shared and must not be modified.
func (c *Cluster) Views() []ViewDecided { return c.views }

// Acts returns, in order, each time a server first answered a client as
// the primary of a view. The slice is shared and must not be modified.
func (c *Cluster) Acts() []PrimaryActs { return c.acts }

// View returns the view service's current view, as its disk holds it.
func (c *Cluster) View() (View, error) {
	st := &vsState{}
	if _, err := wal.Load(c.w.Storage(c.vs), st, wal.Options{}); err != nil {
		return View{}, fmt.Errorf("pbkv: view service log: %w", err)
	}
	return st.cur, nil
}

// Final returns the keys and values of the store as the primary of the
// view service's current view holds them on disk (up or crashed): the
// state the service would go on from. It is empty if no view was ever
// decided.
func (c *Cluster) Final() (map[string]string, error) {
	v, err := c.View()
	if err != nil {
		return nil, err
	}
	if v.Num == 0 {
		return map[string]string{}, nil
	}
	st := newStore()
	if _, err := wal.Load(c.w.Storage(v.Primary), st, wal.Options{}); err != nil {
		return nil, fmt.Errorf("pbkv: log of %s: %w", c.w.Name(v.Primary), err)
	}
	return st.kv, nil
}
