package labs

import (
	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/explore"
)

// twopcChecks are the checks of two-phase commit: atomicity and isolation
// (safety), termination (liveness).
var twopcChecks = []string{checker.AtomicityCheck, checker.IsolationCheck, checker.TerminationCheck}

// TwoPC returns the two-phase commit lab: the commit protocol, then its
// recovery from crashes, against package twopc's messages, clients and
// checks.
func TwoPC() *Lab {
	return &Lab{
		Name:     "twopc",
		Title:    "Two-phase commit: atomic transactions over participants that crash",
		Summary:  "two-phase commit with presumed abort in two parts, checked for atomicity, serializability and termination",
		Builtin:  "twopc",
		Protocol: "twopc-lab",
		Command:  "twopclab",
		Parts: []Part{
			{Name: "commit", Summary: "prepare, vote, decide, apply: locks, reads, resends, asking when in doubt",
				Files: []string{"coordinator.go", "participant.go"}},
			{Name: "recovery", Summary: "logs synced before the messages that depend on them; recovery at restart",
				Files: []string{"recovery.go"}},
		},
		Tests: []Test{
			{Name: "commit-calm", Part: "commit", Tier: Run, Points: 10, Scenario: "twopc-calm", Seeds: Seeds(1, 3), Checks: twopcChecks,
				Hint: "commit only once every participant voted yes; hold the locks until the decision"},
			{Name: "commit-lossy", Part: "commit", Tier: Run, Points: 10, Scenario: "twopc-lossy", Seeds: Seeds(1, 3), Checks: twopcChecks,
				Hint: "messages get lost and duplicated: resend prepares and commits, answer a repeated prepare with the same vote"},
			{Name: "search-commit", Part: "commit", Tier: Search, Points: 10, Scenario: "twopc-explore", Seeds: Seeds(1, 1), Checks: twopcChecks,
				Search: &explore.Options{MaxTimers: 1},
				Hint:   "in some order of the messages the decision went wrong: commit needs every vote, and a yes vote is final"},
			{Name: "search-timeouts", Part: "commit", Tier: Search, Points: 10, Scenario: "twopc-explore", Seeds: Seeds(1, 1), Checks: twopcChecks,
				Search: &explore.Options{MaxTimers: 2, MaxStates: 5000},
				Hint:   "a timeout fired early: only the coordinator may abort on a timeout, and only before it decided"},
			{Name: "search-crash", Part: "recovery", Tier: Search, Points: 10, Scenario: "twopc-explore", Seeds: Seeds(1, 1), Checks: twopcChecks,
				Search: &explore.Options{MaxTimers: 1, MaxCrashes: 1, MaxStates: 5000},
				Hint:   "a crash at the worst moment: whatever a node said before it crashed must be on its disk"},
			{Name: "partition", Part: "commit", Tier: Unreliable, Points: 10, Scenario: "twopc-partition", Seeds: Seeds(1, 10), Checks: twopcChecks,
				Hint: "a participant that voted yes and hears nothing must wait and ask: the coordinator may have committed"},
			{Name: "participant-crash", Part: "recovery", Tier: Unreliable, Points: 10, Scenario: "twopc-participant-crash", Seeds: Seeds(1, 10), Checks: twopcChecks,
				Hint: "a participant's prepared state (and locks) must be on disk before it votes yes, and come back at restart"},
			{Name: "coordinator-crash", Part: "recovery", Tier: Unreliable, Points: 15, Scenario: "twopc-coordinator-crash", Seeds: Seeds(1, 20), Checks: twopcChecks,
				Hint: "the commit record must be on disk before anyone hears of the commit; at restart, commits are resent and the rest aborted"},
			{Name: "nemesis", Part: "recovery", Tier: Unreliable, Points: 15, Scenario: "twopc-nemesis", Seeds: Seeds(1, 10), Swarm: true, Checks: twopcChecks,
				Hint: "everything at once: crashes, pauses, partitions and a lossy network"},
		},
		CheckHints: map[string]string{
			checker.AtomicityCheck:   "two nodes decided differently, or a node changed its mind across a crash, or a commit without every yes vote",
			checker.IsolationCheck:   "committed transactions saw each other's partial effects: locks released too early, or reads outside the locks",
			checker.TerminationCheck: "a transaction is still in doubt at the end: is the decision resent, does an in-doubt participant ask?",
		},
	}
}
