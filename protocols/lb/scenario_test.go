package lb

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

var (
	libraryDir = flag.String("library", filepath.Join("..", "..", "scenarios", "library"), "directory of the lb-*.yaml scenarios")
	sweep      = flag.Int("sweep", 300, "seeds swept per bug variant")
)

var table = []protocols.Protocol{Protocol()}

func loadLibrary(t *testing.T) map[string]*scenarios.Scenario {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(*libraryDir, "lb-*.yaml"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 8, "lb scenarios in %s", *libraryDir)
	out := map[string]*scenarios.Scenario{}
	for _, f := range files {
		s, err := scenarios.Load(f, table)
		require.NoError(t, err, f)
		assert.Equal(t, strings.TrimSuffix(filepath.Base(f), ".yaml"), s.Name)
		assert.NotEmpty(t, s.Description)
		out[s.Name] = s
	}
	return out
}

// TestLibraryScenarios runs seed 1 of every lb scenario twice, the second
// time recording the trace: it passes its checks, and the same seed gives
// the same fingerprint.
func TestLibraryScenarios(t *testing.T) {
	for name, s := range loadLibrary(t) {
		t.Run(name, func(t *testing.T) {
			a, err := scenarios.Run(s, 1, scenarios.RunOptions{})
			require.NoError(t, err)
			assert.True(t, a.Passed, "%v", a.Checks)
			b, err := scenarios.Run(s, 1, scenarios.RunOptions{Trace: true})
			require.NoError(t, err)
			assert.Equal(t, a.Fingerprint, b.Fingerprint, "recording the trace changes nothing")
			assert.Equal(t, a.Stats, b.Stats)
			stat := map[string]float64{}
			for _, st := range a.Stats {
				stat[st.Name] = st.Value
			}
			assert.Equal(t, float64(s.Workload.Ops), stat["requests"], "the run lasts long enough for every request")
			switch name {
			case "lb-crash":
				assert.Positive(t, stat["failed"], "requests to the crashed server time out")
			case "lb-heavy-tail":
				// A request bigger than the timeout (probability 6e-6 with
				// α=1.5) fails, and so may those queued behind it.
				assert.Less(t, stat["failed"], 0.001*stat["requests"])
			case "lb-affinity":
				assert.Greater(t, stat["cache hit ratio"], 0.8)
				moved := 0
				for _, st := range a.Stats {
					if strings.HasPrefix(st.Name, "keys moved") && strings.Contains(st.Name, "by c1 (+n9 joined)") {
						assert.InDelta(t, 1.0/9, st.Value, 0.05, st.Name)
						moved++
					}
				}
				assert.Equal(t, 1, moved, "one membership change seen by c1")
			case "lb-beyond-round-robin":
				// Peak-EWMA sends the 2 s backend a few requests a second
				// (the post measured 99.9% success).
				assert.Less(t, stat["failed"], 0.005*stat["requests"])
				assert.Positive(t, stat["failed"])
			default:
				assert.Zero(t, stat["failed"], "no failures without faults")
			}
		})
	}
}

// variantScenario is small and mostly healthy: four servers at half load
// and a 15ms timeout, which an M/M/1 response exceeds with probability
// e^-7.5, so a timeout (and the bug it exposes) turns up every few seeds.
const variantScenario = `
name: lb-variant-sweep
description: Rare timeouts expose the balancer node's bookkeeping.
protocol: lb
params:
  balancer: random
  load: 0.5
  variant: %s
nodes: 4
clients: 1
network:
  latency: {kind: uniform, min: 50us, max: 150us}
workload:
  ops: 200
  timeout: 15ms
duration: 1s
`

// TestVariantsCaught sweeps seeds over each bug variant until the
// accounting check is violated, and checks that the correct node holds on
// every seed of the sweep, timeouts included.
func TestVariantsCaught(t *testing.T) {
	for _, v := range Variants() {
		s, err := scenarios.Parse("variant.yaml", []byte(fmt.Sprintf(variantScenario, v)), table)
		require.NoError(t, err)
		first, timeouts := 0, 0
		for seed := uint64(1); seed <= uint64(*sweep); seed++ {
			o, err := scenarios.Run(s, seed, scenarios.RunOptions{})
			require.NoError(t, err)
			for _, st := range o.Stats {
				if st.Name == "failed" && st.Value > 0 {
					timeouts++
				}
			}
			if !o.Passed {
				require.Equal(t, checker.Violated, o.Checks[0].Verdict)
				require.Equal(t, []string{"c1"}, o.Checks[0].Offending)
				first = int(seed)
				t.Logf("%s: first violation at seed %d: %s", v, seed, o.Checks[0].Detail)
				break
			}
		}
		if v == VariantCorrect {
			assert.Zero(t, first, "the correct node must hold on every seed")
			assert.Positive(t, timeouts, "the sweep must include timeouts, or it tests nothing")
			t.Logf("%s: held on %d seeds, %d of them with timeouts", v, *sweep, timeouts)
			continue
		}
		assert.Positive(t, first, "%s: the accounting check must catch it within %d seeds", v, *sweep)
	}
}

func TestSLOCheck(t *testing.T) {
	src := `
name: slo
description: slo check
protocol: lb
params: {balancer: random, load: 0.8, slo_p99: %s, slo_failed: %s}
nodes: 4
clients: 1
workload: {ops: 5000}
duration: 5s
checks: [slo]
`
	tests := []struct {
		p99, failed string
		want        checker.Verdict
	}{
		{"100ms", "0", checker.Holds},
		{"1ms", "1", checker.Violated},
		{"0s", "1", checker.Inconclusive},
	}
	for _, tt := range tests {
		s, err := scenarios.Parse("slo.yaml", []byte(fmt.Sprintf(src, tt.p99, tt.failed)), table)
		require.NoError(t, err)
		o, err := scenarios.Run(s, 1, scenarios.RunOptions{})
		require.NoError(t, err)
		require.Len(t, o.Checks, 1)
		assert.Equal(t, tt.want, o.Checks[0].Verdict, "%+v: %s", tt, o.Checks[0].Detail)
		assert.Equal(t, checker.Liveness, o.Checks[0].Kind)
	}
}

func TestConfigFromEnv(t *testing.T) {
	schema := Protocol().Params
	env := func(values map[string]any, nodes, clients int) *protocols.Env {
		w, err := sim.New(sim.Config{Seed: 1})
		require.NoError(t, err)
		return &protocols.Env{World: w, Params: protocols.NewParams(schema, values), Nodes: nodes, Clients: clients,
			Workload: protocols.Workload{Ops: 100, Keys: 50, Distribution: "zipf", ZipfS: 1.5, Timeout: time.Second}, Duration: time.Second}
	}
	cfg, err := ConfigFromEnv(env(map[string]any{"speeds": "1, 2,3", "spares": 1, "add_at": time.Second,
		"slow_server": "n2", "balancer": NamePowerOfD, "d": 3}, 2, 2))
	require.NoError(t, err)
	assert.Equal(t, []ServerSpec{{Name: "n1", Speed: 1}, {Name: "n2", Speed: 2}, {Name: "n3", Speed: 3, JoinAt: time.Second}}, cfg.Servers)
	assert.Equal(t, 1.5, cfg.Zipf)
	assert.Equal(t, 3, cfg.Options.D)
	assert.Equal(t, []Slowdown{{Server: "n2", Factor: 4}}, cfg.Slowdowns)
	for _, bad := range []struct {
		values         map[string]any
		nodes, clients int
	}{
		{map[string]any{}, 2, 0},
		{map[string]any{"speeds": "1,2"}, 3, 1},
		{map[string]any{"weights": "1,x"}, 2, 1},
		{map[string]any{"speeds": "1,-2"}, 2, 1},
		{map[string]any{"spares": 1}, 2, 1},
	} {
		_, err := ConfigFromEnv(env(bad.values, bad.nodes, bad.clients))
		assert.ErrorIs(t, err, ErrInvalidConfig, "%v", bad)
	}
	_, err = Protocol().Setup(env(map[string]any{"slow_server": "n9"}, 2, 1))
	assert.ErrorIs(t, err, ErrInvalidConfig, "unknown slow server")
}

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(m.Run())
}
