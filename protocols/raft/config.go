package raft

import (
	"errors"
	"fmt"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/kv"
)

// MaxServers is the largest cluster: vote and acknowledgement sets are
// 64-bit.
const MaxServers = 64

// Config configures a Raft key-value cluster. Durations are on the nodes'
// own (possibly skewed) clocks.
type Config struct {
	Servers int     // servers, named n1..nN; 1 to MaxServers
	Clients int     // clients, named c1..cM
	Variant Variant // Correct, or a bug-zoo variant
	// Heartbeat is how often a leader sends every follower an
	// AppendEntries (empty if it has nothing new), and how often a
	// candidate asks again for the votes it lacks.
	Heartbeat time.Duration
	// ElectionTimeout is how long a follower waits without hearing from a
	// leader, or a candidate without winning, before it starts an
	// election: uniform in [T, 2T), drawn from the node's own random
	// stream.
	ElectionTimeout time.Duration
	// Retry is how long a client waits for an answer before resending its
	// command to another server.
	Retry time.Duration
	// SnapshotEvery, if positive, has a server snapshot its state machine
	// and drop the log it covers once it has applied this many entries
	// past its last snapshot. Zero keeps the whole log.
	SnapshotEvery int
	// Batch is the most entries one AppendEntries carries.
	Batch int
	// LivenessBound is how soon after the last fault an operation must
	// complete for the liveness check to hold.
	LivenessBound time.Duration
	// Workload is what the clients do: Ops operations in all (gets, puts,
	// appends and compare-and-sets, by the mix), each abandoned after
	// Timeout (zero: never).
	Workload protocols.Workload
}

// DefaultConfig returns the configuration of raft-calm: 5 servers, 3
// clients, 1000 operations on 5 keys, with timings fit for links of a few
// milliseconds, and no snapshots.
func DefaultConfig() Config {
	return Config{
		Servers:         5,
		Clients:         3,
		Variant:         Correct,
		Heartbeat:       10 * time.Millisecond,
		ElectionTimeout: 100 * time.Millisecond,
		Retry:           100 * time.Millisecond,
		Batch:           64,
		LivenessBound:   2 * time.Second,
		Workload: protocols.Workload{
			Ops:          1000,
			Mix:          []protocols.MixEntry{{Op: "append", Weight: 1}, {Op: "cas", Weight: 1}, {Op: "get", Weight: 4}, {Op: "put", Weight: 2}},
			Keys:         5,
			Distribution: "uniform",
			Timeout:      time.Second,
		},
	}
}

// ErrConfig is wrapped by the errors about a bad configuration.
var ErrConfig = errors.New("raft: bad configuration")

// Validate reports what is wrong with cfg, wrapping ErrConfig.
func (cfg Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, args...))
	}
	switch {
	case cfg.Servers < 1 || cfg.Servers > MaxServers:
		return bad("servers: %d, want 1 to %d", cfg.Servers, MaxServers)
	case cfg.Clients < 0:
		return bad("clients: %d is negative", cfg.Clients)
	case cfg.Heartbeat <= 0:
		return bad("heartbeat: %v, want a positive duration", cfg.Heartbeat)
	case cfg.ElectionTimeout <= 0:
		return bad("election timeout: %v, want a positive duration", cfg.ElectionTimeout)
	case cfg.Retry <= 0:
		return bad("retry: %v, want a positive duration", cfg.Retry)
	case cfg.SnapshotEvery < 0:
		return bad("snapshot every: %d is negative", cfg.SnapshotEvery)
	case cfg.Batch < 1:
		return bad("batch: %d, want at least 1", cfg.Batch)
	case cfg.LivenessBound <= 0:
		return bad("liveness bound: %v, want a positive duration", cfg.LivenessBound)
	}
	if _, err := ParseVariant(string(cfg.Variant)); err != nil {
		return bad("variant: %q is not one of %v", cfg.Variant, Variants)
	}
	if err := kv.ValidateMix(cfg.Workload.Mix, checker.KVGet, checker.KVPut, checker.KVAppend, checker.KVCAS); err != nil {
		return bad("workload: %v", err)
	}
	if cfg.Clients > 0 && cfg.Workload.Ops > 0 && len(cfg.Workload.Mix) == 0 {
		return bad("workload: no operation mix")
	}
	return nil
}

// quorum returns the size of a majority of the servers.
func (cfg Config) quorum() int { return cfg.Servers/2 + 1 }
