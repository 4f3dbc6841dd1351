package twopc

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dsimlab/dsim/sim"
)

// ErrConfig is wrapped by every error about an unusable Config.
var ErrConfig = errors.New("twopc: bad configuration")

// Variant selects the correct protocol or one of the bug zoo's deliberate
// mistakes, for teaching and for testing the checkers.
type Variant string

// The variants. Each wrong one breaks one rule of the protocol.
const (
	// Correct is the protocol as described in the package documentation.
	Correct Variant = "correct"
	// EarlyCommit: the coordinator commits once all votes but one are in
	// and yes, without waiting for the last vote.
	EarlyCommit Variant = "early-commit"
	// NoPrepareSync: a participant votes yes without syncing its prepared
	// state, so a crash can make it forget its vote and its locks.
	NoPrepareSync Variant = "no-prepare-sync"
	// AnnounceBeforeLog: the coordinator sends its commit decision before
	// its commit record is durable (it syncs once every ack is in), so a
	// crash in between makes it abort, on recovery, what it announced as
	// committed.
	AnnounceBeforeLog Variant = "announce-before-log"
	// UnilateralAbort: a participant that voted yes and hears nothing
	// aborts on its own when its decision timeout fires, instead of
	// running the termination protocol.
	UnilateralAbort Variant = "unilateral-abort"
	// EarlyRelease: a participant releases its locks as soon as it votes
	// yes, instead of holding them until the decision (not two-phase
	// locking), so transactions see each other's partial effects.
	EarlyRelease Variant = "early-release"
)

// Variants lists every variant, Correct first.
func Variants() []Variant {
	return []Variant{Correct, EarlyCommit, NoPrepareSync, AnnounceBeforeLog, UnilateralAbort, EarlyRelease}
}

// Config is what a commit protocol's nodes share: who is who, the protocol
// (two- or three-phase), its timeouts and its variant. All durations are on
// each node's own (possibly skewed) clock.
type Config struct {
	// ThreePhase selects three-phase commit instead of two-phase commit.
	ThreePhase bool
	// Variant selects a bug-zoo variant (two-phase commit only); empty
	// means Correct.
	Variant Variant
	// Coordinator is the coordinator's node id.
	Coordinator sim.NodeID
	// Participants are the participants' node ids, in order; key kI lives
	// on Participants[I mod len(Participants)] (see Owner).
	Participants []sim.NodeID
	// Retry is how often the coordinator resends prepares and decisions
	// that were not answered, and clients resend their requests.
	Retry time.Duration
	// VoteTimeout is how long the coordinator waits for every vote before
	// it aborts.
	VoteTimeout time.Duration
	// DecisionTimeout is how long a participant that voted yes waits for
	// the decision before it starts the termination protocol, and then
	// the interval between its termination rounds. For three-phase commit
	// it must exceed VoteTimeout plus two message delays, or a participant
	// may abort what the coordinator is about to pre-commit.
	DecisionTimeout time.Duration
	// AckTimeout (three-phase commit) is how long the coordinator waits
	// for pre-commit acknowledgements before committing anyway.
	AckTimeout time.Duration
	// Window (three-phase commit) is how long a participant collects
	// states in a termination round, and a backup coordinator collects
	// pre-commit acknowledgements.
	Window time.Duration
	// NoProbability is the probability that a participant votes no on a
	// transaction it could prepare.
	NoProbability float64
	// Queries has participants record what others tell them of
	// transactions they decided already (see Told).
	Queries bool
}

// DefaultConfig returns the default timeouts for a coordinator and
// participants, suited to links of a few milliseconds.
func DefaultConfig(coordinator sim.NodeID, participants []sim.NodeID) Config {
	return Config{
		Variant:         Correct,
		Coordinator:     coordinator,
		Participants:    participants,
		Retry:           20 * time.Millisecond,
		VoteTimeout:     100 * time.Millisecond,
		DecisionTimeout: 200 * time.Millisecond,
		AckTimeout:      100 * time.Millisecond,
		Window:          40 * time.Millisecond,
	}
}

// Validate reports whether c is usable.
func (c Config) Validate() error {
	switch {
	case len(c.Participants) == 0:
		return fmt.Errorf("%w: no participants", ErrConfig)
	case c.Retry <= 0 || c.VoteTimeout <= 0 || c.DecisionTimeout <= 0:
		return fmt.Errorf("%w: retry, vote and decision timeouts must be positive", ErrConfig)
	case c.ThreePhase && (c.AckTimeout <= 0 || c.Window <= 0):
		return fmt.Errorf("%w: three-phase commit needs positive ack timeout and window", ErrConfig)
	case c.NoProbability < 0 || c.NoProbability > 1:
		return fmt.Errorf("%w: no probability %v is not in [0, 1]", ErrConfig, c.NoProbability)
	case c.Variant != "" && !slices.Contains(Variants(), c.Variant):
		return fmt.Errorf("%w: unknown variant %q", ErrConfig, c.Variant)
	case c.ThreePhase && c.Variant != "" && c.Variant != Correct:
		return fmt.Errorf("%w: three-phase commit has no variant %q", ErrConfig, c.Variant)
	}
	return nil
}

func (c *Config) is(v Variant) bool { return c.Variant == v }

// Owner returns the index, in a list of n participants, of the participant
// that holds key: I mod n for keys named kI (as workloads name them), and
// an FNV-1a hash of the name mod n for any other key.
func Owner(key string, n int) int {
	if i, err := strconv.Atoi(strings.TrimPrefix(key, "k")); err == nil && strings.HasPrefix(key, "k") && i >= 0 {
		return i % n
	}
	h := uint32(2166136261)
	for i := 0; i < len(key); i++ {
		h ^= uint32(key[i])
		h *= 16777619
	}
	return int(h % uint32(n))
}
