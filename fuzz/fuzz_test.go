package fuzz_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/fuzz"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/scenarios/library"
	"github.com/dsimlab/dsim/shrink"
	"github.com/dsimlab/dsim/sim"
)

func violated(check, detail string) *scenarios.Outcome {
	return &scenarios.Outcome{Protocol: "twopc", Events: 100,
		Checks: []checker.Result{{Check: "isolation", Verdict: checker.Holds}, {Check: check, Verdict: checker.Violated, Detail: detail}}}
}

func TestSignatureGroupsViolationsOfOneShape(t *testing.T) {
	a := violated("atomicity", "9 transactions of 60 not atomic: c2-2: coord decided commit at 27.039502ms although n2 voted no at 26.575689ms; c3-4: and more")
	b := violated("atomicity", "1 transaction of 60 not atomic: c1-17: coord decided commit at 1.2s although n3 voted no at 1.1s")
	c := violated("atomicity", "1 transaction of 60 not atomic: c1-17: coord decided commit at 1.2s but n3 applied abort")
	d := violated("isolation", "1 transaction of 60 not atomic: c1-17: coord decided commit at 1.2s although n3 voted no at 1.1s")
	sa, ok := fuzz.SignatureOf(a)
	require.True(t, ok)
	assert.Equal(t, fuzz.Signature{Protocol: "twopc", Check: "atomicity", Verdict: "violated",
		Shape: "# transaction of # not atomic: c#-#: coord decided commit at # although n# voted no at #"}, sa)
	sb, _ := fuzz.SignatureOf(b)
	sc, _ := fuzz.SignatureOf(c)
	sd, _ := fuzz.SignatureOf(d)
	assert.Equal(t, sa, sb, "one violation or nine, numbers and plurals aside")
	assert.NotEqual(t, sb.ID(), sc.ID(), "another shape")
	assert.NotEqual(t, sb.ID(), sd.ID(), "another check")
	assert.Len(t, sa.ID(), 16)

	_, ok = fuzz.SignatureOf(&scenarios.Outcome{Passed: true})
	assert.False(t, ok, "a run that passed has none")
	in, ok := fuzz.SignatureOf(&scenarios.Outcome{Protocol: "paxos",
		Checks: []checker.Result{{Check: "linearizability", Verdict: checker.Inconclusive, Detail: "budget 10s ran out"}}})
	require.True(t, ok)
	assert.Equal(t, "paxos linearizability inconclusive: budget # ran out", in.String())
}

// boom is a node that panics on its first timer.
type boom struct{}

func (boom) Start(ctx *sim.Context)                { ctx.SetTimer(time.Millisecond, nil) }
func (boom) Receive(*sim.Context, sim.NodeID, any) {}
func (boom) Timer(*sim.Context, any)               { panic("index 7 out of range [3]") }

type boomInstance struct{ id sim.NodeID }

func (b boomInstance) Servers() []sim.NodeID                         { return []sim.NodeID{b.id} }
func (b boomInstance) Check(protocols.CheckRequest) protocols.Report { return protocols.Report{} }

func TestSignatureOfAPanicNamesTheFunction(t *testing.T) {
	p := protocols.Protocol{Name: "boom", Setup: func(env *protocols.Env) (protocols.Instance, error) {
		return boomInstance{env.World.MustAddNode("n1", func() sim.Node { return boom{} })}, nil
	}}
	s, err := scenarios.Parse("boom.yaml", []byte("name: boom\nprotocol: boom\nduration: 1s\n"), []protocols.Protocol{p})
	require.NoError(t, err)
	o, err := scenarios.Run(s, 1, scenarios.RunOptions{})
	require.NoError(t, err)
	require.NotNil(t, o.Crash)
	sig, ok := fuzz.SignatureOf(o)
	require.True(t, ok)
	assert.Equal(t, "panic", sig.Check)
	assert.Equal(t, "index # out of range [#] in github.com/dsimlab/dsim/fuzz_test.boom.Timer", sig.Shape)
}

func TestCorpusKeepsTheFastestSeedOfEachGroup(t *testing.T) {
	dir := t.TempDir()
	c, err := fuzz.Open(dir, "twopc-calm", "dsim test", 1)
	require.NoError(t, err)
	slow := violated("atomicity", "c1-1: coord decided commit at 1s although n1 voted no at 2s")
	fast := *slow
	fast.Events = 40
	for _, r := range []struct {
		seed uint64
		o    *scenarios.Outcome
		new  bool
	}{{2, slow, true}, {1, &scenarios.Outcome{Passed: true}, false}, {4, &fast, true}, {3, slow, false}, {5, &fast, false}} {
		f, better, err := c.Add(r.seed, r.o)
		require.NoError(t, err)
		assert.Equal(t, r.new, better, "seed %d", r.seed)
		if better {
			assert.Equal(t, r.seed, f.Seed)
		}
	}
	require.NoError(t, c.Save())
	got := c.Findings()
	require.Len(t, got, 1)
	assert.Equal(t, uint64(4), got[0].Seed, "the fewest events; the lowest seed among equals")
	assert.Equal(t, uint64(4), got[0].Seen)
	assert.Equal(t, uint64(6), c.State().Next)

	again, err := fuzz.Open(dir, "twopc-calm", "dsim test", 1)
	require.NoError(t, err)
	assert.Equal(t, got, again.Findings(), "a new session reads the findings back")
	assert.Equal(t, uint64(6), again.State().Next)
	_, err = fuzz.Open(dir, "paxos-calm", "dsim test", 1)
	assert.True(t, errors.Is(err, fuzz.ErrOtherCorpus))
}

func TestCorpusNextIsTheLowestSeedNotRun(t *testing.T) {
	c, err := fuzz.Open(t.TempDir(), "echo-calm", "dsim test", 10)
	require.NoError(t, err)
	for _, seed := range []uint64{11, 13, 10, 14} {
		_, _, err := c.Add(seed, &scenarios.Outcome{Passed: true})
		require.NoError(t, err)
	}
	assert.Equal(t, uint64(12), c.State().Next, "12 has not run; 13 and 14 will run again")
}

func zooScenario(t *testing.T, name, variant string) *scenarios.Scenario {
	t.Helper()
	s, err := library.Load(name)
	require.NoError(t, err)
	return s.WithParam("variant", variant)
}

func TestRunKeepsAShrunkScenarioPerGroupAndCarriesOn(t *testing.T) {
	dir := t.TempDir()
	s := zooScenario(t, "twopc-partition", "unilateral-abort")
	c, err := fuzz.Open(dir, "twopc-partition", "dsim test", 1)
	require.NoError(t, err)
	var found []fuzz.Finding
	opts := fuzz.Options{Jobs: 2, Runs: 12, Shrink: true, ShrinkOptions: shrink.Options{MaxRuns: 200},
		Found: func(f fuzz.Finding) { found = append(found, f) }}
	require.NoError(t, fuzz.Run(context.Background(), s, c, opts))
	assert.Equal(t, uint64(13), c.State().Next)
	require.NotEmpty(t, found)
	for _, f := range c.Findings() {
		seed, err := scenarios.Run(s, f.Seed, scenarios.RunOptions{Swarm: true})
		require.NoError(t, err)
		require.NotNil(t, seed.Swarm, "the fuzzer draws each seed's mix")
		assert.Equal(t, f.Events, seed.Events, "the finding's seed replays with swarm")
		require.True(t, f.Shrunk, "%+v", f)
		require.FileExists(t, f.Minimal)
		min, err := library.Load(f.Minimal)
		require.NoError(t, err)
		o, err := scenarios.Run(min, f.ShrunkSeed, scenarios.RunOptions{})
		require.NoError(t, err)
		sig, ok := fuzz.SignatureOf(o)
		require.True(t, ok, "the minimal scenario fails")
		assert.Equal(t, f.Signature.Check, sig.Check)
		assert.LessOrEqual(t, f.After.Events, f.Before.Events)
	}

	again, err := fuzz.Open(dir, "twopc-partition", "dsim test", 1)
	require.NoError(t, err)
	opts.Runs = 4
	require.NoError(t, fuzz.Run(context.Background(), s, again, opts))
	assert.Equal(t, uint64(17), again.State().Next, "the second session starts where the first stopped")
	assert.Equal(t, uint64(16), again.State().Runs)
	assert.GreaterOrEqual(t, len(again.Findings()), len(c.Findings()))
}

func TestRunStopsWhenCancelledAndSavesTheCorpus(t *testing.T) {
	dir := t.TempDir()
	c, err := fuzz.Open(dir, "twopc-partition", "dsim test", 1)
	require.NoError(t, err)
	ctx, cancel := context.WithCancelCause(context.Background())
	stop := errors.New("stopped")
	s := zooScenario(t, "twopc-partition", "unilateral-abort")
	err = fuzz.Run(ctx, s, c, fuzz.Options{Jobs: 2, Shrink: true, Found: func(fuzz.Finding) { cancel(stop) }})
	assert.ErrorIs(t, err, stop)
	data, err := os.ReadFile(filepath.Join(dir, "fuzz.json"))
	require.NoError(t, err)
	assert.Contains(t, string(data), `"scenario": "twopc-partition"`)
	require.NotEmpty(t, c.Findings(), "the finding that stopped it was kept")
	f := c.Findings()[0]
	assert.False(t, f.Shrunk && f.ShrunkFrom == f.Seed && f.After.Events == 0, "a shrink cut short is not taken for done")
}
