package paxos

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no servers", func(c *Config) { c.Servers = 0 }, "servers: 0"},
		{"too many servers", func(c *Config) { c.Servers = 65 }, "servers: 65"},
		{"negative clients", func(c *Config) { c.Clients = -1 }, "clients: -1"},
		{"no heartbeat", func(c *Config) { c.Heartbeat = 0 }, "heartbeat"},
		{"no election timeout", func(c *Config) { c.ElectionTimeout = 0 }, "election timeout"},
		{"no retry", func(c *Config) { c.Retry = 0 }, "retry"},
		{"no backoff", func(c *Config) { c.Backoff = 0 }, "backoff"},
		{"no liveness bound", func(c *Config) { c.LivenessBound = 0 }, "liveness bound"},
		{"unknown variant", func(c *Config) { c.Variant = "sloppy" }, `variant: "sloppy"`},
		{"unknown operation", func(c *Config) { c.Workload.Mix = []protocols.MixEntry{{Op: "delete", Weight: 1}} }, `operation "delete"`},
		{"no mix", func(c *Config) { c.Workload.Mix = nil }, "no operation mix"},
	}
	require.NoError(t, DefaultConfig().Validate())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			tt.edit(&cfg)
			err := cfg.Validate()
			require.ErrorIs(t, err, ErrConfig)
			assert.ErrorContains(t, err, tt.want)
			w, werr := sim.New(sim.Config{Seed: 1})
			require.NoError(t, werr)
			_, err = NewCluster(w, cfg)
			assert.ErrorIs(t, err, ErrConfig)
		})
	}
}

func TestSameSeedSameRun(t *testing.T) {
	s := calmSpec()
	s.link = sim.LinkConfig{Latency: sim.LogNormal(3*time.Millisecond, 0.8), Drop: 0.1, Duplicate: 0.1}
	s.faults = func(w *sim.World, cl *Cluster) {
		w.At(sim.Time(time.Second), func(w *sim.World) { w.Crash(cl.Servers()[0]) })
		w.At(sim.Time(2*time.Second), func(w *sim.World) { w.Restart(cl.Servers()[0]) })
	}
	fingerprint := func(seed uint64) (uint64, int) {
		w, cl := simulate(t, s, seed)
		return w.Fingerprint(), len(cl.Trace().Events)
	}
	a, na := fingerprint(5)
	b, nb := fingerprint(5)
	c, _ := fingerprint(6)
	assert.Equal(t, a, b)
	assert.Equal(t, na, nb)
	assert.NotEqual(t, a, c)
}

func TestProgressUnderLossAndCrashes(t *testing.T) {
	s := calmSpec()
	s.link = sim.LinkConfig{Latency: sim.Uniform(time.Millisecond, 10*time.Millisecond), Drop: 0.2, Duplicate: 0.2}
	s.faults = func(w *sim.World, cl *Cluster) {
		// Crash two of five for a second, twice.
		for k, at := range []time.Duration{time.Second, 3 * time.Second} {
			for _, i := range []int{k, k + 2} {
				id := cl.Servers()[i]
				w.At(sim.Time(at), func(w *sim.World) { w.Crash(id) })
				w.At(sim.Time(at+time.Second), func(w *sim.World) { w.Restart(id) })
			}
		}
	}
	for seed := uint64(1); seed <= 3; seed++ {
		_, cl, rep := s.run(t, seed)
		require.Empty(t, rep.Failed(), "seed %d", seed)
		ok := 0
		for _, op := range cl.History() {
			if op.Outcome == checker.OK {
				ok++
			}
		}
		assert.Greater(t, ok, 900, "seed %d: most operations complete", seed)
	}
}

// TestLivenessViolated cuts every server off for good: nothing completes
// after the partition, which the liveness check reports while the safety
// checks hold.
func TestLivenessViolated(t *testing.T) {
	s := calmSpec()
	s.duration = 5 * time.Second
	s.faults = func(w *sim.World, cl *Cluster) {
		w.At(sim.Time(time.Second), func(w *sim.World) {
			var groups [][]sim.NodeID
			for _, id := range cl.Servers() {
				groups = append(groups, []sim.NodeID{id})
			}
			w.Partition(groups...)
		})
	}
	_, _, rep := s.run(t, 1)
	for _, r := range rep.Checks {
		if r.Kind == checker.Liveness {
			assert.Equal(t, checker.Violated, r.Verdict, r.Detail)
			assert.Contains(t, r.Detail, "after the last fault (at 1s)")
		} else {
			assert.Equal(t, checker.Holds, r.Verdict, r.String())
		}
	}
}

// FuzzServerMessages delivers arbitrary (but small-numbered) protocol
// messages to a running replica: whatever they say, it must not crash.
func FuzzServerMessages(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	f.Add([]byte{7, 0, 0, 9, 9, 9, 8, 200, 3, 1, 4, 1, 5, 9, 2, 6})
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := sim.New(sim.Config{Seed: 1})
		require.NoError(t, err)
		cfg := DefaultConfig()
		cfg.Servers, cfg.Clients, cfg.Workload.Ops = 3, 1, 20
		cl, err := NewCluster(w, cfg)
		require.NoError(t, err)
		w.RunUntil(sim.Time(300 * time.Millisecond))
		next := func() int64 {
			if len(data) == 0 {
				return 0
			}
			b := data[0]
			data = data[1:]
			return int64(b)
		}
		c := cmd("c1#1")
		c.Client = cl.Clients()[0]
		for len(data) > 0 {
			i := int(next()) % len(cl.servers)
			srv, ok := w.Node(cl.servers[i]).(*server)
			if !ok {
				continue
			}
			from := sim.NodeID(next() % int64(len(w.Nodes())))
			b := Ballot{Round: next(), Node: int32(next() % 3)}
			slot := next()
			var msg any
			switch next() % 11 {
			case 0:
				msg = &Prepare{B: b, From: slot}
			case 1:
				msg = &Promise{B: b, Entries: []Entry{{Slot: slot + 1, B: b, Cmd: c, Chosen: slot%2 == 0}}}
			case 2:
				msg = &Nack{B: b, Promised: Ballot{Round: next(), Node: int32(next() % 3)}}
			case 3:
				msg = &Accept{B: b, Slot: slot + 1, Cmd: c, Commit: next()}
			case 4:
				msg = &Accepted{B: b, Slot: slot}
			case 5:
				msg = &Heartbeat{B: b, Commit: slot}
			case 6:
				msg = &CatchUp{From: slot - 3}
			case 7:
				msg = &Chosen{From: slot + 1, Cmds: []*Cmd{c, noop}}
			case 8:
				msg = &Request{Cmd: c, Forwarded: slot%2 == 0}
			case 9:
				msg = &Reply{Seq: slot}
			case 10:
				msg = "garbage"
			}
			srv.Receive(w.Context(cl.servers[i]), from, msg)
		}
		w.RunUntil(sim.Time(time.Second))
	})
}

// TestClusterOfOnesOwnServers builds a cluster with NewClusterOf and this
// package's servers given as one's own: the same run, event for event, as
// NewCluster; and ProtocolOf has the parameters of Protocol but variant.
func TestClusterOfOnesOwnServers(t *testing.T) {
	s := calmSpec()
	s.link = sim.LinkConfig{Latency: sim.LogNormal(3*time.Millisecond, 0.8), Drop: 0.1, Duplicate: 0.1}
	want, _ := simulate(t, s, 4)
	w, err := sim.New(sim.Config{Seed: 4, Link: s.link})
	require.NoError(t, err)
	var cl *Cluster
	cl, err = NewClusterOf(w, s.cfg, func(i int) sim.Factory {
		return func() sim.Node { return &server{cl: cl, me: i} } // cl is set before the world runs
	})
	require.NoError(t, err)
	w.RunUntil(sim.Time(s.duration))
	assert.Equal(t, want.Fingerprint(), w.Fingerprint())
	assert.Greater(t, w.Events(), uint64(10_000), "the workload ran")

	own := ProtocolOf("paxos-own", func(Config, int) sim.Factory { return nil })
	assert.Equal(t, "paxos-own", own.Name)
	assert.Len(t, own.Params, len(Protocol().Params)-1)
	for _, p := range own.Params {
		assert.NotEqual(t, "variant", p.Name)
	}
}
