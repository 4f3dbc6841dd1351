package library

// ZooEntry pairs one of a protocol's deliberately wrong variants (its
// "variant" parameter) with the library scenario that catches it.
type ZooEntry struct {
	Variant, Scenario string
}

// Zoo is the README's bug zoo: every wrong variant of the library's
// protocols with checks, and the scenario each is swept on. The balancer's
// variants are left out: its zoo sweeps a scenario of its own, with
// timeouts, that no library scenario has. Tests that measure the zoo (how
// fast a sweep, a swarm or a shrink gets to each bug) range over it.
var Zoo = []ZooEntry{
	{"count-stale-votes", "raft-partition"},
	{"commit-old-term", "raft-figure8"},
	{"volatile-vote", "raft-vote-restart"},
	{"no-log-check", "raft-figure8"},
	{"vote-any-log", "raft-nemesis"},
	{"follower-reads", "raft-calm"},
	{"proposer-ignores-accepted", "paxos-leader-crash"},
	{"acceptor-no-sync", "paxos-leader-crash"},
	{"acceptor-accepts-lower", "paxos-nemesis"},
	{"quorum-floor", "paxos-partition"},
	{"follower-local-reads", "paxos-calm"},
	{"no-dedup", "paxos-lossy"},
	{"early-commit", "twopc-calm"},
	{"no-prepare-sync", "twopc-participant-crash"},
	{"announce-before-log", "twopc-coordinator-crash"},
	{"unilateral-abort", "twopc-partition"},
	{"early-release", "twopc-calm"},
	{"reply-before-backup", "pbkv-primary-crash"},
	{"view-without-ack", "pbkv-partition"},
	{"backup-before-transfer", "pbkv-backup-crash"},
	{"lease-without-margin", "pbkv-clock-skew"},
	{"no-channel-state", "snapshot-calm"},
	{"late-marker", "snapshot-calm"},
	{"no-replay", "snapshot-crashes"},
	{"unsynced", "snapshot-crashes"},
	{"latest-checkpoints", "snapshot-domino"},
	{"no-reexec", "mapreduce-crash-reduce"},
	{"in-place", "mapreduce-lossy"},
	{"reduce-early", "mapreduce-calm"},
	{"accept-late", "mapreduce-pause"},
	{"no-lease", "mapreduce-pause"},
	{"no-dedup", "transport-lossy"},
	{"early-ack", "transport-lossy"},
	{"window-overrun", "transport-lossy"},
	{"sticky", "detector-crash-restart"},
	{"shared-timer", "detector-crash-restart"},
}
