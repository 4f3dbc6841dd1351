package paxos

import (
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
)

// Protocol describes the Multi-Paxos key-value store to the scenario
// loader: its parameters, its checks and its Setup.
func Protocol() protocols.Protocol {
	def := DefaultConfig()
	variants := make([]string, len(Variants))
	for i, v := range Variants {
		variants[i] = string(v)
	}
	return protocols.Protocol{
		Name:    "paxos",
		Summary: "Multi-Paxos replicated key-value store (get, put, append, cas), checked for linearizability and Paxos safety",
		Params: []protocols.Param{
			{Name: "variant", Kind: protocols.String, Default: string(Correct), Choices: variants,
				Doc: "the protocol, or a deliberately wrong variant of it (the bug zoo)"},
			{Name: "heartbeat", Kind: protocols.Duration, Default: def.Heartbeat, Min: float64(time.Microsecond), Max: float64(time.Minute),
				Doc: "servers' tick: how often a leader tells idle followers it is alive"},
			{Name: "election_timeout", Kind: protocols.Duration, Default: def.ElectionTimeout, Min: float64(time.Microsecond), Max: float64(time.Hour),
				Doc: "a follower campaigns after hearing from no leader for a time uniform in [T, 2T)"},
			{Name: "retry", Kind: protocols.Duration, Default: def.Retry, Min: float64(time.Microsecond), Max: float64(time.Hour),
				Doc: "a client resends an unanswered request to another server after this; servers retransmit after half"},
			{Name: "backoff", Kind: protocols.Duration, Default: def.Backoff, Min: float64(time.Microsecond), Max: float64(time.Hour),
				Doc: "a refused candidate waits a time uniform in [B, 5B) before campaigning again"},
			{Name: "liveness_bound", Kind: protocols.Duration, Default: def.LivenessBound, Min: float64(time.Microsecond), Max: float64(24 * time.Hour),
				Doc: "the liveness check wants an operation completed this soon after the last fault"},
		},
		Checks: []protocols.CheckInfo{
			{Name: checker.LinearizabilityCheck, Default: true,
				Summary: "the clients' history is linearizable (porcupine, key-value model partitioned by key)"},
			{Name: checker.PaxosAgreementCheck, Default: true,
				Summary: "no slot has two chosen values; replicas apply only chosen values"},
			{Name: checker.PaxosValidityCheck, Default: true,
				Summary: "acceptors accept only proposals; proposals are client commands or the no-op; no acceptor goes back on a promise"},
			{Name: checker.PaxosPrefixCheck, Default: true,
				Summary: "replicas apply slots in order, and their applied logs are prefixes of each other"},
			{Name: LivenessCheck, Default: true,
				Summary: "after the last fault, an operation completes within liveness_bound"},
		},
		Ops:   []string{"append", "cas", "get", "put"},
		Setup: setup,
	}
}

// setup builds a Cluster from a scenario's settings.
func setup(env *protocols.Env) (protocols.Instance, error) {
	cfg := Config{
		Servers:         env.Nodes,
		Clients:         env.Clients,
		Variant:         Variant(env.Params.String("variant")),
		Heartbeat:       env.Params.Duration("heartbeat"),
		ElectionTimeout: env.Params.Duration("election_timeout"),
		Retry:           env.Params.Duration("retry"),
		Backoff:         env.Params.Duration("backoff"),
		LivenessBound:   env.Params.Duration("liveness_bound"),
		Workload:        env.Workload,
	}
	cl, err := NewCluster(env.World, cfg)
	if err != nil {
		return nil, err
	}
	cl.mon = protocols.NewMonitor(env)
	return cl, nil
}
