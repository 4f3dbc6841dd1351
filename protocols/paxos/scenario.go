package paxos

import (
	"slices"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/kv"
	"github.com/dsimlab/dsim/sim"
)

// Protocol describes the Multi-Paxos key-value store to the scenario
// loader: its parameters, its checks and its Setup.
func Protocol() protocols.Protocol {
	def := DefaultConfig()
	return protocols.Protocol{
		Name:    "paxos",
		Summary: "Multi-Paxos replicated key-value store (get, put, append, cas), checked for linearizability and Paxos safety",
		Params: []protocols.Param{
			protocols.VariantParam(Variants),
			{Name: "heartbeat", Kind: protocols.Duration, Default: def.Heartbeat, Min: float64(time.Microsecond), Max: float64(time.Minute),
				Doc: "servers' tick: how often a leader tells idle followers it is alive"},
			{Name: "election_timeout", Kind: protocols.Duration, Default: def.ElectionTimeout, Min: float64(time.Microsecond), Max: float64(time.Hour),
				Doc: "a follower campaigns after hearing from no leader for a time uniform in [T, 2T)"},
			{Name: "retry", Kind: protocols.Duration, Default: def.Retry, Min: float64(time.Microsecond), Max: float64(time.Hour),
				Doc: "a client resends an unanswered request to another server after this; servers retransmit after half"},
			{Name: "backoff", Kind: protocols.Duration, Default: def.Backoff, Min: float64(time.Microsecond), Max: float64(time.Hour),
				Doc: "a refused candidate waits a time uniform in [B, 5B) before campaigning again"},
			kv.LivenessBound(def.LivenessBound),
		},
		Checks: []protocols.CheckInfo{
			kv.Linearizable,
			{Name: checker.PaxosAgreementCheck, Default: true,
				Summary: "no slot has two chosen values; replicas apply only chosen values"},
			{Name: checker.PaxosValidityCheck, Default: true,
				Summary: "acceptors accept only proposals; proposals are client commands or the no-op; no acceptor goes back on a promise"},
			{Name: checker.PaxosPrefixCheck, Default: true,
				Summary: "replicas apply slots in order, and their applied logs are prefixes of each other"},
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
	return newCluster(env, cfg, nil)
}

// newCluster builds the cluster a scenario describes, with the scenario's
// online checks (hunt.go).
func newCluster(env *protocols.Env, cfg Config, servers func(i int) sim.Factory) (*Cluster, error) {
	cl, err := NewClusterOf(env.World, cfg, servers)
	if err != nil {
		return nil, err
	}
	cl.mon = protocols.NewMonitor(env)
	return cl, nil
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
		Backoff:         env.Params.Duration("backoff"),
		LivenessBound:   env.Params.Duration("liveness_bound"),
		Workload:        env.Workload,
	}
}

// ProtocolOf describes to the scenario loader, as name, a Multi-Paxos
// key-value store whose servers are one's own, a lab's for example:
// servers(cfg, i) builds server number i (from 0, named "n1" for 0) of a
// cluster configured by cfg, among this package's clients and checks
// (NewClusterOf). It has Protocol's parameters and checks, but no
// variant: the servers are what they are.
func ProtocolOf(name string, servers func(cfg Config, i int) sim.Factory) protocols.Protocol {
	p := Protocol()
	p.Name = name
	p.Summary = "Multi-Paxos key-value store of one's own servers, checked as paxos is"
	p.Params = slices.DeleteFunc(p.Params, func(q protocols.Param) bool { return q.Name == "variant" })
	p.Setup = func(env *protocols.Env) (protocols.Instance, error) {
		cfg := config(env)
		return newCluster(env, cfg, func(i int) sim.Factory { return servers(cfg, i) })
	}
	return p
}
