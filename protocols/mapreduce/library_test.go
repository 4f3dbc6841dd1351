package mapreduce

import (
	"flag"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
)

var (
	libraryDir = flag.String("library", filepath.Join("..", "..", "scenarios", "library"), "directory of the mapreduce-*.yaml scenarios")
	sweep      = flag.Int("sweep", 15, "seeds per library scenario in TestLibraryScenarios")
	zooAll     = flag.Bool("zoo-all", false, "TestBugZoo: run each entry's whole budget and log the detection rate")
)

var table = []protocols.Protocol{Protocol()}

func loadLibrary(t testing.TB) map[string]*scenarios.Scenario {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(*libraryDir, "mapreduce-*.yaml"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	out := map[string]*scenarios.Scenario{}
	for _, f := range files {
		s, err := scenarios.Load(f, table)
		require.NoError(t, err, f)
		out[s.Name] = s
	}
	return out
}

// withParam returns a copy of s with one parameter changed.
func withParam(s *scenarios.Scenario, name string, value any) *scenarios.Scenario {
	return s.WithParam(name, value)
}

func failures(o *scenarios.Outcome) []string {
	var out []string
	for _, c := range o.Checks {
		if !c.Verdict.Passed() {
			out = append(out, fmt.Sprintf("%s %s: %s", c.Check, c.Verdict, c.Detail))
		}
	}
	return out
}

// TestLibraryScenarios runs -sweep seeds of every mapreduce library
// scenario; every check must hold. Seed 1 runs twice, with and without
// trace recording, and must give the same fingerprint. 10,000 seeds:
//
//	go test ./protocols/mapreduce -run TestLibraryScenarios -sweep 10000 -timeout 2h
func TestLibraryScenarios(t *testing.T) {
	lib := loadLibrary(t)
	for _, want := range []string{"calm", "crash-map", "crash-reduce", "straggler", "mass-kill", "coord-restart", "lossy", "pause", "nemesis"} {
		require.Contains(t, lib, "mapreduce-"+want)
	}
	for _, name := range slices.Sorted(maps.Keys(lib)) {
		s := lib[name]
		t.Run(name, func(t *testing.T) {
			again, err := scenarios.Run(s, 1, scenarios.RunOptions{Trace: true})
			require.NoError(t, err)
			for seed := uint64(1); seed <= uint64(*sweep); seed++ {
				o, err := scenarios.Run(s, seed, scenarios.RunOptions{})
				require.NoError(t, err)
				require.True(t, o.Passed, "seed %d: %s\nreplay: dsim run %s --seed %d", seed, strings.Join(failures(o), "; "), s.File, seed)
				if seed == 1 {
					assert.Equal(t, again.Fingerprint, o.Fingerprint, "same seed, same run")
				}
			}
		})
	}
}

// zoo says which library scenario catches each bug variant, with which
// check, within how many seeds.
var zoo = []struct {
	variant  Variant
	scenario string
	check    string
	budget   int
}{
	{NoReexec, "mapreduce-crash-reduce", CompletionCheck, 10},
	{NoReexec, "mapreduce-crash-map", CompletionCheck, 10},
	{InPlace, "mapreduce-calm", OutputCheck, 10},
	{InPlace, "mapreduce-lossy", OutputCheck, 10},
	{ReduceEarly, "mapreduce-calm", OutputCheck, 10},
	{AcceptLate, "mapreduce-pause", CompletionCheck, 10},
	{AcceptLate, "mapreduce-nemesis", FailedReadsCheck, 40},
	{NoLease, "mapreduce-pause", FailedReadsCheck, 10},
	{NoLease, "mapreduce-nemesis", FailedReadsCheck, 40},
}

// TestBugZoo shows every bug variant caught by its check within a seed
// budget on a library scenario whose correct version passes the same
// seeds. It logs the seed of the first violation; with -zoo-all it runs
// the whole budget and logs the detection rate.
func TestBugZoo(t *testing.T) {
	lib := loadLibrary(t)
	covered := map[Variant]bool{}
	passed := map[string]int{} // scenario -> seeds the correct version passed
	for _, z := range zoo {
		t.Run(fmt.Sprintf("%s/%s", z.variant, z.scenario), func(t *testing.T) {
			s := lib[z.scenario]
			require.NotNil(t, s, z.scenario)
			for seed := uint64(passed[z.scenario] + 1); seed <= uint64(z.budget); seed++ {
				o, err := scenarios.Run(s, seed, scenarios.RunOptions{})
				require.NoError(t, err)
				require.True(t, o.Passed, "correct, seed %d: %s", seed, strings.Join(failures(o), "; "))
				passed[z.scenario] = int(seed)
			}
			bug := withParam(s, "variant", string(z.variant))
			first, caught := 0, 0
			for seed := 1; seed <= z.budget; seed++ {
				o, err := scenarios.Run(bug, uint64(seed), scenarios.RunOptions{})
				require.NoError(t, err)
				for _, c := range o.Checks {
					if c.Check == z.check && c.Verdict == checker.Violated {
						caught++
						if first == 0 {
							first = seed
							t.Logf("%s caught by %s on %s at seed %d: %s", z.variant, z.check, z.scenario, seed, c.Detail)
						}
					}
				}
				if first > 0 && !*zooAll {
					break
				}
			}
			require.NotZero(t, first, "%s not caught by %s in %d seeds of %s", z.variant, z.check, z.budget, z.scenario)
			if *zooAll {
				t.Logf("%s on %s: %s violated in %d of %d seeds", z.variant, z.scenario, z.check, caught, z.budget)
			}
			covered[z.variant] = true
		})
	}
	for _, v := range Variants[1:] {
		assert.True(t, covered[v], "variant %s has a zoo entry that catches it", v)
	}
}

func TestScenarioErrors(t *testing.T) {
	base := "name: x\ndescription: d\nprotocol: mapreduce\nnodes: 4\nduration: 10s\n"
	for _, tc := range []struct {
		name, yaml, want string
	}{
		{"clients", base + "clients: 2\n", "no clients"},
		{"short timeout", base + "params: {worker_timeout: 100ms}\n", "worker_timeout"},
		{"bad pattern", base + "params: {job: grep, pattern: \"(\"}\n", "grep pattern"},
		{"unknown variant", base + "params: {variant: sloppy}\n", "variant"},
		{"unknown job", base + "params: {job: sort}\n", "job"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := scenarios.Parse("x.yaml", []byte(tc.yaml), table)
			if err == nil {
				_, err = scenarios.Run(s, 1, scenarios.RunOptions{})
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, scenarios.ErrInvalid)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	s, err := scenarios.Parse("x.yaml", []byte(base+"params: {job: invindex, maps: 6, reduces: 3}\n"), table)
	require.NoError(t, err)
	o, err := scenarios.Run(s, 1, scenarios.RunOptions{})
	require.NoError(t, err)
	assert.True(t, o.Passed)
	assert.NotEmpty(t, o.Stats)
}
