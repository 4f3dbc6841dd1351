package snapshot_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/snapshot"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

func cand(id int, sent, recv []int) snapshot.Candidate {
	return snapshot.Candidate{ID: id, Sent: sent, Recv: recv}
}

func TestRecoveryLine(t *testing.T) {
	zero := []int{0, 0}
	tests := []struct {
		name    string
		cands   [][]snapshot.Candidate
		cascade bool
		want    []int
	}{
		{"latest states are consistent", [][]snapshot.Candidate{
			{cand(0, zero, zero), cand(snapshot.Current, []int{0, 2}, []int{0, 1})},
			{cand(0, zero, zero), cand(3, []int{1, 0}, []int{2, 0})},
		}, true, []int{snapshot.Current, 3}},
		{"an orphan moves the receiver back one", [][]snapshot.Candidate{
			// n1's checkpoint 1 sent 2 to n2; n2's current state received 3.
			{cand(0, zero, zero), cand(1, []int{0, 2}, zero)},
			{cand(0, zero, zero), cand(5, zero, []int{1, 0}), cand(snapshot.Current, zero, []int{3, 0})},
		}, true, []int{1, 5}},
		{"the domino effect runs back to the start", [][]snapshot.Candidate{
			// Each checkpoint received a transfer that the other node's
			// previous checkpoint had not sent yet: n1's #2 orphans n2's
			// #2, which sends n2 to #1, which orphans n1's #1, and so on.
			{cand(0, zero, zero), cand(1, []int{0, 1}, []int{0, 1}), cand(2, []int{0, 2}, []int{0, 2})},
			{cand(0, zero, zero), cand(1, []int{0, 0}, []int{1, 0}), cand(2, []int{1, 0}, []int{2, 0})},
		}, true, []int{0, 0}},
		{"without the cascade the orphan stays", [][]snapshot.Candidate{
			{cand(0, zero, zero), cand(1, []int{0, 2}, zero)},
			{cand(0, zero, zero), cand(snapshot.Current, zero, []int{3, 0})},
		}, false, []int{1, snapshot.Current}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, recv := snapshot.RecoveryLine(tt.cands, tt.cascade)
			assert.Equal(t, tt.want, line)
			require.Len(t, recv, len(tt.cands))
			if tt.cascade {
				for i := range recv {
					for j := range recv {
						if i == j {
							continue
						}
						var sent []int
						for _, c := range tt.cands[j] {
							if c.ID == line[j] {
								sent = c.Sent
							}
						}
						assert.LessOrEqual(t, recv[i][j], sent[i], "no orphan %d<-%d", i, j)
					}
				}
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	ids := []sim.NodeID{0, 1, 2}
	tests := []struct {
		name string
		edit func(*snapshot.Config)
		ok   bool
	}{
		{"default", func(*snapshot.Config) {}, true},
		{"one node", func(c *snapshot.Config) { c.Nodes = ids[:1] }, false},
		{"unknown mode", func(c *snapshot.Config) { c.Mode = "gossip" }, false},
		{"unknown variant", func(c *snapshot.Config) { c.Variant = "typo" }, false},
		{"zero amount", func(c *snapshot.Config) { c.MaxAmount = 0 }, false},
		{"zero retransmit", func(c *snapshot.Config) { c.Retransmit = 0 }, false},
		{"domino variant needs uncoordinated mode", func(c *snapshot.Config) { c.Variant = snapshot.LatestCheckpoints }, false},
		{"marker variant needs snapshots", func(c *snapshot.Config) {
			c.Mode, c.Variant = snapshot.Uncoordinated, snapshot.LateMarker
		}, false},
		{"no-replay in either mode", func(c *snapshot.Config) {
			c.Mode, c.Variant = snapshot.Uncoordinated, snapshot.NoReplay
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := snapshot.DefaultConfig(ids)
			tt.edit(&c)
			err := c.Validate()
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, snapshot.ErrConfig)
			}
		})
	}
}

// parse parses an inline snapshot scenario.
func parse(t *testing.T, yaml string) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Parse("inline.yaml", []byte(yaml), []protocols.Protocol{snapshot.Protocol()})
	require.NoError(t, err)
	return s
}

func TestSetupRejectsClientsAndShortRuns(t *testing.T) {
	for _, y := range []string{
		"name: x\nprotocol: snapshot\nnodes: 3\nclients: 1\nduration: 2s\n",
		"name: x\nprotocol: snapshot\nnodes: 1\nduration: 2s\n",
		"name: x\nprotocol: snapshot\nnodes: 3\nduration: 1s\nparams: {settle: 1s}\n",
		"name: x\nprotocol: snapshot\nnodes: 3\nduration: 2s\nparams: {variant: latest-checkpoints}\n",
	} {
		s, err := scenarios.Parse("inline.yaml", []byte(y), []protocols.Protocol{snapshot.Protocol()})
		if err == nil {
			_, err = scenarios.Run(s, 1, scenarios.RunOptions{})
		}
		assert.ErrorIs(t, err, scenarios.ErrInvalid, y)
	}
}

// TestTotalFailure crashes every node at once; they restart with only
// their disks and must roll back together to the latest complete snapshot.
func TestTotalFailure(t *testing.T) {
	s := parse(t, `name: total-failure
protocol: snapshot
params: {reliable: false}
nodes: 3
network: {latency: {kind: uniform, min: 1ms, max: 10ms}, fifo: true}
workload: {think: 2ms}
duration: 3s
faults:
  - {at: 1s, crash: n1}
  - {at: 1s, crash: n2}
  - {at: 1s, crash: n3}
  - {at: 1200ms, restart: n3}
  - {at: 1250ms, restart: n2}
  - {at: 1300ms, restart: n1}
`)
	for seed := uint64(1); seed <= 5; seed++ {
		o := run(t, s, seed)
		require.True(t, o.Passed, "seed %d: %v", seed, failures(o))
		assert.GreaterOrEqual(t, stat(t, o, "recoveries"), 1.0)
	}
}

// TestTextbookNeedsReliableFIFOChannels runs the algorithm trusting the
// network (reliable: false) where the network breaks the assumption: a
// lossy network loses money, a reordering one lets markers overtake
// transfers. The checks must notice; the channel layer must fix both.
func TestTextbookNeedsReliableFIFOChannels(t *testing.T) {
	const base = `name: %s
protocol: snapshot
params: {reliable: %v}
nodes: 4
network: %s
workload: {think: 2ms}
duration: 2s
`
	networks := map[string]string{
		"lossy":      "{latency: {kind: uniform, min: 1ms, max: 10ms}, fifo: true, drop: 0.02}",
		"reordering": "{latency: {kind: uniform, min: 1ms, max: 10ms}, fifo: false}",
	}
	for _, name := range []string{"lossy", "reordering"} {
		t.Run(name, func(t *testing.T) {
			trusting := parse(t, fmt.Sprintf(base, name, false, networks[name]))
			caught := 0
			for seed := uint64(1); seed <= 5; seed++ {
				if o := run(t, trusting, seed); !o.Passed {
					caught++
				}
			}
			assert.Equal(t, 5, caught, "every seed breaks the textbook algorithm")
			layered := parse(t, fmt.Sprintf(base, name, true, networks[name]))
			for seed := uint64(1); seed <= 5; seed++ {
				o := run(t, layered, seed)
				require.True(t, o.Passed, "seed %d: %v", seed, failures(o))
			}
		})
	}
}

// TestNodeStatusAfterRun drives nodes directly in a World and reads their
// final state.
func TestNodeStatusAfterRun(t *testing.T) {
	w, err := sim.New(sim.Config{Seed: 3, Link: sim.LinkConfig{Latency: sim.Constant(2 * time.Millisecond), FIFO: true}})
	require.NoError(t, err)
	ids := []sim.NodeID{0, 1, 2}
	cfg := snapshot.DefaultConfig(ids)
	cfg.Transfers = 50
	audit := snapshot.NewAuditor(ids, []string{"n1", "n2", "n3"}, cfg.Initial)
	w.Observe(audit.Observe)
	for i := range ids {
		w.MustAddNode(fmt.Sprintf("n%d", i+1), snapshot.NewNode(cfg, i, nil))
	}
	w.RunUntil(sim.Time(time.Second))
	total := 0
	final := snapshot.Finals(w, ids)
	for i, f := range final {
		require.True(t, f.Up)
		total += f.Balance
		sent := 0
		for _, s := range f.Sent {
			sent += s
		}
		assert.LessOrEqual(t, sent, cfg.Transfers, "n%d made at most its budget", i+1)
		assert.Zero(t, f.Unacked)
	}
	assert.Equal(t, cfg.Total(), total)
	assert.Equal(t, checker.Holds, audit.Conservation(final).Verdict)
	assert.Equal(t, checker.Holds, audit.Consistency().Verdict)
}
