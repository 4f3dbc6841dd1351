package transport_test

import (
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/transport"
	"github.com/dsimlab/dsim/scenarios"
)

var sweep = flag.Int("sweep", 0, "seeds per library scenario for the correct transport, which is also the seed budget of each bug variant (0: 10)")

// streamScenarios and rpcScenarios are the transport's library scenarios.
var (
	streamScenarios = []string{"transport-calm", "transport-lossy", "transport-very-lossy", "transport-partition",
		"transport-crash-restart", "transport-heavy-tail"}
	rpcScenarios = []string{"transport-rpc-partition"}
)

// load loads a library scenario against a table of this package's
// protocols, so these tests do not depend on the library's table.
func load(t testing.TB, name string) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Load(filepath.Join("..", "..", "scenarios", "library", name+".yaml"),
		[]protocols.Protocol{transport.Protocol(), transport.RPCProtocol()})
	require.NoError(t, err)
	return s
}

// withParam returns a copy of s with one parameter changed and the others
// as the file sets them.
func withParam(s *scenarios.Scenario, name string, value any) *scenarios.Scenario {
	return s.WithParam(name, value)
}

func failures(o *scenarios.Outcome) []checker.Result {
	var bad []checker.Result
	for _, c := range o.Checks {
		if !c.Verdict.Passed() {
			bad = append(bad, c)
		}
	}
	return bad
}

func seeds(def int) uint64 {
	if *sweep > 0 {
		return uint64(*sweep)
	}
	return uint64(def)
}

func TestLibraryCorrectPasses(t *testing.T) {
	for _, name := range append(streamScenarios, rpcScenarios...) {
		t.Run(name, func(t *testing.T) {
			s := load(t, name)
			for seed := uint64(1); seed <= seeds(10); seed++ {
				o, err := scenarios.Run(s, seed, scenarios.RunOptions{})
				require.NoError(t, err)
				if !o.Passed {
					t.Fatalf("seed %d: %v\nreplay: dsim run %s --seed %d", seed, failures(o), name, seed)
				}
				require.NotEmpty(t, o.Checks)
			}
		})
	}
}

func TestLibraryIsDeterministic(t *testing.T) {
	for _, name := range append(streamScenarios, rpcScenarios...) {
		s := load(t, name)
		a, err := scenarios.Run(s, 7, scenarios.RunOptions{})
		require.NoError(t, err)
		b, err := scenarios.Run(s, 7, scenarios.RunOptions{Trace: true})
		require.NoError(t, err)
		assert.Equal(t, a.Fingerprint, b.Fingerprint, name)
		assert.Equal(t, a.Stats, b.Stats, name)
		c, err := scenarios.Run(s, 8, scenarios.RunOptions{})
		require.NoError(t, err)
		assert.NotEqual(t, a.Fingerprint, c.Fingerprint, "%s: another seed, another run", name)
	}
}

// TestBugZooIsCaught sweeps every bug variant over the stream scenarios
// and requires the delivery check (safety) to catch it within the seed
// budget, on every scenario where it can show, and logs the seeds it took.
func TestBugZooIsCaught(t *testing.T) {
	// cannot lists the scenarios where a variant cannot show, and why.
	cannot := map[string]string{
		string(transport.WindowOverrun) + "/transport-very-lossy": "its 50-message streams never fill the 64-message window",
		string(transport.EarlyAck) + "/transport-partition":       "stop-and-wait: with a window of 1 nothing is ever out of order within it",
	}
	budget := seeds(10)
	var report []string
	for _, v := range transport.Variants[1:] {
		for _, name := range streamScenarios {
			s := withParam(load(t, name), "variant", string(v))
			first := uint64(0)
			var why checker.Result
			for seed := uint64(1); seed <= budget && first == 0; seed++ {
				o, err := scenarios.Run(s, seed, scenarios.RunOptions{})
				require.NoError(t, err)
				for _, c := range failures(o) {
					if c.Check == transport.CheckDelivery {
						first, why = seed, c
					}
				}
			}
			if reason, ok := cannot[string(v)+"/"+name]; ok {
				report = append(report, fmt.Sprintf("%-15s %-24s not expected (%s); caught at seed %d (0: not)", v, name, reason, first))
				continue
			}
			if first == 0 {
				t.Errorf("%s on %s: not caught within %d seeds", v, name, budget)
				continue
			}
			assert.Equal(t, checker.Violated, why.Verdict)
			assert.NotEmpty(t, why.Offending)
			report = append(report, fmt.Sprintf("%-15s %-24s caught at seed %d: %.100s", v, name, first, why.Detail))
		}
	}
	t.Logf("seeds to the first violation (budget %d):\n%s", budget, strings.Join(report, "\n"))
}

func TestAtMostOnceMakesRetriesSafe(t *testing.T) {
	budget := seeds(10)
	for _, name := range rpcScenarios {
		with := load(t, name)
		require.True(t, with.Params.Bool("at_most_once"))
		deduplicated := 0.0
		for seed := uint64(1); seed <= seeds(4); seed++ {
			o, err := scenarios.Run(with, seed, scenarios.RunOptions{})
			require.NoError(t, err)
			require.True(t, o.Passed, "seed %d: %v", seed, failures(o))
			for _, st := range o.Stats {
				if strings.HasPrefix(st.Name, "retries answered") {
					deduplicated += st.Value
				}
			}
		}
		assert.Positive(t, deduplicated, "%s: some retries were answered from the table", name)

		without := withParam(with, "at_most_once", false)
		first := uint64(0)
		for seed := uint64(1); seed <= budget && first == 0; seed++ {
			o, err := scenarios.Run(without, seed, scenarios.RunOptions{})
			require.NoError(t, err)
			if bad := failures(o); len(bad) > 0 {
				assert.Equal(t, transport.CheckLinearizability, bad[0].Check)
				first = seed
			}
		}
		assert.NotZero(t, first, "%s without at-most-once: no duplicate execution caught within %d seeds", name, budget)
		t.Logf("%s without at-most-once: linearizability violated at seed %d", name, first)
	}
}
