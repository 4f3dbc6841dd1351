package pbkv

import (
	"time"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/kv"
)

// Protocol describes the primary-backup key-value store to the scenario
// loader. Its nodes are the view service "vs", the servers n1..nN and the
// clients c1..cM; the nemesis may fault the view service and the servers.
func Protocol() protocols.Protocol {
	def := DefaultConfig()
	return protocols.Protocol{
		Name:    "pbkv",
		Summary: "primary-backup key-value store with a view service (get, put, append), durable through write-ahead logs",
		Params: []protocols.Param{
			protocols.VariantParam(Variants),
			{Name: "ping", Kind: protocols.Duration, Default: def.Ping, Min: float64(time.Microsecond), Max: float64(time.Minute),
				Doc: "how often servers ping the view service"},
			{Name: "dead_pings", Kind: protocols.Int, Default: def.DeadPings, Min: 1, Max: 1000,
				Doc: "missed pings after which the view service considers a server dead"},
			{Name: "retry", Kind: protocols.Duration, Default: def.Retry, Min: float64(time.Microsecond), Max: float64(time.Hour),
				Doc: "a client asks for the view and resends an unanswered request after this"},
			{Name: "leases", Kind: protocols.Bool, Default: false,
				Doc: "the primary answers gets locally while its read lease runs"},
			{Name: "lease", Kind: protocols.Duration, Default: def.Lease, Min: float64(time.Microsecond), Max: float64(time.Hour),
				Doc: "how long a read lease runs, on the view service's clock"},
			{Name: "lease_margin", Kind: protocols.Duration, Default: def.LeaseMargin, Min: 0, Max: float64(time.Hour),
				Doc: "the clock assumption: how far a primary's clock may lag the view service's; the primary gives up its lease this early"},
			{Name: "checkpoint_every", Kind: protocols.Int, Default: def.CheckpointEvery, Min: 1, Max: 1 << 30,
				Doc: "records between checkpoints of the write-ahead logs"},
		},
		Checks: []protocols.CheckInfo{
			kv.Linearizable,
			{Name: AckedWritesCheck, Default: true,
				Summary: "every acknowledged write is in the final state once, unless a later put overwrote it"},
			{Name: OnePrimaryCheck, Default: true,
				Summary: "at most one server acts as primary in each view: the one the view service named"},
		},
		Ops:   []string{"append", "get", "put"},
		Setup: setup,
	}
}

// setup builds a Cluster from a scenario's settings.
func setup(env *protocols.Env) (protocols.Instance, error) {
	cfg := Config{
		Servers:         env.Nodes,
		Clients:         env.Clients,
		Variant:         Variant(env.Params.String("variant")),
		Ping:            env.Params.Duration("ping"),
		DeadPings:       env.Params.Int("dead_pings"),
		Retry:           env.Params.Duration("retry"),
		Leases:          env.Params.Bool("leases"),
		Lease:           env.Params.Duration("lease"),
		LeaseMargin:     env.Params.Duration("lease_margin"),
		CheckpointEvery: env.Params.Int("checkpoint_every"),
		Workload:        env.Workload,
	}
	cl, err := NewCluster(env.World, cfg)
	if err != nil {
		return nil, err
	}
	cl.mon = protocols.NewMonitor(env)
	return cl, nil
}
