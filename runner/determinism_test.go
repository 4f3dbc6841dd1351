package runner_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/runner"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// picker is a throwaway protocol with a planted determinism bug: every
// millisecond its one node sends a message to a peer it picks by ranging
// over a map, whose order Go randomises from one range to the next. With
// sorted set, it picks the smallest name instead, as it should.
type picker struct {
	sorted bool
	peers  map[string]sim.NodeID
}

func (p *picker) Start(ctx *sim.Context) {
	p.peers = map[string]sim.NodeID{}
	for _, id := range ctx.Nodes() {
		if id != ctx.ID() {
			p.peers[ctx.NodeName(id)] = id
		}
	}
	ctx.SetTimer(time.Millisecond, "tick")
}

func (p *picker) Receive(*sim.Context, sim.NodeID, any) {}

func (p *picker) Timer(ctx *sim.Context, _ any) {
	var name string
	for n := range p.peers { // the bug: the first name a map range yields
		if name == "" || p.sorted && n < name {
			name = n
		}
		if !p.sorted {
			break
		}
	}
	ctx.Send(p.peers[name], "hello "+name)
	ctx.SetTimer(time.Millisecond, "tick")
}

type idle struct{}

func (idle) Start(*sim.Context)                    {}
func (idle) Receive(*sim.Context, sim.NodeID, any) {}
func (idle) Timer(*sim.Context, any)               {}

type pickerInstance struct{ servers []sim.NodeID }

func (p pickerInstance) Servers() []sim.NodeID { return p.servers }
func (p pickerInstance) Check(protocols.CheckRequest) protocols.Report {
	return protocols.Report{Checks: []checker.Result{{Check: "ran", Verdict: checker.Holds}}}
}

// pickerProtocol is the throwaway protocol: a picker and eight peers.
func pickerProtocol() protocols.Protocol {
	return protocols.Protocol{Name: "picker",
		Params: []protocols.Param{{Name: "sorted", Kind: protocols.Bool, Default: false}},
		Checks: []protocols.CheckInfo{{Name: "ran", Default: true}},
		Setup: func(env *protocols.Env) (protocols.Instance, error) {
			sorted := env.Params.Bool("sorted")
			ids := []sim.NodeID{env.World.MustAddNode("picker", func() sim.Node { return &picker{sorted: sorted} })}
			for _, name := range strings.Fields("a b c d e f g h") {
				ids = append(ids, env.World.MustAddNode(name, func() sim.Node { return idle{} }))
			}
			return pickerInstance{ids}, nil
		}}
}

func pickerScenario(t *testing.T, sorted bool) *scenarios.Scenario {
	t.Helper()
	src := "name: picker\nprotocol: picker\nduration: 100ms\nparams: {sorted: " + map[bool]string{true: "true", false: "false"}[sorted] + "}\n"
	s, err := scenarios.Parse("picker.yaml", []byte(src), []protocols.Protocol{pickerProtocol()})
	require.NoError(t, err)
	return s
}

func TestRunTwiceFindsAMapOrderDependency(t *testing.T) {
	o, d, err := runner.RunTwice(pickerScenario(t, false), 1, scenarios.RunOptions{})
	require.NoError(t, err)
	require.True(t, o.Passed, "the checks cannot see it")
	require.NotNil(t, d, "the two runs differ")
	assert.Contains(t, d.A, `"kind":"send","node":"picker"`, "the first send that picked another peer")
	assert.Contains(t, d.Fields, "msg")
	assert.NotEqual(t, d.A, d.B)
	assert.Len(t, d.Before, runner.DiffContext)

	_, d, err = runner.RunTwice(pickerScenario(t, true), 1, scenarios.RunOptions{})
	require.NoError(t, err)
	assert.Nil(t, d, "sorted, the runs are the same")
}

func TestRunChecksTheDeterminismOfAShareOfTheSeeds(t *testing.T) {
	seeds := runner.Seeds{First: 1, Last: 40}
	checked := func(share float64) int {
		n := 0
		for seed := range seeds.All() {
			if runner.Checked(seed, share) {
				n++
			}
		}
		return n
	}
	assert.InDelta(t, 10, checked(0.25), 6, "about a quarter")
	tests := []struct {
		share  float64
		sorted bool
	}{{0, false}, {0.25, false}, {1, true}}
	for _, tt := range tests {
		var replayed, diverged int
		err := runner.Run(context.Background(), pickerScenario(t, tt.sorted), seeds.All(), runner.Options{Jobs: 2, CheckDeterminism: tt.share},
			func(r runner.Result) {
				assert.Equal(t, runner.Checked(r.Seed, tt.share), r.Replayed, "seed %d", r.Seed)
				if r.Replayed {
					replayed++
				}
				if r.Divergence != nil {
					diverged++
				}
			})
		require.NoError(t, err)
		assert.Equal(t, checked(tt.share), replayed, "share %v", tt.share)
		if tt.sorted {
			assert.Zero(t, diverged)
		} else {
			assert.Equal(t, replayed, diverged, "every checked seed of the buggy protocol diverges")
		}
	}
}

func TestCheckTwiceFindsTheFirstDivergingEventToo(t *testing.T) {
	o, d, err := runner.CheckTwice(pickerScenario(t, false), 1, scenarios.RunOptions{})
	require.NoError(t, err)
	require.NotNil(t, o)
	require.NotNil(t, d)
	assert.Contains(t, d.A, `"kind":"send","node":"picker"`, "the traced runs name the event, not just fingerprints")
	_, d, err = runner.CheckTwice(pickerScenario(t, true), 1, scenarios.RunOptions{})
	require.NoError(t, err)
	assert.Nil(t, d)
}
