package studies

import (
	"fmt"
	"strings"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/transport"
	"github.com/dsimlab/dsim/sim"
)

// BulkProtocol is the transport study's workload as a protocol, "bulk":
// node "writer" (the scenario's one client) dials node "reader" (its one
// node) over one transport connection and writes the workload's ops
// messages at once; the reader stops the run at the last. Its parameters
// are the transport's window, rto ("adaptive", starting at 100ms, or
// "fixed:DURATION", doubled by backoff) and max_retries; its check
// "complete" holds when the reader got every message. It is written
// against package protocols like any protocol of a user's own.
func BulkProtocol() protocols.Protocol {
	return protocols.Protocol{
		Name:    "bulk",
		Summary: "a bulk transfer over one transport connection, for the transport study",
		Params: []protocols.Param{
			{Name: "window", Kind: protocols.Int, Default: transport.DefaultConfig.Window, Min: 1, Max: transport.MaxWindow,
				Doc: "messages in flight (1: stop-and-wait)"},
			{Name: "rto", Kind: protocols.String, Default: "adaptive",
				Doc: "retransmission timeout: adaptive (Jacobson/Karels) or fixed:DURATION"},
			{Name: "max_retries", Kind: protocols.Int, Default: 30, Min: 1, Max: 100,
				Doc: "timeouts in a row before the connection breaks"},
		},
		Checks: []protocols.CheckInfo{{Name: "complete", Default: true, Summary: "the reader got every message"}},
		Ops:    []string{"write"},
		Setup:  setupBulk,
	}
}

// ParseRTO turns a timeout policy, "adaptive" or "fixed:DURATION", into a
// transport Config's timeout fields.
func ParseRTO(spec string) (transport.Config, error) {
	if spec == "adaptive" {
		return transport.Config{InitialRTO: 100 * time.Millisecond}, nil
	}
	if d, ok := strings.CutPrefix(spec, "fixed:"); ok {
		if v, err := time.ParseDuration(d); err == nil && v > 0 {
			return transport.Config{InitialRTO: v, MinRTO: min(v, transport.DefaultConfig.MinRTO), FixedRTO: true}, nil
		}
	}
	return transport.Config{}, fmt.Errorf("%w: RTO policy %q (want adaptive or fixed:DURATION, e.g. fixed:50ms)", ErrBadStudy, spec)
}

// bulk is a running transfer: the current writer and reader nodes (a
// restart builds new ones).
type bulk struct {
	total  int
	writer *bulkWriter
	reader *bulkReader
	ids    []sim.NodeID
}

func setupBulk(env *protocols.Env) (protocols.Instance, error) {
	if env.Nodes != 1 || env.Clients != 1 {
		return nil, fmt.Errorf("bulk has one node, the reader, and one client, the writer (nodes: 1, clients: 1)")
	}
	cfg, err := ParseRTO(env.Params.String("rto"))
	if err != nil {
		return nil, err
	}
	cfg.Window, cfg.MaxRetries = env.Params.Int("window"), env.Params.Int("max_retries")
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	b := &bulk{total: env.Workload.Ops}
	w := env.World
	for _, n := range []struct {
		name string
		node func() sim.Node
	}{
		{"writer", func() sim.Node { b.writer = &bulkWriter{cfg: cfg, total: b.total}; return b.writer }},
		{"reader", func() sim.Node { b.reader = &bulkReader{cfg: cfg, total: b.total}; return b.reader }},
	} {
		id, err := w.AddNode(n.name, n.node)
		if err != nil {
			return nil, err
		}
		b.ids = append(b.ids, id)
	}
	return b, nil
}

// Servers returns both nodes.
func (b *bulk) Servers() []sim.NodeID { return b.ids }

// Check reports whether everything arrived, and the transfer's figures.
func (b *bulk) Check(req protocols.CheckRequest) protocols.Report {
	r, ws, rs := b.reader, b.writer.ep.Stats(), b.reader.ep.Stats()
	var rep protocols.Report
	if len(req.Checks) > 0 {
		res := checker.Result{Check: "complete", Kind: checker.Liveness, Verdict: checker.Holds,
			Detail: fmt.Sprintf("%d of %d messages delivered", r.got, b.total)}
		if r.got != b.total {
			res.Verdict = checker.Violated
		}
		rep.Checks = append(rep.Checks, res)
	}
	goodput := 0.0
	if r.got > 0 {
		goodput = float64(r.got) / time.Duration(r.last).Seconds()
	}
	per100 := 100 / float64(max(b.total, 1))
	rep.Stats = []protocols.Stat{
		{Name: "goodput", Value: goodput, Unit: "msgs/s"},
		{Name: "retransmits", Value: float64(ws.Retransmits) * per100, Unit: "per 100 msgs"},
		{Name: "spurious", Value: float64(rs.SpuriousRetransmits) * per100, Unit: "per 100 msgs"},
		{Name: "timeouts", Value: float64(ws.Timeouts) * per100, Unit: "per 100 msgs"},
		{Name: "delivered", Value: float64(r.got)},
	}
	return rep
}

// bulkWriter dials the reader and writes total messages at once.
type bulkWriter struct {
	cfg   transport.Config
	ep    *transport.Endpoint
	total int
}

func (b *bulkWriter) Start(ctx *sim.Context) {
	b.ep = mustEndpoint(b.cfg, b)
	b.ep.Start(ctx)
	reader, _ := ctx.Lookup("reader")
	c := b.ep.Dial(ctx, reader)
	for i := 0; i < b.total; i++ {
		_ = c.Write(ctx, i)
	}
}
func (b *bulkWriter) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	b.ep.Receive(ctx, from, msg)
}
func (b *bulkWriter) Timer(ctx *sim.Context, tag any)             { b.ep.Timer(ctx, tag) }
func (b *bulkWriter) Open(*sim.Context, *transport.Conn)          {}
func (b *bulkWriter) Deliver(*sim.Context, *transport.Conn, any)  {}
func (b *bulkWriter) Closed(*sim.Context, *transport.Conn, error) {}

// bulkReader counts deliveries and stops the run at the last.
type bulkReader struct {
	cfg   transport.Config
	ep    *transport.Endpoint
	total int
	got   int
	last  sim.Time
}

func (b *bulkReader) Start(ctx *sim.Context) {
	b.ep = mustEndpoint(b.cfg, b)
	b.ep.Start(ctx)
}
func (b *bulkReader) Receive(ctx *sim.Context, from sim.NodeID, msg any) {
	b.ep.Receive(ctx, from, msg)
}
func (b *bulkReader) Timer(ctx *sim.Context, tag any)             { b.ep.Timer(ctx, tag) }
func (b *bulkReader) Open(*sim.Context, *transport.Conn)          {}
func (b *bulkReader) Closed(*sim.Context, *transport.Conn, error) {}
func (b *bulkReader) Deliver(ctx *sim.Context, _ *transport.Conn, _ any) {
	b.got++
	b.last = ctx.Now()
	if b.got == b.total {
		ctx.StopRun("delivered everything")
	}
}

// mustEndpoint builds an endpoint from a configuration Setup validated.
func mustEndpoint(cfg transport.Config, h transport.Handler) *transport.Endpoint {
	ep, err := transport.NewEndpoint(cfg, h)
	if err != nil {
		panic(fmt.Sprintf("studies: bulk: %v (the configuration was validated)", err))
	}
	return ep
}
