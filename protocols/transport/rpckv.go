package transport

import (
	"fmt"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// CheckLinearizability is the name of the RPC key-value protocol's check.
const CheckLinearizability = "linearizability"

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

// KVClient runs its share of a workload against the key-value servers, one
// operation at a time: key kI lives on server I mod N. It records each
// operation in the history and leaves those that time out unreturned.
type KVClient struct {
	rpc     *RPC
	servers []sim.NodeID
	gen     *protocols.Generator
	ops     int
	timeout time.Duration
	issued  int
}

type nextOp struct{}

// NewKVClient returns the sim.Factory of a client that issues ops
// operations drawn from gen (made once, so a restarted client goes on
// drawing where it stopped), each with the given timeout.
func NewKVClient(cfg RPCConfig, servers []sim.NodeID, gen *protocols.Generator, ops int, timeout time.Duration) sim.Factory {
	return func() sim.Node {
		rpc, err := NewRPC(cfg, nil)
		if err != nil {
			panic(fmt.Sprintf("transport: %v (validate the configuration before building nodes)", err))
		}
		return &KVClient{rpc: rpc, servers: servers, gen: gen, ops: ops, timeout: timeout}
	}
}

// RPC returns the client's RPC layer.
func (c *KVClient) RPC() *RPC { return c.rpc }

// Start starts the RPC layer and the first operation.
func (c *KVClient) Start(ctx *sim.Context) {
	c.rpc.Start(ctx)
	c.next(ctx)
}

func (c *KVClient) next(ctx *sim.Context) {
	if c.issued >= c.ops {
		return
	}
	if g := c.gen.Gap(); g > 0 {
		ctx.SetTimer(g, nextOp{})
		return
	}
	c.issue(ctx)
}

func (c *KVClient) issue(ctx *sim.Context) {
	c.issued++
	kind, key := c.gen.Kind(), c.gen.KeyIndex()
	in := checker.KVInput{Key: fmt.Sprintf("k%d", key)}
	switch kind {
	case "put":
		in.Op, in.Value = checker.KVPut, fmt.Sprintf("%s.%d", ctx.Name(), c.issued)
	case "append":
		in.Op, in.Value = checker.KVAppend, fmt.Sprintf("%s.%d;", ctx.Name(), c.issued)
	default:
		in.Op = checker.KVGet
	}
	op := ctx.Invoke(in)
	c.rpc.Call(ctx, c.servers[key%len(c.servers)], in, ctx.Now().Add(c.timeout), func(ctx *sim.Context, reply any, err error) {
		if err == nil {
			out, _ := reply.(checker.KVOutput)
			ctx.Return(op, out)
		}
		c.next(ctx)
	})
}

// Receive forwards to the RPC layer.
func (c *KVClient) Receive(ctx *sim.Context, from sim.NodeID, msg any) { c.rpc.Receive(ctx, from, msg) }

// Timer paces operations and forwards the rest to the RPC layer.
func (c *KVClient) Timer(ctx *sim.Context, tag any) {
	if c.rpc.Timer(ctx, tag) {
		return
	}
	if _, ok := tag.(nextOp); ok {
		c.issue(ctx)
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
}

func setupRPC(env *protocols.Env) (protocols.Instance, error) {
	tcfg, err := configFromParams(env.Params)
	if err != nil {
		return nil, err
	}
	if env.Nodes < 1 {
		return nil, fmt.Errorf("transport-rpc needs at least one server (nodes: 1 or more)")
	}
	cfg := RPCConfig{Transport: tcfg, AtMostOnce: env.Params.Bool("at_most_once"), RetryDelay: env.Params.Duration("retry")}
	if cfg.Transport.KeepAlive == 0 {
		return nil, fmt.Errorf("transport-rpc needs keepalive > 0: a client waiting for a reply learns of a dead connection only by probing")
	}
	w := env.World
	inst := &rpcInstance{}
	for i := 1; i <= env.Nodes; i++ {
		id, err := w.AddNode(fmt.Sprintf("n%d", i), NewKVServer(cfg))
		if err != nil {
			return nil, err
		}
		inst.servers = append(inst.servers, id)
	}
	timeout := env.Workload.Timeout
	if timeout <= 0 {
		timeout = time.Second
	}
	for i := 0; i < env.Clients; i++ {
		name := fmt.Sprintf("c%d", i+1)
		gen := protocols.NewGenerator(env.Workload, w.Stream("workload/"+name))
		id, err := w.AddNode(name, NewKVClient(cfg, inst.servers, gen, env.Workload.Share(i, env.Clients), timeout))
		if err != nil {
			return nil, err
		}
		inst.clients = append(inst.clients, id)
	}
	return inst, nil
}

func (in *rpcInstance) Servers() []sim.NodeID { return in.servers }

func (in *rpcInstance) Check(req protocols.CheckRequest) protocols.Report {
	var rep protocols.Report
	hist := req.World.History()
	for _, name := range req.Checks {
		if name != CheckLinearizability {
			continue
		}
		res, err := checker.CheckLinearizable(checker.KVModel(), checker.FromSim(hist), req.Budget)
		if err != nil {
			rep.Checks = append(rep.Checks, checker.Result{Check: name, Kind: checker.Safety, Verdict: checker.Violated,
				Detail: fmt.Sprintf("malformed history: %v", err)})
			continue
		}
		rep.Checks = append(rep.Checks, res.Result)
		if res.Verdict == checker.Violated {
			rep.Visualization = res.WriteVisualization
		}
	}
	var st RPCStats
	for _, id := range req.World.Nodes() {
		var r *RPC
		switch n := req.World.Node(id).(type) {
		case *KVServer:
			r = n.rpc
		case *KVClient:
			r = n.rpc
		}
		if r != nil {
			s := r.Stats()
			st.Calls += s.Calls
			st.Replies += s.Replies
			st.Timeouts += s.Timeouts
			st.Resent += s.Resent
			st.Executed += s.Executed
			st.Deduplicated += s.Deduplicated
		}
	}
	returned := 0
	for _, op := range hist {
		if op.Returned {
			returned++
		}
	}
	rep.Stats = []protocols.Stat{
		{Name: "operations", Value: float64(len(hist))},
		{Name: "operations returned", Value: float64(returned)},
		{Name: "calls timed out", Value: float64(st.Timeouts)},
		{Name: "requests resent", Value: float64(st.Resent)},
		{Name: "requests executed", Value: float64(st.Executed)},
		{Name: "retries answered from the at-most-once table", Value: float64(st.Deduplicated)},
	}
	return rep
}
