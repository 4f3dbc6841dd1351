package transport

import (
	"fmt"
	"time"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// transportParams are the parameters of the transport itself, shared by the
// stream and RPC protocols.
func transportParams() []protocols.Param {
	d := DefaultConfig
	ms := float64(time.Millisecond)
	return []protocols.Param{
		protocols.VariantParam(Variants),
		{Name: "window", Kind: protocols.Int, Default: d.Window, Min: 1, Max: MaxWindow,
			Doc: "messages in flight per connection (1: stop-and-wait)"},
		{Name: "rto", Kind: protocols.String, Default: "adaptive", Choices: []string{"adaptive", "fixed"},
			Doc: "retransmission timeout: estimated from round trips (Jacobson/Karels), or fixed at initial_rto"},
		{Name: "initial_rto", Kind: protocols.Duration, Default: d.InitialRTO, Min: 0.01 * ms, Max: float64(time.Minute),
			Doc: "timeout before the first round trip is measured (the timeout itself when rto is fixed)"},
		{Name: "min_rto", Kind: protocols.Duration, Default: d.MinRTO, Min: 0, Max: float64(time.Minute),
			Doc: "floor of the retransmission timeout"},
		{Name: "max_rto", Kind: protocols.Duration, Default: d.MaxRTO, Min: 0.01 * ms, Max: float64(time.Hour),
			Doc: "ceiling of the retransmission timeout, backoff included"},
		{Name: "max_retries", Kind: protocols.Int, Default: d.MaxRetries, Min: 1, Max: 100,
			Doc: "retransmission timeouts in a row a connection survives before it reports itself broken"},
		{Name: "keepalive", Kind: protocols.Duration, Default: 200 * time.Millisecond, Min: 0, Max: float64(time.Hour),
			Doc: "probe an idle connection after this long without news (0: never)"},
		{Name: "delayed_ack", Kind: protocols.Duration, Default: time.Duration(0), Min: 0, Max: float64(time.Second),
			Doc: "acknowledge every second message or after this delay (0: every message at once)"},
		{Name: "time_wait", Kind: protocols.Duration, Default: d.TimeWait, Min: 0, Max: float64(time.Hour),
			Doc: "how long a closed connection lingers to acknowledge a retransmitted FIN"},
	}
}

// configFromParams builds a transport Config from scenario parameters.
func configFromParams(p protocols.Params) (Config, error) {
	v, err := ParseVariant(p.String("variant"))
	if err != nil {
		return Config{}, err
	}
	cfg := Config{
		Window: p.Int("window"), InitialRTO: p.Duration("initial_rto"), MinRTO: p.Duration("min_rto"),
		MaxRTO: p.Duration("max_rto"), FixedRTO: p.String("rto") == "fixed", MaxRetries: p.Int("max_retries"),
		KeepAlive: p.Duration("keepalive"), DelayedAck: p.Duration("delayed_ack"), TimeWait: p.Duration("time_wait"),
		Variant: v, Record: true,
	}
	return cfg, cfg.Validate()
}

// Protocol describes the stream workload to the scenario loader: servers
// n1..nN accept connections; each client c1..cM delivers its share of the
// workload's ops as messages over streams (stream_len messages each, then an
// orderly close) to the servers in turn, starting with n(i mod N), and
// writes a stream's messages again on a new stream if it is reset or broken.
// The workload's think time or rate paces the writes; with neither, a stream
// is written all at once (a bulk transfer).
func Protocol() protocols.Protocol {
	params := append(transportParams(),
		protocols.Param{Name: "stream_len", Kind: protocols.Int, Default: 100, Min: 1, Max: 1 << 30,
			Doc: "messages per stream"},
		protocols.Param{Name: "retry", Kind: protocols.Duration, Default: 50 * time.Millisecond, Min: 0, Max: float64(time.Hour),
			Doc: "how long a client waits after a reset or broken stream before it opens the next"},
		protocols.Param{Name: "echo", Kind: protocols.Bool, Default: false,
			Doc: "servers write every message back on a stream of their own"},
	)
	return protocols.Protocol{
		Name:    "transport",
		Summary: "reliable ordered connections (handshake, sliding window, adaptive RTO, close, incarnations) carrying message streams",
		Params:  params,
		Checks: []protocols.CheckInfo{
			{Name: CheckDelivery, Default: true,
				Summary: "every stream is delivered exactly once, in order, as a prefix; nothing after close or across incarnations"},
			{Name: CheckComplete, Default: true,
				Summary: "every stream of a live writer ends: closed in order, reset or broken (liveness)"},
		},
		Ops:   []string{"write"},
		Setup: setupStreams,
	}
}

type streamInstance struct {
	servers []sim.NodeID
	k       *StreamChecker
	net     *netCounter
}

func setupStreams(env *protocols.Env) (protocols.Instance, error) {
	tcfg, err := configFromParams(env.Params)
	if err != nil {
		return nil, err
	}
	if env.Nodes < 1 {
		return nil, fmt.Errorf("transport needs at least one server (nodes: 1 or more)")
	}
	w := env.World
	cfg := &StreamConfig{Transport: tcfg, StreamLen: env.Params.Int("stream_len"),
		Retry: env.Params.Duration("retry"), Echo: env.Params.Bool("echo")}
	wl := env.Workload
	if wl.Rate > 0 || wl.Think > 0 {
		cfg.GapFor = func(client string) func() time.Duration {
			return protocols.NewGenerator(wl, w.Stream("workload/"+client)).Gap
		}
	}
	inst := &streamInstance{k: NewStreamChecker(w.Name), net: &netCounter{}}
	for i := 1; i <= env.Nodes; i++ {
		id, err := w.AddNode(fmt.Sprintf("n%d", i), NewStreamServer(cfg))
		if err != nil {
			return nil, err
		}
		inst.servers = append(inst.servers, id)
	}
	cfg.Servers = inst.servers
	for i := 0; i < env.Clients; i++ {
		// Each client gets its own copy so its share of messages is its own.
		cc := *cfg
		cc.Messages = wl.Share(i, env.Clients)
		if _, err := w.AddNode(fmt.Sprintf("c%d", i+1), NewStreamClient(&cc, i)); err != nil {
			return nil, err
		}
	}
	w.Observe(inst.k.Observe)
	w.Observe(inst.net.observe)
	return inst, nil
}

func (in *streamInstance) Servers() []sim.NodeID { return in.servers }

func (in *streamInstance) Check(req protocols.CheckRequest) protocols.Report {
	delivery, complete := in.k.Results()
	var rep protocols.Report
	for _, name := range req.Checks {
		switch name {
		case CheckDelivery:
			rep.Checks = append(rep.Checks, delivery)
		case CheckComplete:
			rep.Checks = append(rep.Checks, complete)
		}
	}
	secs := time.Duration(req.World.Now()).Seconds()
	rep.Stats = append([]protocols.Stat{
		{Name: "streams", Value: float64(len(in.k.order))},
		{Name: "messages written", Value: float64(in.k.written())},
		{Name: "messages delivered", Value: float64(in.k.delivered)},
		{Name: "delivered per second of the run", Value: float64(in.k.delivered) / max(secs, 1e-9), Unit: "msgs/s"},
		{Name: "streams closed in order", Value: float64(in.k.ended["ok"])},
		{Name: "streams reset", Value: float64(in.k.ended["reset"])},
		{Name: "streams broken", Value: float64(in.k.ended["broken"])},
	}, in.net.stats()...)
	return rep
}

// netCounter counts transport segments on the wire, across crashes.
type netCounter struct {
	segments, data, retransmits, acks, resets, dropped int
}

func (n *netCounter) observe(e *sim.Event) {
	seg, ok := e.Msg.(*Segment)
	if !ok {
		return
	}
	switch e.Kind {
	case sim.KindSend:
		n.segments++
		switch {
		case seg.Flags&FlagRST != 0:
			n.resets++
		case seg.consumes() && seg.Retx > 0:
			n.retransmits++
		case seg.Flags&FlagData != 0:
			n.data++
		case !seg.consumes() && seg.Flags&FlagProbe == 0:
			n.acks++
		}
	case sim.KindDrop:
		n.dropped++
	}
}

func (n *netCounter) stats() []protocols.Stat {
	return []protocols.Stat{
		{Name: "segments sent", Value: float64(n.segments)},
		{Name: "messages sent once", Value: float64(n.data)},
		{Name: "retransmissions", Value: float64(n.retransmits)},
		{Name: "pure acks", Value: float64(n.acks)},
		{Name: "resets sent", Value: float64(n.resets)},
		{Name: "segments lost", Value: float64(n.dropped)},
	}
}
