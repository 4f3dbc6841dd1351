package raft

import "fmt"

// Variant selects a deliberately wrong version of the protocol, for the bug
// zoo: each one breaks one rule the correct protocol follows, and the
// checks must catch it. Correct is the protocol as it should be.
type Variant string

// The variants. Each names the rule it breaks.
const (
	// Correct is Raft as the paper describes it.
	Correct Variant = "correct"
	// CountStaleVotes: a candidate counts votes granted in earlier terms:
	// it keeps the votes of its earlier candidacies and counts a granted
	// vote whatever term the reply is from, so a server that has since
	// voted for someone else counts for it too.
	CountStaleVotes Variant = "count-stale-votes"
	// CommitOldTerm: a leader commits any entry a majority stores, whatever
	// its term, instead of only entries of its own term (the Figure 8 rule
	// of the Raft paper), so an entry it commits can still be overwritten
	// by a later leader.
	CommitOldTerm Variant = "commit-old-term"
	// VolatileVote: a server keeps its vote in memory only (its term is
	// still written to disk), so after a restart it can vote a second time
	// in the same term.
	VolatileVote Variant = "volatile-vote"
	// NoLogCheck: a follower accepts AppendEntries without checking that
	// its log holds the leader's entry at PrevIndex with PrevTerm, so
	// entries land after a prefix that differs from the leader's.
	NoLogCheck Variant = "no-log-check"
	// VoteAnyLog: a server grants its vote without checking that the
	// candidate's log is at least as up to date as its own (the election
	// restriction), so a leader can lack committed entries.
	VoteAnyLog Variant = "vote-any-log"
	// FollowerReads: a follower answers a get from its own state machine
	// instead of passing it through the leader's log, so reads can be
	// stale. The log itself stays sound.
	FollowerReads Variant = "follower-reads"
)

// Variants lists every variant, Correct first.
var Variants = []Variant{Correct, CountStaleVotes, CommitOldTerm, VolatileVote, NoLogCheck, VoteAnyLog, FollowerReads}

// ParseVariant returns the variant called name.
func ParseVariant(name string) (Variant, error) {
	for _, v := range Variants {
		if string(v) == name {
			return v, nil
		}
	}
	return "", fmt.Errorf("raft: unknown variant %q", name)
}
