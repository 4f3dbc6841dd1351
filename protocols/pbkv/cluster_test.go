package pbkv_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/pbkv"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

var allChecks = []string{checker.LinearizabilityCheck, pbkv.AckedWritesCheck, pbkv.OnePrimaryCheck}

func TestDeterminism(t *testing.T) {
	for _, name := range libraryScenarios {
		s := load(t, name, nil)
		a, err := scenarios.Run(s, 3, scenarios.RunOptions{})
		require.NoError(t, err)
		b, err := scenarios.Run(s, 3, scenarios.RunOptions{Trace: true})
		require.NoError(t, err)
		assert.Equal(t, a.Fingerprint, b.Fingerprint, name)
		assert.Equal(t, a.Checks, b.Checks, name)
		assert.Equal(t, a.Stats, b.Stats, name)
	}
}

// TestEveryServerCrashes runs pbkv-primary-crash, whose last fault
// crashes every server at once: the view service must re-admit the
// primary of the latest acknowledged view from its log, and the clients
// must be served again, without losing a write.
func TestEveryServerCrashes(t *testing.T) {
	s := load(t, "pbkv-primary-crash", nil)
	for seed := uint64(1); seed <= 5; seed++ {
		w, inst, _, err := scenarios.Build(s, seed, false)
		require.NoError(t, err)
		cl := inst.(*pbkv.Cluster)
		var before pbkv.View
		w.At(sim.Time(4*time.Second-time.Millisecond), func(*sim.World) {
			before, err = cl.View()
			require.NoError(t, err)
		})
		w.RunUntil(sim.Time(s.Duration))
		after, err := cl.View()
		require.NoError(t, err)
		assert.Greater(t, after.Num, before.Num, "seed %d: the service moved on", seed)
		assert.Equal(t, before.Primary, after.Primary, "seed %d: the old primary was re-admitted", seed)
		served := 0
		for _, op := range w.History() {
			if op.Returned && op.Invoke > sim.Time(4300*time.Millisecond) {
				served++
			}
		}
		assert.Positive(t, served, "seed %d: operations completed after the restart", seed)
		rep := cl.Check(protocols.CheckRequest{World: w, Checks: allChecks, Budget: time.Minute})
		for _, c := range rep.Checks {
			assert.Equal(t, checker.Holds, c.Verdict, "seed %d: %s", seed, c)
		}
	}
}

// TestViewServiceRestart crashes the view service, then the primary
// while the view service is down (no failover can happen), then restarts
// the view service: it resumes from its log with the same view number and
// promotes the backup.
func TestViewServiceRestart(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		w, err := sim.New(sim.Config{Seed: seed})
		require.NoError(t, err)
		cl, err := pbkv.NewCluster(w, pbkv.DefaultConfig())
		require.NoError(t, err)
		at := func(d time.Duration, fn func(*sim.World)) { w.At(sim.Time(d), fn) }
		var before, during pbkv.View
		at(time.Second, func(w *sim.World) {
			before, err = cl.View()
			require.NoError(t, err)
			w.Crash(cl.ViewService())
		})
		at(1100*time.Millisecond, func(w *sim.World) { w.Crash(before.Primary) })
		at(1500*time.Millisecond, func(w *sim.World) {
			during, err = cl.View()
			require.NoError(t, err)
			w.Restart(cl.ViewService())
		})
		w.RunUntil(sim.Time(time.Minute))
		assert.Equal(t, before, during, "seed %d: no view change while the view service is down", seed)
		after, err := cl.View()
		require.NoError(t, err)
		assert.Equal(t, before.Num+1, after.Num, "seed %d", seed)
		assert.Equal(t, before.Backup, after.Primary, "seed %d: the backup was promoted", seed)
		rep := cl.Check(protocols.CheckRequest{World: w, Checks: allChecks, Budget: time.Minute})
		for _, c := range rep.Checks {
			assert.Equal(t, checker.Holds, c.Verdict, "seed %d: %s", seed, c)
		}
		assert.Equal(t, 1000.0, rep.Stats[1].Value, "seed %d: every operation returned", seed)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*pbkv.Config)
	}{
		{"no servers", func(c *pbkv.Config) { c.Servers = 0 }},
		{"negative clients", func(c *pbkv.Config) { c.Clients = -1 }},
		{"zero ping", func(c *pbkv.Config) { c.Ping = 0 }},
		{"zero dead pings", func(c *pbkv.Config) { c.DeadPings = 0 }},
		{"zero retry", func(c *pbkv.Config) { c.Retry = 0 }},
		{"leases without a lease", func(c *pbkv.Config) { c.Leases, c.Lease = true, 0 }},
		{"negative margin", func(c *pbkv.Config) { c.LeaseMargin = -time.Millisecond }},
		{"zero checkpoint period", func(c *pbkv.Config) { c.CheckpointEvery = 0 }},
		{"unknown variant", func(c *pbkv.Config) { c.Variant = "nope" }},
		{"unknown operation", func(c *pbkv.Config) { c.Workload.Mix = []protocols.MixEntry{{Op: "cas", Weight: 1}} }},
		{"no mix", func(c *pbkv.Config) { c.Workload.Mix = nil }},
	}
	require.NoError(t, pbkv.DefaultConfig().Validate())
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := pbkv.DefaultConfig()
			tc.change(&cfg)
			w, err := sim.New(sim.Config{})
			require.NoError(t, err)
			_, err = pbkv.NewCluster(w, cfg)
			assert.ErrorIs(t, err, pbkv.ErrConfig)
		})
	}
}

// TestFactsAreInTheTrace checks that the facts CheckOnePrimary reads are
// exactly the ones the nodes recorded in the trace, by the nodes they name.
func TestFactsAreInTheTrace(t *testing.T) {
	s := load(t, "pbkv-primary-crash", nil)
	w, inst, _, err := scenarios.Build(s, 1, true)
	require.NoError(t, err)
	w.RunUntil(sim.Time(s.Duration))
	var views []pbkv.ViewDecided
	var acts []pbkv.PrimaryActs
	for _, e := range w.Trace() {
		if e.Kind != sim.KindRecord {
			continue
		}
		switch f := e.Msg.(type) {
		case pbkv.ViewDecided:
			assert.Equal(t, "vs", w.Name(e.Node))
			views = append(views, f)
		case pbkv.PrimaryActs:
			assert.Equal(t, f.Server, w.Name(e.Node))
			acts = append(acts, f)
		default:
			t.Errorf("unexpected fact %T %v", e.Msg, e.Text)
		}
		assert.Equal(t, sim.Describe(e.Msg), e.Text)
	}
	require.NotEmpty(t, views)
	require.NotEmpty(t, acts)
	cl := inst.(*pbkv.Cluster)
	assert.Equal(t, views, cl.Views())
	assert.Equal(t, acts, cl.Acts())
}
