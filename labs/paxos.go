package labs

import (
	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/explore"
	"github.com/dsimlab/dsim/protocols/paxos"
)

// paxosChecks are every check of the Paxos key-value store.
var paxosChecks = []string{checker.LinearizabilityCheck, checker.PaxosAgreementCheck, checker.PaxosValidityCheck,
	checker.PaxosPrefixCheck, paxos.LivenessCheck}

// Paxos returns the Paxos lab: a Multi-Paxos key-value store, the acceptor
// first, then the leader, then the replica, against package paxos's
// messages, clients and checks.
func Paxos() *Lab {
	return &Lab{
		Name:     "paxos",
		Title:    "Paxos: a Multi-Paxos replicated key-value store",
		Summary:  "a Multi-Paxos key-value store in three parts, checked for linearizability and Paxos safety",
		Builtin:  "paxos",
		Protocol: "paxos-lab",
		Command:  "paxoslab",
		Parts: []Part{
			{Name: "acceptor", Summary: "promises and acceptances, on disk before they are answered", Files: []string{"acceptor.go"}},
			{Name: "leader", Summary: "phase 1 over every open slot, adopting the highest-ballot value; phase 2; choosing", Files: []string{"leader.go"}},
			{Name: "replica", Summary: "learning what is chosen, catching up, applying in order once per request, serving clients", Files: []string{"replica.go"}},
		},
		Tests: []Test{
			{Name: "calm", Part: "replica", Tier: Run, Points: 10, Scenario: "paxos-calm", Seeds: Seeds(1, 3), Checks: paxosChecks,
				Hint: "every command, reads too, goes through the log: a reply comes from applying a chosen slot"},
			{Name: "lossy", Part: "replica", Tier: Run, Points: 10, Scenario: "paxos-lossy", Seeds: Seeds(1, 3), Checks: paxosChecks,
				Hint: "clients resend: the state machine executes a session's sequence number once; leaders resend proposals"},
			{Name: "search-orders", Part: "leader", Tier: Search, Points: 10, Scenario: "paxos-calm", Seeds: Seeds(1, 1),
				Checks: paxosChecks, Change: small(3, 1, 2),
				Search: &explore.Options{Mode: explore.PCT, Runs: 500, MaxDepth: 80, MaxTimers: 8, SearchSeed: 1},
				Hint:   "three servers and one client, 500 runs in orders a scheduler picks: one value per slot, whatever the order"},
			{Name: "search-faults", Part: "acceptor", Tier: Search, Points: 10, Scenario: "paxos-calm", Seeds: Seeds(1, 1),
				Checks: paxosChecks, Change: small(3, 1, 2),
				Search: &explore.Options{Mode: explore.Random, Runs: 500, MaxDepth: 80, MaxTimers: 8, MaxCrashes: 2, MaxDrops: 2, SearchSeed: 1},
				Hint:   "random runs with crashes and lost messages: an acceptor's promise and acceptances survive a crash"},
			{Name: "leader-crash", Part: "leader", Tier: Unreliable, Points: 15, Scenario: "paxos-leader-crash", Seeds: Seeds(1, 5), Checks: paxosChecks,
				Hint: "a new leader must propose, in each open slot, the value of the highest ballot its promises reported; acceptors sync before they answer"},
			{Name: "partition", Part: "leader", Tier: Unreliable, Points: 15, Scenario: "paxos-partition", Seeds: Seeds(1, 5), Checks: paxosChecks,
				Hint: "a value is chosen by a majority of all the servers, never fewer: any two majorities share an acceptor"},
			{Name: "clock-skew", Part: "leader", Tier: Unreliable, Points: 10, Scenario: "paxos-clock-skew", Seeds: Seeds(1, 5), Checks: paxosChecks,
				Hint: "Paxos needs no clocks for safety: only timeouts, for liveness"},
			{Name: "nemesis", Part: "acceptor", Tier: Unreliable, Points: 20, Scenario: "paxos-nemesis", Seeds: Seeds(1, 10), Swarm: true, Checks: paxosChecks,
				Hint: "an acceptor accepts nothing below its promise, at any slot, and keeps promise and acceptances across crashes"},
		},
		CheckHints: map[string]string{
			checker.PaxosAgreementCheck:  "two values were chosen at one slot, or a replica applied an unchosen one: a leader ignored a value its promises reported, an acceptor forgot or broke a promise, or a quorum too small",
			checker.PaxosValidityCheck:   "an acceptor accepted what nobody proposed, or a leader proposed what no client asked",
			checker.PaxosPrefixCheck:     "replicas applied slots out of order or differently: learn a slot only from a chosen value, apply in slot order",
			checker.LinearizabilityCheck: "clients saw what no single copy could give: a read answered outside the log, or a retried write applied twice",
			paxos.LivenessCheck:          "nothing completed after the faults: does a leader get elected again, and do its proposals get resent and chosen?",
		},
	}
}
