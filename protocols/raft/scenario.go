package raft

import (
	"slices"
	"time"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/kv"
	"github.com/dsimlab/dsim/sim"
)

// Protocol describes the Raft key-value store to the scenario loader: its
// parameters, its checks and its Setup.
func Protocol() protocols.Protocol {
	def := DefaultConfig()
	return protocols.Protocol{
		Name:    "raft",
		Summary: "Raft replicated key-value store (get, put, append, cas), checked for linearizability and Raft's safety properties",
		Params: []protocols.Param{
			protocols.VariantParam(Variants),
			{Name: "heartbeat", Kind: protocols.Duration, Default: def.Heartbeat, Min: float64(time.Microsecond), Max: float64(time.Minute),
				Doc: "how often a leader sends AppendEntries to every follower (and a candidate asks again for votes)"},
			{Name: "election_timeout", Kind: protocols.Duration, Default: def.ElectionTimeout, Min: float64(time.Microsecond), Max: float64(time.Hour),
				Doc: "a server that hears from no leader for a time uniform in [T, 2T) starts an election"},
			{Name: "retry", Kind: protocols.Duration, Default: def.Retry, Min: float64(time.Microsecond), Max: float64(time.Hour),
				Doc: "a client resends an unanswered command to another server after this"},
			{Name: "snapshot_every", Kind: protocols.Int, Default: def.SnapshotEvery, Min: 0, Max: 1 << 30,
				Doc: "a server snapshots its state and drops its log after applying this many entries (0: never)"},
			{Name: "batch", Kind: protocols.Int, Default: def.Batch, Min: 1, Max: 1 << 20,
				Doc: "the most entries one AppendEntries carries"},
			kv.LivenessBound(def.LivenessBound),
		},
		Checks: []protocols.CheckInfo{
			kv.Linearizable,
			{Name: ElectionSafetyCheck, Default: true, Summary: "at most one leader is elected in a term"},
			{Name: LogMatchingCheck, Default: true,
				Summary: "two logs with an entry of the same index and term are identical up to it"},
			{Name: LeaderCompletenessCheck, Default: true,
				Summary: "a leader holds every entry committed in earlier terms, and commits on top of them"},
			{Name: StateMachineSafetyCheck, Default: true,
				Summary: "every server applies, at each index, the entry committed there"},
			kv.Liveness,
		},
		Ops:   []string{"append", "cas", "get", "put"},
		Setup: setup,
	}
}

// setup builds a Cluster from a scenario's settings.
func setup(env *protocols.Env) (protocols.Instance, error) {
	cfg := config(env)
	cfg.Variant = Variant(env.Params.String("variant"))
	return NewCluster(env.World, cfg)
}

// config is the configuration a scenario's settings give, with the
// Correct variant.
func config(env *protocols.Env) Config {
	return Config{
		Servers:         env.Nodes,
		Clients:         env.Clients,
		Variant:         Correct,
		Heartbeat:       env.Params.Duration("heartbeat"),
		ElectionTimeout: env.Params.Duration("election_timeout"),
		Retry:           env.Params.Duration("retry"),
		SnapshotEvery:   env.Params.Int("snapshot_every"),
		Batch:           env.Params.Int("batch"),
		LivenessBound:   env.Params.Duration("liveness_bound"),
		Workload:        env.Workload,
	}
}

// ProtocolOf describes to the scenario loader, as name, a Raft key-value
// store whose servers are one's own, a lab's for example: servers(cfg, i)
// builds server number i (from 0, named "n1" for 0) of a cluster configured
// by cfg, among this package's clients and checks (NewClusterOf). It has
// Protocol's parameters and checks, but no variant: the servers are what
// they are.
func ProtocolOf(name string, servers func(cfg Config, i int) sim.Factory) protocols.Protocol {
	p := Protocol()
	p.Name = name
	p.Summary = "Raft key-value store of one's own servers, checked as raft is"
	p.Params = slices.DeleteFunc(p.Params, func(q protocols.Param) bool { return q.Name == "variant" })
	p.Setup = func(env *protocols.Env) (protocols.Instance, error) {
		cfg := config(env)
		return NewClusterOf(env.World, cfg, func(i int) sim.Factory { return servers(cfg, i) })
	}
	return p
}
