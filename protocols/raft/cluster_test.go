package raft

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

func TestCalmClusterPasses(t *testing.T) {
	w, cl, rep := calmSpec().run(t, 1)
	require.Empty(t, rep.Failed())
	require.Len(t, rep.Checks, len(allChecks))
	stats := map[string]float64{}
	for _, s := range rep.Stats {
		stats[s.Name] = s.Value
	}
	assert.Equal(t, 1000.0, stats["operations completed"])
	assert.Equal(t, 1.0, stats["elections won"], "a calm network needs one election")
	assert.GreaterOrEqual(t, stats["entries committed"], 1000.0)
	assert.Less(t, w.Now(), sim.Time(time.Minute), "the run stops when the clients are done")
	_, _, found := cl.Violation()
	assert.False(t, found)
}

// Every server ends a calm run with the same log, and the followers with
// the same state machine (the leader may have applied the last entry
// before the run stopped, ahead of them), and their descriptions say so.
func TestServersConverge(t *testing.T) {
	s := calmSpec()
	s.cfg.Workload.Ops = 100
	w, cl := s.simulate(t, 3)
	var logs, kvs []string
	roles := map[string]int{}
	for _, id := range cl.Servers() {
		lines := strings.Split(w.Node(id).(sim.Describer).DescribeState(), "\n")
		require.GreaterOrEqual(t, len(lines), 3)
		role := strings.TrimPrefix(strings.Fields(lines[0])[2], "role=")
		roles[role]++
		logs = append(logs, lines[1])
		if role == "follower" {
			kvs = append(kvs, lines[2])
		}
	}
	assert.Equal(t, map[string]int{"leader": 1, "follower": 4}, roles)
	for i := range logs {
		assert.Equal(t, logs[0], logs[i])
	}
	for i := range kvs {
		assert.Equal(t, kvs[0], kvs[i])
	}
	assert.True(t, strings.HasPrefix(logs[0], "log 1/c"), logs[0])
	assert.True(t, strings.HasPrefix(kvs[0], "kv k0="), kvs[0])
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Config)
		want   string // "" for valid
	}{
		{"default", func(*Config) {}, ""},
		{"one server", func(c *Config) { c.Servers = 1 }, ""},
		{"no server", func(c *Config) { c.Servers = 0 }, "servers: 0"},
		{"too many servers", func(c *Config) { c.Servers = 65 }, "servers: 65"},
		{"negative clients", func(c *Config) { c.Clients = -1 }, "clients"},
		{"no heartbeat", func(c *Config) { c.Heartbeat = 0 }, "heartbeat"},
		{"no election timeout", func(c *Config) { c.ElectionTimeout = 0 }, "election timeout"},
		{"no retry", func(c *Config) { c.Retry = 0 }, "retry"},
		{"negative snapshots", func(c *Config) { c.SnapshotEvery = -1 }, "snapshot"},
		{"no batch", func(c *Config) { c.Batch = 0 }, "batch"},
		{"no liveness bound", func(c *Config) { c.LivenessBound = 0 }, "liveness"},
		{"unknown variant", func(c *Config) { c.Variant = "sloppy" }, "variant"},
		{"unknown operation", func(c *Config) { c.Workload.Mix = []protocols.MixEntry{{Op: "delete", Weight: 1}} }, "delete"},
		{"no mix", func(c *Config) { c.Workload.Mix = nil }, "no operation mix"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tc.change(&cfg)
			err := cfg.Validate()
			if tc.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrConfig))
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// A single server is a cluster of its own: it elects itself and commits
// alone.
func TestSingleServer(t *testing.T) {
	s := calmSpec()
	s.cfg.Servers, s.cfg.Workload.Ops = 1, 50
	_, _, rep := s.run(t, 1)
	assert.Empty(t, rep.Failed())
}

// A check the protocol does not have is inconclusive; a Raft check with
// nothing to check (a run too short to elect anyone) is vacuous.
func TestCheckPolicy(t *testing.T) {
	s := calmSpec()
	s.duration = time.Millisecond
	w, cl := s.simulate(t, 1)
	rep := cl.Check(protocols.CheckRequest{World: w, Checks: []string{"no-such-check", ElectionSafetyCheck, StateMachineSafetyCheck}})
	require.Len(t, rep.Checks, 3)
	assert.Equal(t, checker.Inconclusive, rep.Checks[0].Verdict)
	assert.Contains(t, rep.Checks[0].Detail, "no check")
	for _, r := range rep.Checks[1:] {
		assert.Equal(t, checker.Inconclusive, r.Verdict, r.Check)
		assert.True(t, r.Vacuous, r.Check)
		assert.Equal(t, checker.Safety, r.Kind)
	}
}

// A server's description has the shape its documentation shows (the
// example there is this test's leader).
func TestDescribeState(t *testing.T) {
	s := calmSpec()
	s.cfg.Servers, s.cfg.Clients, s.cfg.Workload.Ops = 3, 2, 6
	w, cl := s.simulate(t, 1)
	var desc string
	for _, id := range cl.Servers() {
		if d := w.Node(id).(sim.Describer).DescribeState(); strings.Contains(d, "role=leader") {
			desc = d
		}
	}
	assert.Equal(t, `term=1 vote=n1 role=leader leader=n1 commit=6 applied=6 snapshot=0/0
log 1/c1#1 1/c2#1 1/c2#2 1/c1#2 1/c2#3 1/c1#3
kv k1="c2.3;" k4="c2.2;" | sessions 12884901889:3="",false 17179869185:3="",false
next 7 7 7 match 6 5 6 | proposed 12884901889:3 17179869185:3`, desc)
}
