package raft

import (
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
)

// Protocol describes the Raft key-value store to the scenario loader: its
// parameters, its checks and its Setup.
func Protocol() protocols.Protocol {
	def := DefaultConfig()
	variants := make([]string, len(Variants))
	for i, v := range Variants {
		variants[i] = string(v)
	}
	return protocols.Protocol{
		Name:    "raft",
		Summary: "Raft replicated key-value store (get, put, append, cas), checked for linearizability and Raft's safety properties",
		Params: []protocols.Param{
			{Name: "variant", Kind: protocols.String, Default: string(Correct), Choices: variants,
				Doc: "the protocol, or a deliberately wrong variant of it (the bug zoo)"},
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
			{Name: "liveness_bound", Kind: protocols.Duration, Default: def.LivenessBound, Min: float64(time.Microsecond), Max: float64(24 * time.Hour),
				Doc: "the liveness check wants an operation completed this soon after the last fault"},
		},
		Checks: []protocols.CheckInfo{
			{Name: checker.LinearizabilityCheck, Default: true,
				Summary: "the clients' history is linearizable (porcupine, key-value model partitioned by key)"},
			{Name: ElectionSafetyCheck, Default: true, Summary: "at most one leader is elected in a term"},
			{Name: LogMatchingCheck, Default: true,
				Summary: "two logs with an entry of the same index and term are identical up to it"},
			{Name: LeaderCompletenessCheck, Default: true,
				Summary: "a leader holds every entry committed in earlier terms, and commits on top of them"},
			{Name: StateMachineSafetyCheck, Default: true,
				Summary: "every server applies, at each index, the entry committed there"},
			{Name: LivenessCheck, Default: true,
				Summary: "after the last fault, an operation completes within liveness_bound"},
		},
		Ops:   []string{"append", "cas", "get", "put"},
		Setup: setup,
	}
}

// setup builds a Cluster from a scenario's settings.
func setup(env *protocols.Env) (protocols.Instance, error) {
	return NewCluster(env.World, Config{
		Servers:         env.Nodes,
		Clients:         env.Clients,
		Variant:         Variant(env.Params.String("variant")),
		Heartbeat:       env.Params.Duration("heartbeat"),
		ElectionTimeout: env.Params.Duration("election_timeout"),
		Retry:           env.Params.Duration("retry"),
		SnapshotEvery:   env.Params.Int("snapshot_every"),
		Batch:           env.Params.Int("batch"),
		LivenessBound:   env.Params.Duration("liveness_bound"),
		Workload:        env.Workload,
	})
}
