package paxos

import "fmt"

// Variant selects a deliberately wrong version of the protocol, for the bug
// zoo: each one breaks one rule the correct protocol follows, and the
// checks must catch it. Correct is the protocol as it should be.
type Variant string

// The variants. Each names the rule it breaks.
const (
	// Correct is the protocol as designed.
	Correct Variant = "correct"
	// IgnoreAccepted: a new leader ignores the values acceptors report in
	// their promises and fills every open slot with a no-op (or its own
	// value, in single-decree Paxos), overwriting values that may have been
	// chosen.
	IgnoreAccepted Variant = "proposer-ignores-accepted"
	// NoSync: acceptors reply before their promise or acceptance is on
	// disk; they never call Sync, so a crash makes them forget.
	NoSync Variant = "acceptor-no-sync"
	// AcceptLower: acceptors accept proposals with a ballot lower than the
	// one they promised, so deposed leaders keep getting values chosen.
	AcceptLower Variant = "acceptor-accepts-lower"
	// QuorumFloor: quorums have ⌊n/2⌋ members instead of ⌊n/2⌋+1, so two
	// quorums need not intersect.
	QuorumFloor Variant = "quorum-floor"
	// LocalReads: a follower answers a get from its own applied state
	// instead of passing it through the leader's log, so reads can be
	// stale. Only the key-value store has reads.
	LocalReads Variant = "follower-local-reads"
	// NoDedup: servers ignore client ids and sequence numbers: the leader
	// proposes every retry of a request anew and replicas apply each copy,
	// so a retried append takes effect twice. Only the key-value store has
	// clients.
	NoDedup Variant = "no-dedup"
)

// Variants lists every variant, Correct first.
var Variants = []Variant{Correct, IgnoreAccepted, NoSync, AcceptLower, QuorumFloor, LocalReads, NoDedup}

// ParseVariant returns the variant called name.
func ParseVariant(name string) (Variant, error) {
	for _, v := range Variants {
		if string(v) == name {
			return v, nil
		}
	}
	return "", fmt.Errorf("paxos: unknown variant %q", name)
}

// quorum returns the quorum size this variant uses with n acceptors.
func (v Variant) quorum(n int) int {
	if v == QuorumFloor {
		return max(n/2, 1)
	}
	return n/2 + 1
}
