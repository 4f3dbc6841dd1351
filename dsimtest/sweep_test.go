package dsimtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// coin is a protocol for these tests whose "coin" check is violated on
// exactly the seeds divisible by its fail_every parameter (never, if 0),
// and whose "steady" check always holds. Its one node sets a timer of a
// random length, so every seed has its own fingerprint.
func coin() protocols.Protocol {
	return protocols.Protocol{
		Name:    "coin",
		Summary: "fails on the seeds divisible by fail_every",
		Params:  []protocols.Param{{Name: "fail_every", Kind: protocols.Int, Default: 0, Doc: "0: never fail"}},
		Checks: []protocols.CheckInfo{
			{Name: "coin", Summary: "the seed is not a multiple of fail_every", Default: true},
			{Name: "steady", Summary: "always holds", Default: true},
		},
		Setup: func(env *protocols.Env) (protocols.Instance, error) {
			id, err := env.World.AddNode("n1", func() sim.Node { return tosser{} })
			return coinInstance{id, env.Params.Int("fail_every")}, err
		},
	}
}

type tosser struct{}

func (tosser) Start(ctx *sim.Context) {
	ctx.SetTimer(time.Duration(ctx.Rand().IntN(1000))*time.Millisecond, "toss")
}
func (tosser) Receive(*sim.Context, sim.NodeID, any) {}
func (tosser) Timer(ctx *sim.Context, _ any)         { ctx.Record("tossed") }

type coinInstance struct {
	node  sim.NodeID
	every int
}

func (c coinInstance) Servers() []sim.NodeID { return []sim.NodeID{c.node} }

func (c coinInstance) Check(req protocols.CheckRequest) protocols.Report {
	seed := req.World.Seed()
	res := checker.Result{Check: "coin", Verdict: checker.Holds, Detail: fmt.Sprintf("seed %d is fine", seed)}
	if c.every > 0 && seed%uint64(c.every) == 0 {
		res.Verdict, res.Detail, res.Offending = checker.Violated, fmt.Sprintf("seed %d is a multiple of %d", seed, c.every), []string{"n1"}
	}
	steady := checker.Result{Check: "steady", Verdict: checker.Holds, Detail: "as ever"}
	return protocols.Report{Checks: []checker.Result{res, steady}}
}

// coinScenarios are named scenarios of the coin protocol, as a program of
// one's own would embed them.
var coinScenarios = fstest.MapFS{
	"coin-fair.yaml":  {Data: []byte("name: coin-fair\nprotocol: coin\nnodes: 1\nduration: 2s\n")},
	"coin-third.yaml": {Data: []byte("name: coin-third\nprotocol: coin\nnodes: 1\nduration: 2s\nparams: {fail_every: 3}\n")},
}

var coinOpts = []Option{Protocols(coin()), Scenarios(coinScenarios, "scenarios"), Command("go run ./cmd/coin")}

// coinScenario parses a coin scenario with the given fail_every.
func coinScenario(t *testing.T, every int) *scenarios.Scenario {
	s, err := scenarios.Parse("inline.yaml", fmt.Appendf(nil, "name: inline\nprotocol: coin\nnodes: 1\nduration: 2s\nparams: {fail_every: %d}\n", every),
		[]protocols.Protocol{coin()})
	require.NoError(t, err)
	return s
}

func TestSweepPasses(t *testing.T) {
	Sweep(t, "echo-calm", "1-5")
	Sweep(t, "coin-fair", "1-5", coinOpts...)
	Sweep(t, coinScenario(t, 0), "1-5")
}

func TestSweepReportsFailingSeeds(t *testing.T) {
	f := fakeSweep(false, "coin-third", "1-7", coinOpts...)
	assert.True(t, f.failed)
	assert.Equal(t, []string{"seed=1", "seed=2", "seed=3", "seed=4", "seed=5", "seed=6", "seed=7"}, f.ran())
	assert.Equal(t, []string{"seed=3", "seed=6"}, f.failedSubs())
	require.Len(t, f.sub("seed=3").errors, 1)
	assert.Equal(t, `seed 3 of coin-third failed:
  coin (safety): violated: seed 3 is a multiple of 3 [offending: n1]
replay: go run ./cmd/coin run coin-third --seed 3
rerun:  go test -run '^TestFake$/^seed=3$'`, f.sub("seed=3").errors[0])
	assert.Empty(t, f.errors, "the sweep itself reports nothing more")
}

func TestReplayLineByPathAndGoValue(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "my third.yaml")
	require.NoError(t, os.WriteFile(path, coinScenarios["coin-third.yaml"].Data, 0o644))
	f := fakeSweep(false, path, "3", Protocols(coin()))
	require.Len(t, f.sub("seed=3").errors, 1)
	assert.Contains(t, f.sub("seed=3").errors[0], fmt.Sprintf("\nreplay: dsim run '%s' --seed 3\n", path))

	f = fakeSweep(false, coinScenario(t, 3), "3")
	require.Len(t, f.sub("seed=3").errors, 1)
	assert.NotContains(t, f.sub("seed=3").errors[0], "replay:", "a Go value has no command line")
	assert.Contains(t, f.sub("seed=3").errors[0], "rerun:  go test -run '^TestFake$/^seed=3$'")
}

func TestShortRunsTheFirstSeeds(t *testing.T) {
	tests := []struct {
		name  string
		short bool
		opts  []Option
		want  int
	}{
		{"not short", false, nil, 30},
		{"short", true, nil, DefaultShort},
		{"short, Short(3)", true, []Option{Short(3)}, 3},
		{"a bug hunt keeps its budget", true, []Option{ExpectViolation("coin")}, 30},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeSweep(tt.short, coinScenario(t, 0), "101-130", tt.opts...)
			assert.Len(t, f.ran(), tt.want)
			assert.Equal(t, "TestFake/seed=101", f.subs[0].name, "from the first seed")
		})
	}
}

func TestExpectViolation(t *testing.T) {
	tests := []struct {
		name   string
		every  int
		checks []string
		ok     bool
		ran    int
		msg    string // in the log if ok, in the error if not
	}{
		{"found, later seeds skipped", 4, []string{"coin"}, true, 4, "inline: seed 4 violated coin"},
		{"any check", 2, nil, true, 2, "inline: seed 2 violated a check"},
		{"not within the budget", 50, []string{"coin"}, false, 10, "inline: no seed of 1-10 violated coin"},
		{"every named check must be violated", 3, []string{"coin", "steady"}, false, 10,
			"inline: no seed of 1-10 violated coin and steady; other failures:\n  seed 3: coin violated\n  seed 6: coin violated\n  seed 9: coin violated"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeSweep(false, coinScenario(t, tt.every), "1-10", ExpectViolation(tt.checks...))
			assert.Equal(t, !tt.ok, f.failed)
			assert.Len(t, f.ran(), tt.ran)
			assert.Empty(t, f.failedSubs(), "violating seeds are what the test wants")
			if tt.ok {
				assert.Contains(t, f.logs, tt.msg)
				sub := f.sub(fmt.Sprintf("seed=%d", tt.ran))
				require.NotNil(t, sub)
				require.Len(t, sub.logs, 1, "the violating seed says how")
				assert.Contains(t, sub.logs[0], fmt.Sprintf("seed %d of inline violated", tt.ran))
				assert.Contains(t, sub.logs[0], "rerun:  go test -run")
				assert.Empty(t, f.errors)
			} else {
				assert.Equal(t, []string{tt.msg}, f.errors)
			}
		})
	}
}

// ExpectAnyViolation takes one of its checks; EverySeed runs the whole range
// and counts the violating seeds.
func TestExpectAnyViolationEverySeed(t *testing.T) {
	f := fakeSweep(false, coinScenario(t, 3), "1-10", ExpectAnyViolation("steady", "coin"))
	assert.False(t, f.failed)
	assert.Len(t, f.ran(), 3, "seeds after the first violation are skipped")
	assert.Contains(t, f.logs, "inline: seed 3 violated steady or coin")

	f = fakeSweep(false, coinScenario(t, 3), "1-10", ExpectAnyViolation("steady", "coin"), EverySeed())
	assert.False(t, f.failed)
	assert.Len(t, f.ran(), 10)
	assert.Contains(t, f.logs, "inline: 3 of 10 seeds violated steady or coin")

	f = fakeSweep(false, coinScenario(t, 3), "1-10", ExpectAnyViolation("steady"))
	assert.True(t, f.failed, "a violation of a check not named does not count")
	assert.Contains(t, f.errors[0], "inline: no seed of 1-10 violated steady")
}

func TestBadInputFailsTheSweep(t *testing.T) {
	tests := []struct {
		name     string
		scenario any
		seeds    string
		opts     []Option
		want     string
	}{
		{"unknown scenario", "no-such-scenario", "1-5", nil, "unknown scenario"},
		{"missing file", "missing/file.yaml", "1-5", nil, "unknown scenario"},
		{"unknown protocol", "coin-fair", "1-5", []Option{Scenarios(coinScenarios, "scenarios")}, `unknown protocol "coin"`},
		{"bad seeds", "echo-calm", "5-1", nil, "seeds:"},
		{"a protocol that is built in", "echo-calm", "1", []Option{Protocols(protocols.Protocol{Name: "echo", Setup: coin().Setup})}, "name taken"},
		{"golden and a bug hunt", "echo-calm", "1", []Option{Golden("x"), ExpectViolation()}, "do not go together"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeSweep(false, tt.scenario, tt.seeds, tt.opts...)
			assert.True(t, f.failed)
			assert.Empty(t, f.subs)
			require.Len(t, f.errors, 1)
			assert.Contains(t, f.errors[0], tt.want)
		})
	}
}

// setUpdate sets -dsimtest.update for one test.
func setUpdate(t *testing.T, v bool) {
	old := *update
	*update = v
	t.Cleanup(func() { *update = old })
}

func TestGolden(t *testing.T) {
	path := filepath.Join(t.TempDir(), "testdata", "coin.golden")
	s := coinScenario(t, 3)
	f := fakeSweep(false, s, "1-4", Golden(path))
	require.Len(t, f.errors, 1)
	assert.Contains(t, f.errors[0], "does not exist (create it with go test -run '^TestFake$' -dsimtest.update)")

	setUpdate(t, true)
	f = fakeSweep(true, s, "1-20", Golden(path))
	require.Len(t, f.errors, 1, "-short does not run every seed")
	assert.Contains(t, f.errors[0], "-dsimtest.update needs every seed of 1-20 to run")
	f = fakeSweep(false, s, "1-4", Golden(path))
	assert.Empty(t, f.errors)
	written, err := os.ReadFile(path)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(written), "\n"), "\n")
	require.Len(t, lines, 4)
	assert.Regexp(t, `^seed 3: fingerprint [0-9a-f]{16} events \d+ passed false$`, lines[2])
	setUpdate(t, false)

	f = fakeSweep(false, s, "1-4", Golden(path))
	assert.Equal(t, []string{"seed=3"}, f.failedSubs(), "only the failing seed; the fingerprints match")
	assert.Empty(t, f.errors)

	f = fakeSweep(true, s, "1-4", Golden(path), Short(2))
	assert.False(t, f.failed, "-short compares the seeds it ran")

	other := coinScenario(t, 3)
	other.Duration = 100 * time.Millisecond // most timers fire later than that: other fingerprints
	f = fakeSweep(false, other, "1-4", Golden(path))
	require.Len(t, f.errors, 1)
	assert.Contains(t, f.errors[0], "the runs differ from "+path)
	assert.Contains(t, f.errors[0], "    want "+lines[0])
	assert.Contains(t, f.errors[0], "If the change is deliberate, rewrite it with go test -run '^TestFake$' -dsimtest.update")

	f = fakeSweep(false, s, "1-3", Golden(path))
	require.Len(t, f.errors, 1)
	assert.Equal(t, "dsimtest: the runs differ from "+path+":\n  seed 4: in the file but not in the range 1-3\n"+
		"If the change is deliberate, rewrite it with go test -run '^TestFake$' -dsimtest.update and review the diff.", f.errors[0])
	f = fakeSweep(false, s, "1-5", Golden(path))
	require.Len(t, f.errors, 1)
	assert.Contains(t, f.errors[0], "  seed 5: not in the file\n")

	require.NoError(t, os.WriteFile(path, []byte("seed 1: fine\nnot a seed\n"), 0o644))
	f = fakeSweep(false, s, "1", Golden(path))
	require.Len(t, f.errors, 1)
	assert.Contains(t, f.errors[0], path+`:2: bad golden file: want "seed N: ...", got "not a seed"`)
}

func TestRunPatternAndQuoting(t *testing.T) {
	assert.Equal(t, "^TestX$/^seed=17$", runPattern("TestX/seed=17"))
	assert.Equal(t, `^TestX$/^a\.b\(c\)$/^seed=1$`, runPattern("TestX/a.b(c)/seed=1"))
	for in, want := range map[string]string{
		"calm":                "calm",
		"scenarios/calm.yaml": "scenarios/calm.yaml",
		"my dir/it's.yaml":    `'my dir/it'\''s.yaml'`,
		"^TestX$/^seed=17$":   `'^TestX$/^seed=17$'`,
		"":                    "''",
	} {
		assert.Equal(t, want, shellQuote(in), in)
	}
}

func TestLoad(t *testing.T) {
	s := Load(t, "coin-third", coinOpts...)
	assert.Equal(t, "scenarios/coin-third.yaml", s.File)
	assert.Equal(t, 3, s.Params.Int("fail_every"))
	f := fakeSweep(false, s.WithParam("fail_every", 2), "1-4")
	assert.Equal(t, []string{"seed=2", "seed=4"}, f.failedSubs())
}
