// Package twopclab is the two-phase commit lab of dsim: your coordinator
// and participants, run among dsim's 2PC clients and checks
// (twopc.ProtocolOf). README.md teaches the protocol, the parts of the lab
// and the tools; `go run ./cmd/twopclab lab test` grades your work.
//
// This file is given whole. You write coordinator.go and participant.go
// (part 1, commit) and recovery.go (part 2), where the comments that start
// with TODO(lab) say what each function must do.
package twopclab

import (
	"strings"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/twopc"
	"github.com/dsimlab/dsim/sim"
)

// Protocol is your two-phase commit as dsim runs it: the scenario protocol
// "twopc-lab", dsim's 2PC clients and checks around your coordinator
// ("coord") and participants (n1..nN), with twopc's parameters (but
// variant).
func Protocol() protocols.Protocol {
	return twopc.ProtocolOf("twopc-lab", NewCoordinator, NewParticipant)
}

// Timer tags, with String methods for traces.
type (
	resendTimer struct{ txn string } // coordinator: resend what was not answered
	voteTimer   struct{ txn string } // coordinator: the votes are overdue
	doubtTimer  struct{ txn string } // participant: the decision is overdue
)

func (t resendTimer) String() string { return "resend " + t.txn }
func (t voteTimer) String() string   { return "vote timeout " + t.txn }
func (t doubtTimer) String() string  { return "decision timeout " + t.txn }

// owner returns the participant that holds key.
func owner(cfg twopc.Config, key string) sim.NodeID {
	return cfg.Participants[twopc.Owner(key, len(cfg.Participants))]
}

// names returns the names of nodes, joined by commas.
func names(ctx *sim.Context, nodes []sim.NodeID) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = ctx.NodeName(n)
	}
	return out
}

// txnKey returns the storage key of a record about transaction txn.
func txnKey(prefix, txn string) string { return prefix + txn }

// txnOf returns the transaction a storage key is about.
func txnOf(prefix, key string) string { return strings.TrimPrefix(key, prefix) }
