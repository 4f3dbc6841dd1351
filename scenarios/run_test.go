package scenarios_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// ticker sets a timer every millisecond and panics on its fifth tick when
// told to.
type ticker struct {
	panics bool
	ticks  int
}

func (t *ticker) Start(ctx *sim.Context)                { ctx.SetTimer(1e6, "tick") }
func (t *ticker) Receive(*sim.Context, sim.NodeID, any) {}
func (t *ticker) Timer(ctx *sim.Context, _ any) {
	t.ticks++
	if t.panics && t.ticks == 5 {
		panic("tick five is one too many")
	}
	ctx.SetTimer(1e6, "tick")
}

// panicky is a protocol that panics where its "where" parameter says.
func panicky() protocols.Protocol {
	return protocols.Protocol{
		Name:   "panicky",
		Params: []protocols.Param{{Name: "where", Kind: protocols.String, Default: "none", Choices: []string{"none", "setup", "node", "check"}}},
		Checks: []protocols.CheckInfo{{Name: "safe", Default: true}},
		Setup: func(env *protocols.Env) (protocols.Instance, error) {
			where := env.Params.String("where")
			if where == "setup" {
				panic("no set-up today")
			}
			env.World.MustAddNode("n1", func() sim.Node { return &ticker{} })
			env.World.MustAddNode("n2", func() sim.Node { return &ticker{panics: where == "node"} })
			return panickyInstance(where), nil
		},
	}
}

type panickyInstance string

func (panickyInstance) Servers() []sim.NodeID { return []sim.NodeID{0, 1} }
func (p panickyInstance) Check(protocols.CheckRequest) protocols.Report {
	if p == "check" {
		var checks []protocols.Stat
		_ = checks[len(p)] // out of range: a runtime panic, not a call to panic
	}
	return protocols.Report{}
}

// TestAPanicIsAFailedRunNotACrashedProcess: wherever the protocol's code
// panics, Run returns a failed Outcome saying where, and the same seed
// gives the same report.
func TestAPanicIsAFailedRunNotACrashedProcess(t *testing.T) {
	tests := []struct {
		where, phase, node, value string
		event                     uint64
	}{
		{"setup", "setup", "", "no set-up today", 0},
		{"node", "run", "n2", "tick five is one too many", 12},
		{"check", "check", "", "index out of range", 0},
	}
	for _, tt := range tests {
		t.Run(tt.where, func(t *testing.T) {
			src := "name: p\nprotocol: panicky\nnodes: 2\nduration: 20ms\nparams: {where: " + tt.where + "}\n"
			s, err := scenarios.Parse("p.yaml", []byte(src), []protocols.Protocol{panicky()})
			require.NoError(t, err)
			var runs [2]*scenarios.Outcome
			for i := range runs { // from one call site, so the stacks can agree
				runs[i], err = scenarios.Run(s, 3, scenarios.RunOptions{})
				require.NoError(t, err, "a panic is a finding, not an error")
			}
			o, again := runs[0], runs[1]
			require.NotNil(t, o.Crash)
			assert.False(t, o.Passed)
			assert.Equal(t, tt.phase, o.Crash.Phase)
			assert.Equal(t, tt.node, o.Crash.Node)
			assert.Contains(t, o.Crash.Value, tt.value)
			if tt.phase == "run" {
				assert.Equal(t, tt.event, o.Crash.Event)
				assert.Contains(t, o.Crash.Stack, "scenarios_test.(*ticker).Timer")
				assert.NotContains(t, o.Crash.Stack, "+0x", "offsets are left out")
			}
			assert.Equal(t, o.Crash, again.Crash, "the same seed panics the same way")
			assert.Equal(t, o.Fingerprint, again.Fingerprint)
		})
	}
	s, err := scenarios.Parse("p.yaml", []byte("name: p\nprotocol: panicky\nnodes: 2\nduration: 20ms\n"), []protocols.Protocol{panicky()})
	require.NoError(t, err)
	o, err := scenarios.Run(s, 3, scenarios.RunOptions{})
	require.NoError(t, err)
	assert.Nil(t, o.Crash)
}

// serverless is a protocol with one node that the nemesis may not target.
func serverless() protocols.Protocol {
	return protocols.Protocol{
		Name:   "serverless",
		Checks: []protocols.CheckInfo{{Name: "safe", Default: true}},
		Setup:  serverlessSetup,
	}
}

// TestARunThatTestedNothingDoesNotPass: a nemesis that could fault nothing
// makes the run inconclusive, vacuously, unless the scenario allows it; so
// does a window too short to hold a fault, refused at load.
func TestARunThatTestedNothingDoesNotPass(t *testing.T) {
	table := []protocols.Protocol{serverless()}
	src := "name: v\nprotocol: serverless\nnodes: 1\nduration: 1s\nnemesis: {kinds: [crash]}\n"
	run := func(src string) *scenarios.Outcome {
		s, err := scenarios.Parse("v.yaml", []byte(src), table)
		require.NoError(t, err)
		o, err := scenarios.Run(s, 1, scenarios.RunOptions{})
		require.NoError(t, err)
		return o
	}
	o := run(src)
	assert.False(t, o.Passed)
	require.NotEmpty(t, o.Checks)
	last := o.Checks[len(o.Checks)-1]
	assert.Equal(t, "nemesis", last.Check)
	assert.True(t, last.Vacuous)
	assert.Equal(t, "nothing to check: the nemesis drew no fault, so the run tested none", last.Detail)
	assert.True(t, run(src+"allow_vacuous: true\n").Passed, "unless the scenario allows it")

	_, err := scenarios.Parse("w.yaml", []byte("name: w\nprotocol: serverless\nnodes: 1\nduration: 1s\nnemesis: {kinds: [crash], start: 0s, stop: 1s, duration: 900ms}\n"), table)
	assert.ErrorContains(t, err, "nemesis.duration: 900ms: a fault lasts up to 1.35s, longer than the nemesis's window from 0s to 1s")
}

// serverlessSetup adds one node and names no server.
func serverlessSetup(env *protocols.Env) (protocols.Instance, error) {
	env.World.MustAddNode("n1", func() sim.Node { return &ticker{} })
	return noServers{}, nil
}

type noServers struct{}

func (noServers) Servers() []sim.NodeID { return nil }
func (noServers) Check(req protocols.CheckRequest) protocols.Report {
	return protocols.Report{Checks: []checker.Result{{Check: "safe", Verdict: checker.Holds}}}
}
