package labs

import (
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/explore"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/raft"
	"github.com/dsimlab/dsim/scenarios"
)

// raftChecks are every check of Raft: linearizability, Raft's four safety
// properties, liveness.
var raftChecks = []string{checker.LinearizabilityCheck, raft.ElectionSafetyCheck, raft.LogMatchingCheck,
	raft.LeaderCompletenessCheck, raft.StateMachineSafetyCheck, raft.LivenessCheck}

// electionOnly is the check of part 1 alone.
var electionOnly = []string{raft.ElectionSafetyCheck}

// Raft returns the Raft lab: election, then replication, then
// persistence, against package raft's messages, clients and checks.
func Raft() *Lab {
	return &Lab{
		Name:     "raft",
		Title:    "Raft: leader election, log replication, persistence",
		Summary:  "a Raft key-value store in three parts, checked for linearizability and Raft's safety properties",
		Builtin:  "raft",
		Protocol: "raft-lab",
		Command:  "raftlab",
		Parts: []Part{
			{Name: "election", Summary: "terms, votes and the election restriction; one leader per term", Files: []string{"election.go"}},
			{Name: "replication", Summary: "AppendEntries, the log matching check, commitment (Figure 8) and applying", Files: []string{"replicate.go"}},
			{Name: "persistence", Summary: "term, vote and log on disk before acting on them; reading them back", Files: []string{"persist.go"}},
		},
		Tests: []Test{
			{Name: "election-calm", Part: "election", Tier: Run, Points: 5, Scenario: "raft-calm", Seeds: Seeds(1, 2), Checks: electionOnly,
				Hint: "a leader must be elected (raft.Elected) and only one per term: campaign, onRequestVote, onVote, lead"},
			{Name: "election-lossy", Part: "election", Tier: Run, Points: 5, Scenario: "raft-lossy", Seeds: Seeds(1, 2), Checks: electionOnly,
				Hint: "votes and requests get lost or arrive twice: a candidate asks again every heartbeat, a vote is counted once"},
			{Name: "replication-calm", Part: "replication", Tier: Run, Points: 5, Scenario: "raft-calm", Seeds: Seeds(1, 3), Checks: raftChecks,
				Hint: "every command goes through the leader's log; answer the client when the entry is applied"},
			{Name: "replication-lossy", Part: "replication", Tier: Run, Points: 5, Scenario: "raft-lossy", Seeds: Seeds(1, 3), Checks: raftChecks,
				Hint: "AppendEntries and replies get lost, duplicated and reordered: onAppendReply must not lower match, a refusal resends"},
			{Name: "election-search", Part: "election", Tier: Search, Points: 10, Scenario: "raft-calm", Seeds: Seeds(1, 1),
				Checks: electionOnly, Change: small(3, 0, 0),
				Search: &explore.Options{Mode: explore.PCT, Runs: 300, MaxDepth: 60, MaxTimers: 6, SearchSeed: 1},
				Hint:   "three servers and no client, 300 runs in orders a scheduler picks: one leader per term, whatever the order"},
			{Name: "replication-search", Part: "replication", Tier: Search, Points: 10, Scenario: "raft-calm", Seeds: Seeds(1, 1),
				Checks: raftChecks, Change: small(3, 1, 2),
				Search: &explore.Options{Mode: explore.PCT, Runs: 500, MaxDepth: 80, MaxTimers: 8, SearchSeed: 1},
				Hint:   "three servers and one client writing and reading: the logs and what is committed must agree in every order"},
			{Name: "election-partition", Part: "election", Tier: Unreliable, Points: 10, Scenario: "raft-partition", Seeds: Seeds(1, 10), Checks: electionOnly,
				Hint: "a candidate counts only votes granted in its current term, and starts counting afresh in each term"},
			{Name: "replication-figure8", Part: "replication", Tier: Unreliable, Points: 10, Scenario: "raft-figure8", Seeds: Seeds(1, 3), Checks: raftChecks,
				Hint: "Figure 8: a leader commits by counting replicas only entries of its own term; a follower checks PrevIndex/PrevTerm"},
			{Name: "replication-partition", Part: "replication", Tier: Unreliable, Points: 10, Scenario: "raft-partition", Seeds: Seeds(1, 5), Checks: raftChecks,
				Hint: "an old leader in a minority keeps appending what it cannot commit; the new leader's log must win"},
			{Name: "persistence-vote-restart", Part: "persistence", Tier: Unreliable, Points: 10, Scenario: "raft-vote-restart", Seeds: Seeds(1, 10), Checks: raftChecks,
				Hint: "a server that restarts in the middle of an election must remember its vote: saveHard before answering"},
			{Name: "persistence-crashes", Part: "persistence", Tier: Unreliable, Points: 10, Scenario: "raft-leader-crash", Seeds: Seeds(1, 5), Checks: raftChecks,
				Hint: "after a crash a server has only what it synced: the log (saveEntries) and term and vote (saveHard), read back by load"},
			{Name: "nemesis", Part: "persistence", Tier: Unreliable, Points: 10, Scenario: "raft-nemesis", Seeds: Seeds(1, 10), Swarm: true, Checks: raftChecks,
				Hint: "everything at once; a leader missing committed entries means a vote went to a candidate with an older log (upToDate)"},
		},
		CheckHints: map[string]string{
			raft.ElectionSafetyCheck:     "two leaders in one term: a vote given twice in a term (forgotten in a crash?), or votes of another term counted",
			raft.LogMatchingCheck:        "two logs agree on an entry but not before it: a follower accepted entries without checking its entry at PrevIndex",
			raft.LeaderCompletenessCheck: "a leader lacks a committed entry: the election restriction (upToDate), Figure 8 (commit only your own term's entries), or a log lost in a crash",
			raft.StateMachineSafetyCheck: "two servers applied different entries at one index: something was committed that was not safely replicated",
			checker.LinearizabilityCheck: "clients saw something no single copy could give: reads answered outside the log, an acknowledged write lost, a command applied twice",
			raft.LivenessCheck:           "nothing completed after the faults ended: is a leader elected again, and does it commit and answer?",
		},
	}
}

// small returns a change to a scenario that makes it a small configuration
// for a search: servers, clients, ops writes and reads of one key, no
// faults but the search's own, and 3 s to run.
func small(servers, clients, ops int) func(*scenarios.Scenario) {
	return func(s *scenarios.Scenario) {
		s.Nodes, s.Clients = servers, clients
		s.Workload.Ops, s.Workload.Keys = ops, 1
		s.Workload.Mix = []protocols.MixEntry{{Op: "put", Weight: 1}, {Op: "get", Weight: 1}}
		s.Faults, s.Nemesis, s.Duration = nil, nil, 3*time.Second
	}
}
