package pbkv

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/sim"
)

// TestOnlineOnePrimary feeds the online check views and primaries acting:
// the first that breaks one primary per view stops the run.
func TestOnlineOnePrimary(t *testing.T) {
	tests := []struct {
		name  string
		acts  []PrimaryActs // after view 1 named n1
		check bool          // a violation is expected
	}{
		{"the named primary", []PrimaryActs{{Server: "n1", View: 1}, {Server: "n1", View: 1}}, false},
		{"another than the named one", []PrimaryActs{{Server: "n2", View: 1}}, true},
		{"two in one view", []PrimaryActs{{Server: "n1", View: 2}, {Server: "n2", View: 2}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, err := sim.New(sim.Config{Seed: 1})
			require.NoError(t, err)
			cfg := DefaultConfig()
			cfg.Clients = 0
			c, err := NewCluster(w, cfg)
			require.NoError(t, err)
			c.mon = protocols.NewMonitor(&protocols.Env{World: w, Online: true})
			c.decided(w.Context(c.vs), ViewDecided{Num: 1, Primary: "n1", Backup: "n2"})
			for _, a := range tc.acts {
				id, _ := w.Lookup(a.Server)
				c.acted(w.Context(id), a)
			}
			v := c.FirstViolation()
			stopped, _ := w.Stopped()
			assert.Equal(t, tc.check, v != nil)
			assert.Equal(t, tc.check, stopped, "the run stops at the violation")
			if v != nil {
				assert.Equal(t, OnePrimaryCheck, v.Check)
				assert.Equal(t, w.Traced()-2, v.Event, "the violating fact, just before the stop")
			}
		})
	}
}
