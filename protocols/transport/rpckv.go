package transport

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/kv"
	"github.com/dsimlab/dsim/sim"
)

// CheckLinearizability is the name of the RPC key-value protocol's check.
const CheckLinearizability = checker.LinearizabilityCheck

// KVServer is a key-value store served over the RPC layer: it executes
// checker.KVInput requests (get, put, append, cas) and replies with
// checker.KVOutput. Its data is in memory; the scenarios built on it crash
// no server.
type KVServer struct {
	rpc  *RPC
	data map[string]string
}

// NewKVServer returns the sim.Factory of a key-value server.
func NewKVServer(cfg RPCConfig) sim.Factory {
	return func() sim.Node {
		s := &KVServer{data: map[string]string{}}
		rpc, err := NewRPC(cfg, s.serve)
		if err != nil {
			panic(fmt.Sprintf("transport: %v (validate the configuration before building nodes)", err))
		}
		s.rpc = rpc
		return s
	}
}

// RPC returns the server's RPC layer.
func (s *KVServer) RPC() *RPC { return s.rpc }

func (s *KVServer) serve(_ *sim.Context, _ sim.NodeID, req any) any {
	in, ok := req.(checker.KVInput)
	if !ok {
		return nil
	}
	v := s.data[in.Key]
	switch in.Op {
	case checker.KVGet:
		return checker.KVOutput{Value: v}
	case checker.KVPut:
		s.data[in.Key] = in.Value
	case checker.KVAppend:
		s.data[in.Key] = v + in.Value
	case checker.KVCAS:
		if v != in.Expected {
			return checker.KVOutput{}
		}
		s.data[in.Key] = in.Value
		return checker.KVOutput{OK: true}
	}
	return checker.KVOutput{}
}

// Start starts the RPC layer.
func (s *KVServer) Start(ctx *sim.Context) { s.rpc.Start(ctx) }

// Receive forwards to the RPC layer.
func (s *KVServer) Receive(ctx *sim.Context, from sim.NodeID, msg any) { s.rpc.Receive(ctx, from, msg) }

// Timer forwards to the RPC layer.
func (s *KVServer) Timer(ctx *sim.Context, tag any) { s.rpc.Timer(ctx, tag) }

// KVClient runs its driver's operations (kv.Driver: pacing, deadlines,
// unique values, the history) against the key-value servers, as many at a
// time as the workload's InFlight, over one RPC layer (so a server's
// at-most-once table sees a client's calls overlap): key kI lives on server
// I mod N. Each operation is one Call with the
// operation's deadline; the RPC layer resends it on new connections, and
// the driver gives up on it at the deadline, leaving it without a return.
type KVClient struct {
	rpc     *RPC
	servers []sim.NodeID
	d       *kv.Driver
}

// NewKVClient returns the sim.Factory of a client that runs driver d (made
// once, so a restarted client carries on with the same workload). d's
// workload should have a Timeout: it is each call's deadline.
func NewKVClient(cfg RPCConfig, servers []sim.NodeID, d *kv.Driver) sim.Factory {
	return func() sim.Node {
		rpc, err := NewRPC(cfg, nil)
		if err != nil {
			panic(fmt.Sprintf("transport: %v (validate the configuration before building nodes)", err))
		}
		return &KVClient{rpc: rpc, servers: servers, d: d}
	}
}

// RPC returns the client's RPC layer.
func (c *KVClient) RPC() *RPC { return c.rpc }

// Start starts the RPC layer and the driver.
func (c *KVClient) Start(ctx *sim.Context) {
	c.rpc.Start(ctx)
	c.d.Start(ctx, c)
}

// Send calls the server that holds op's key, and completes op with the
// reply. A call that times out is left to the driver, which gives up on op
// at the same deadline.
func (c *KVClient) Send(ctx *sim.Context, op *kv.Op) {
	n := op.N
	c.rpc.Call(ctx, c.server(op.Input.Key), op.Input, op.Deadline, func(ctx *sim.Context, reply any, err error) {
		if err == nil && c.d.Op(n) != nil {
			out, _ := reply.(checker.KVOutput)
			c.d.CompleteOp(ctx, n, out)
		}
	})
}

// server returns the server that holds key kI: number I mod N.
func (c *KVClient) server(key string) sim.NodeID {
	i, _ := strconv.Atoi(strings.TrimPrefix(key, "k"))
	return c.servers[i%len(c.servers)]
}

// Receive forwards to the RPC layer.
func (c *KVClient) Receive(ctx *sim.Context, from sim.NodeID, msg any) { c.rpc.Receive(ctx, from, msg) }

// Timer forwards to the RPC layer and the driver.
func (c *KVClient) Timer(ctx *sim.Context, tag any) {
	if !c.rpc.Timer(ctx, tag) {
		c.d.Timer(ctx, tag)
	}
}

// RPCProtocol describes the key-value store over the RPC layer to the
// scenario loader: servers n1..nN each hold the keys kI with I mod N equal to
// their index, and clients c1..cM run the workload's get, put and append
// operations through Call, with the workload's timeout as each call's
// deadline. The history is checked for linearizability with porcupine:
// without at_most_once, a request retried after its connection broke may
// be executed twice, and two appends of one value show it.
func RPCProtocol() protocols.Protocol {
	params := append(transportParams(),
		protocols.Param{Name: "at_most_once", Kind: protocols.Bool, Default: true,
			Doc: "servers remember replies by client and sequence number, so a retried request runs once"},
		protocols.Param{Name: "retry", Kind: protocols.Duration, Default: 20 * time.Millisecond, Min: 0, Max: float64(time.Hour),
			Doc: "how long a client waits after a connection failed before it dials again and resends"},
	)
	return protocols.Protocol{
		Name:    "transport-rpc",
		Summary: "a key-value store served over the transport's RPC layer (request ids, retries on new connections, at-most-once table)",
		Params:  params,
		Checks: []protocols.CheckInfo{
			{Name: CheckLinearizability, Default: true, Summary: "the key-value history is linearizable (porcupine)"},
		},
		Ops:   []string{"get", "put", "append"},
		Setup: setupRPC,
	}
}

type rpcInstance struct {
	servers []sim.NodeID
	clients []sim.NodeID
	drivers []*kv.Driver  // the clients' workloads, for liveness mode's progress
	bound   time.Duration // liveness mode's bound
}

func setupRPC(env *protocols.Env) (protocols.Instance, error) {
	tcfg, err := configFromParams(env.Params)
	if err != nil {
		return nil, err
	}
	if env.Nodes < 1 {
		return nil, fmt.Errorf("transport-rpc needs at least one server (nodes: 1 or more)")
	}
	if err := kv.ValidateMix(env.Workload.Mix, checker.KVGet, checker.KVPut, checker.KVAppend); err != nil {
		return nil, fmt.Errorf("transport-rpc workload: %w", err)
	}
	cfg := RPCConfig{Transport: tcfg, AtMostOnce: env.Params.Bool("at_most_once"), RetryDelay: env.Params.Duration("retry")}
	if cfg.Transport.KeepAlive == 0 {
		return nil, fmt.Errorf("transport-rpc needs keepalive > 0: a client waiting for a reply learns of a dead connection only by probing")
	}
	w := env.World
	inst := &rpcInstance{bound: 2*env.Workload.Timeout + 2*time.Second}
	for i := 1; i <= env.Nodes; i++ {
		id, err := w.AddNode(fmt.Sprintf("n%d", i), NewKVServer(cfg))
		if err != nil {
			return nil, err
		}
		inst.servers = append(inst.servers, id)
	}
	wl := env.Workload
	if wl.Timeout <= 0 {
		wl.Timeout = time.Second
	}
	for i := 0; i < env.Clients; i++ {
		name := fmt.Sprintf("c%d", i+1)
		d := kv.NewDriver(w.Stream("workload/"+name), kv.Config{Workload: wl, Ops: wl.Share(i, env.Clients)})
		id, err := w.AddNode(name, NewKVClient(cfg, inst.servers, d))
		if err != nil {
			return nil, err
		}
		inst.clients = append(inst.clients, id)
		inst.drivers = append(inst.drivers, d)
	}
	return inst, nil
}

func (in *rpcInstance) Servers() []sim.NodeID { return in.servers }

func (in *rpcInstance) Check(req protocols.CheckRequest) protocols.Report {
	var rep protocols.Report
	hist := checker.FromSim(req.World.History())
	for _, name := range req.Checks {
		if name != CheckLinearizability {
			continue
		}
		res, vis := kv.CheckLinearizable(hist, req.Budget)
		rep.Checks = append(rep.Checks, res)
		if vis != nil {
			rep.Visualization = vis
		}
	}
	st := in.rpcStats(req.World)
	rep.Stats = append(kv.Stats(hist),
		protocols.Stat{Name: "calls timed out", Value: float64(st.Timeouts)},
		protocols.Stat{Name: "requests resent", Value: float64(st.Resent)},
		protocols.Stat{Name: "requests executed", Value: float64(st.Executed)},
		protocols.Stat{Name: "retries answered from the at-most-once table", Value: float64(st.Deduplicated)},
	)
	return rep
}

// rpcStats adds up the RPC layers' counters of every node.
func (in *rpcInstance) rpcStats(w *sim.World) RPCStats {
	var st RPCStats
	for _, id := range w.Nodes() {
		var r *RPC
		switch n := w.Node(id).(type) {
		case *KVServer:
			r = n.rpc
		case *KVClient:
			r = n.rpc
		}
		if r != nil {
			s := r.Stats()
			st.Timeouts += s.Timeouts
			st.Resent += s.Resent
			st.Executed += s.Executed
			st.Deduplicated += s.Deduplicated
		}
	}
	return st
}
