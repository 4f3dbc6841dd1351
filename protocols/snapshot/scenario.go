package snapshot

import (
	"fmt"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// Protocol describes the package to the scenario loader as "snapshot":
// bank nodes n1..nN (the scenario's nodes; n1 also coordinates), no
// clients. Each node makes its share of the workload's ops as random
// transfers, paced by the workload's think time or rate (or the interval
// parameter), and none in the last settle of the run. The mode parameter
// picks Chandy–Lamport snapshots or uncoordinated checkpoints; variant
// selects the bug zoo.
func Protocol() protocols.Protocol {
	dur := func(d time.Duration) float64 { return float64(d) }
	def := DefaultConfig(nil)
	return protocols.Protocol{
		Name:    "snapshot",
		Summary: "Chandy–Lamport snapshots of a bank, rollback recovery, and the domino effect of uncoordinated checkpoints",
		Params: []protocols.Param{
			{Name: "mode", Kind: protocols.String, Default: string(ChandyLamport), Doc: "coordinated snapshots or per-node checkpoints",
				Choices: []string{string(ChandyLamport), string(Uncoordinated)}},
			protocols.VariantParam(Variants),
			{Name: "initial", Kind: protocols.Int, Default: def.Initial, Doc: "each node's starting balance", Min: 0, Max: 1e9},
			{Name: "max_amount", Kind: protocols.Int, Default: def.MaxAmount, Doc: "largest transfer; amounts are uniform from 1", Min: 1, Max: 1e9},
			{Name: "interval", Kind: protocols.Duration, Default: def.Interval, Doc: "time between a node's transfers when the workload sets no think time or rate",
				Min: dur(time.Microsecond), Max: dur(time.Hour)},
			{Name: "settle", Kind: protocols.Duration, Default: time.Second, Doc: "no new transfers in this last part of the run, so it ends settled",
				Min: 0, Max: dur(24 * time.Hour)},
			{Name: "snapshot_interval", Kind: protocols.Duration, Default: def.SnapshotInterval, Doc: "how often the coordinator tries to start a snapshot (one at a time)",
				Min: dur(time.Microsecond), Max: dur(time.Hour)},
			{Name: "checkpoint_interval", Kind: protocols.Duration, Default: def.CheckpointInterval, Doc: "mean time between a node's own checkpoints (uncoordinated)",
				Min: dur(time.Microsecond), Max: dur(time.Hour)},
			{Name: "retransmit", Kind: protocols.Duration, Default: def.Retransmit, Doc: "resend period of unacknowledged messages, reports and recovery orders",
				Min: dur(time.Microsecond), Max: dur(time.Hour)},
			{Name: "reliable", Kind: protocols.Bool, Default: def.Reliable, Doc: "run the reliable FIFO channel layer (acks, retransmission, reordering); false trusts the network's links"},
		},
		Checks: []protocols.CheckInfo{
			{Name: ConsistencyCheck, Summary: "checkpoints match what was sent and received; every snapshot is a consistent cut adding up to the total", Default: true},
			{Name: RecoveryCheck, Summary: "every recovery restored a consistent cut adding up to the total; says how far each node rolled back", Default: true},
			{Name: ConservationCheck, Summary: "at the end every transfer was received once and the balances add up to the total", Default: true},
			{Name: ProgressCheck, Summary: "liveness: snapshots or checkpoints were taken and every recovery finished", Default: true},
		},
		Ops:   []string{"transfer"},
		Setup: setup,
	}
}

type instance struct {
	cfg   Config
	audit *Auditor
	mon   protocols.Monitor // online checks (hunt.go)
}

func setup(env *protocols.Env) (protocols.Instance, error) {
	if env.Clients != 0 {
		return nil, fmt.Errorf("snapshot has no clients (clients: 0), not %d: the bank nodes make the transfers", env.Clients)
	}
	if env.Nodes < 2 {
		return nil, fmt.Errorf("snapshot needs at least 2 nodes, not %d", env.Nodes)
	}
	p := env.Params
	settle := p.Duration("settle")
	if settle >= env.Duration {
		return nil, fmt.Errorf("settle %v leaves no time for transfers in a run of %v", settle, env.Duration)
	}
	w := env.World
	base := sim.NodeID(len(w.Nodes()))
	ids := make([]sim.NodeID, env.Nodes)
	names := make([]string, env.Nodes)
	for i := range ids {
		ids[i] = base + sim.NodeID(i)
		names[i] = fmt.Sprintf("n%d", i+1)
	}
	cfg := DefaultConfig(ids)
	cfg.Mode = Mode(p.String("mode"))
	cfg.Variant = Variant(p.String("variant"))
	cfg.Initial = p.Int("initial")
	cfg.MaxAmount = p.Int("max_amount")
	cfg.Interval = p.Duration("interval")
	cfg.StopAt = sim.Time(env.Duration - settle)
	cfg.SnapshotInterval = p.Duration("snapshot_interval")
	cfg.CheckpointInterval = p.Duration("checkpoint_interval")
	cfg.Retransmit = p.Duration("retransmit")
	cfg.Reliable = p.Bool("reliable")
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &cluster{cfg: cfg, index: map[sim.NodeID]int{}}
	for i, id := range ids {
		c.index[id] = i
	}
	for i, name := range names {
		var pace func() time.Duration
		if env.Workload.Rate > 0 || env.Workload.Think > 0 {
			pace = protocols.NewGenerator(env.Workload, w.Stream("workload/"+name)).Gap
		}
		id, err := w.AddNode(name, newFactory(c, i, pace, env.Workload.Share(i, env.Nodes)))
		if err != nil {
			return nil, err
		}
		if id != ids[i] {
			return nil, fmt.Errorf("node %s got id %d, want %d", name, id, ids[i])
		}
	}
	in := &instance{cfg: cfg, audit: NewAuditor(ids, names, cfg.Initial), mon: protocols.NewMonitor(env)}
	w.Observe(in.audit.Observe)
	if in.mon.On() {
		w.Observe(in.watch)
	}
	return in, nil
}

func (in *instance) Servers() []sim.NodeID { return in.cfg.Nodes }

// Finals reads the state of bank nodes ids at the end of a run, for
// Auditor.Conservation and Auditor.Progress. A crashed node is not Up.
func Finals(w *sim.World, ids []sim.NodeID) []Final {
	out := make([]Final, len(ids))
	for i, id := range ids {
		if nd, ok := w.Node(id).(*Node); ok && w.Up(id) {
			out[i] = Final{Up: true, NodeStatus: nd.Status()}
		}
	}
	return out
}

func (in *instance) Check(req protocols.CheckRequest) protocols.Report {
	final := Finals(req.World, in.cfg.Nodes)
	var rep protocols.Report
	for _, name := range req.Checks {
		var r checker.Result
		switch name {
		case ConsistencyCheck:
			r = in.audit.Consistency()
		case RecoveryCheck:
			r = in.audit.Recovery()
		case ConservationCheck:
			r = in.audit.Conservation(final)
		case ProgressCheck:
			r = in.audit.Progress(in.cfg.Mode, final)
		default:
			continue
		}
		rep.Checks = append(rep.Checks, r)
	}
	rep.Stats = in.audit.Stats()
	return rep
}
