package scenarios_test

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// toy is a protocol for loader tests: servers n1..nN, clients c1..cM, no
// behaviour.
func toy() protocols.Protocol {
	return protocols.Protocol{
		Name: "toy",
		Params: []protocols.Param{
			{Name: "variant", Kind: protocols.String, Default: "correct", Choices: []string{"correct", "buggy"}},
			{Name: "window", Kind: protocols.Int, Default: 4, Min: 1, Max: 64},
			{Name: "timeout", Kind: protocols.Duration, Default: time.Second},
			{Name: "ratio", Kind: protocols.Float, Default: 0.5},
			{Name: "fast", Kind: protocols.Bool, Default: false},
		},
		Checks: []protocols.CheckInfo{{Name: "safe", Default: true}, {Name: "live"}},
		Ops:    []string{"get", "put"},
		Setup: func(env *protocols.Env) (protocols.Instance, error) {
			in := &toyInstance{}
			for i := 1; i <= env.Nodes; i++ {
				in.servers = append(in.servers, env.World.MustAddNode("n"+strconv.Itoa(i), func() sim.Node { return idle{} }))
			}
			for i := 1; i <= env.Clients; i++ {
				env.World.MustAddNode("c"+strconv.Itoa(i), func() sim.Node { return idle{} })
			}
			return in, nil
		},
	}
}

type idle struct{}

func (idle) Start(*sim.Context)                    {}
func (idle) Receive(*sim.Context, sim.NodeID, any) {}
func (idle) Timer(*sim.Context, any)               {}

type toyInstance struct{ servers []sim.NodeID }

func (t *toyInstance) Servers() []sim.NodeID { return t.servers }
func (t *toyInstance) Check(req protocols.CheckRequest) protocols.Report {
	return protocols.Report{}
}

var table = []protocols.Protocol{toy()}

const good = `name: toy-ok
description: a valid scenario
protocol: toy
params:
  variant: buggy
  window: 8
  timeout: 250ms
  ratio: 0.25
  fast: true
nodes: 3
clients: 2
network:
  latency: {kind: lognormal, median: 2ms, sigma: 0.5}
  drop: 0.1
  duplicate: 0.01
  fifo: true
  links:
    - {from: n1, to: n2, drop: 0.5}
workload:
  ops: 100
  mix: {put: 1, get: 3}
  keys: 10
  distribution: zipf
  zipf_s: 1.2
  think: 1ms
  timeout: 100ms
duration: 5s
faults:
  - at: 1s
    crash: n1
  - at: 2s
    restart: n1
  - at: 2s
    partition: [[n1], [n2, n3]]
  - at: 3s
    heal: true
  - at: 3s
    cut: {from: n2, to: n3}
  - at: 3500ms
    heal: {from: n2, to: n3}
  - at: 4s
    clock: {node: n2, offset: -20ms, drift: 0.001}
  - at: 4s
    link: {latency: {kind: constant, mean: 1ms}, drop: 0.2}
  - at: 4s
    pause: n3
  - at: 4500ms
    resume: n3
nemesis:
  kinds: [crash, partition]
  start: 1s
  interval: 500ms
  duration: 200ms
checks: [safe, live]
check_budget: 2s
allow_inconclusive: true
`

func TestParseValidScenario(t *testing.T) {
	s, err := scenarios.Parse("ok.yaml", []byte(good), table)
	require.NoError(t, err)
	assert.Equal(t, "toy-ok", s.Name)
	assert.Equal(t, "buggy", s.Params.String("variant"))
	assert.Equal(t, 8, s.Params.Int("window"))
	assert.Equal(t, 250*time.Millisecond, s.Params.Duration("timeout"))
	assert.Equal(t, 0.25, s.Params.Float("ratio"))
	assert.True(t, s.Params.Bool("fast"))
	assert.Equal(t, 3, s.Nodes)
	assert.Equal(t, 2, s.Clients)
	assert.Equal(t, sim.LogNormal(2*time.Millisecond, 0.5), s.Network.Default.Latency)
	assert.Equal(t, 0.1, s.Network.Default.Drop)
	assert.True(t, s.Network.Default.FIFO)
	require.Len(t, s.Network.Links, 1)
	assert.Equal(t, 0.5, s.Network.Links[0].Config.Drop)
	assert.Equal(t, s.Network.Default.Latency, s.Network.Links[0].Config.Latency, "a link override starts from the default")
	assert.Equal(t, []protocols.MixEntry{{Op: "get", Weight: 3}, {Op: "put", Weight: 1}}, s.Workload.Mix, "sorted by name")
	assert.Equal(t, "zipf", s.Workload.Distribution)
	require.Len(t, s.Faults, 10)
	assert.Equal(t, scenarios.Fault{At: time.Second, Kind: scenarios.FaultCrash, Node: "n1", Line: 29, Position: 0}, s.Faults[0])
	assert.Equal(t, [][]string{{"n1"}, {"n2", "n3"}}, s.Faults[2].Groups)
	assert.Equal(t, -20*time.Millisecond, s.Faults[6].Offset)
	assert.Equal(t, 0.2, s.Faults[7].Link.Drop)
	assert.Equal(t, []string{"safe", "live"}, s.Checks)
	assert.Equal(t, 5*time.Second, s.Nemesis.Stop, "the nemesis stops at the end of the run by default")
	assert.True(t, s.AllowInconclusive)
	assert.Equal(t, 2*time.Second, s.CheckBudget)
}

func TestParseDefaults(t *testing.T) {
	s, err := scenarios.Parse("min.yaml", []byte("name: m\nprotocol: toy\nduration: 1s\n"), table)
	require.NoError(t, err)
	assert.Equal(t, "correct", s.Params.String("variant"))
	assert.Equal(t, []string{"safe"}, s.Checks, "default checks")
	assert.Equal(t, sim.DefaultLink, s.Network.Default)
	assert.Nil(t, s.Nemesis)
}

func TestParseErrorsNameFileLineAndField(t *testing.T) {
	base := "name: bad\nprotocol: toy\nduration: 1s\n"
	tests := []struct {
		name string
		yaml string
		want []string
	}{
		{"bad duration", base + "faults:\n  - at: 5 s\n    crash: n1\n",
			[]string{`x.yaml:5: faults[0].at: "5 s" is not a duration (want e.g. 5s, 250ms)`}},
		{"unknown field", base + "nodez: 3\n",
			[]string{`x.yaml:4: nodez: unknown field (want one of allow_inconclusive, allow_vacuous, check_budget, checks, clients, description, duration, fault_points, faults, liveness, name, nemesis, network, nodes, online_checks, params, protocol, swarm, workload)`}},
		{"unknown protocol", "name: b\nprotocol: raft\nduration: 1s\n",
			[]string{`x.yaml:2: protocol: unknown protocol "raft" (want one of toy)`}},
		{"missing protocol and duration", "name: b\n",
			[]string{`x.yaml:1: duration: missing (want the run length, e.g. 10s)`, `x.yaml:1: protocol: missing (want one of toy)`}},
		{"bad choice", base + "params:\n  variant: wrong\n",
			[]string{`x.yaml:5: params.variant: "wrong" is not allowed (want one of correct, buggy)`}},
		{"param out of range", base + "params:\n  window: 100\n",
			[]string{`x.yaml:5: params.window: 100 is out of range (want 1 to 64)`}},
		{"misspelt param", base + "params:\n  windw: 2\n",
			[]string{`x.yaml:5: params.windw: unknown field (want one of fast, ratio, timeout, variant, window)`}},
		{"probability", base + "network:\n  drop: 1.5\n",
			[]string{`x.yaml:5: network.drop: 1.5 is not a probability (want a number from 0 to 1)`}},
		{"latency", base + "network:\n  latency: {kind: uniform, min: 5ms, max: 1ms}\n",
			[]string{`x.yaml:5: network.latency: uniform latency: want 0 <= min <= max, got min 5ms max 1ms`}},
		{"latency kind", base + "network:\n  latency: {kind: gamma}\n",
			[]string{`network.latency: unknown latency kind "gamma"`}},
		{"unknown check", base + "checks: [safe, fast]\n",
			[]string{`x.yaml:4: checks[1]: protocol toy has no check "fast" (want one of safe, live)`}},
		{"unknown op", base + "workload:\n  mix: {get: 1, scan: 1}\n",
			[]string{`x.yaml:5: workload.mix.scan: protocol toy has no operation "scan" (want one of get, put)`}},
		{"two kinds in one fault", base + "faults:\n  - at: 1s\n    crash: n1\n    pause: n2\n",
			[]string{`x.yaml:5: faults[0]: want exactly one of crash, restart, pause, resume, partition, cut, heal, clock, link, reset, found 2`}},
		{"fault without at", base + "faults:\n  - crash: n1\n",
			[]string{`x.yaml:5: faults[0].at: missing (want the time of the event, e.g. 2s)`}},
		{"fault after the end", base + "faults:\n  - at: 2s\n    crash: n1\n",
			[]string{`x.yaml:5: faults[0].at: 2s is after the end of the run (duration 1s)`}},
		{"nemesis kind", base + "nemesis:\n  kinds: [crash, meteor]\n",
			[]string{`x.yaml:5: nemesis.kinds[1]: "meteor" is not a nemesis fault (want crash, pause, partition or clock)`}},
		{"negative clients", base + "clients: -1\n",
			[]string{`x.yaml:4: clients: -1 is too small (want at least 0)`}},
		{"zipf exponent", base + "workload:\n  zipf_s: 0.5\n",
			[]string{`x.yaml:5: workload.zipf_s: 0.5 is too small (want a Zipf exponent greater than 1)`}},
		{"duplicate key", base + "nodes: 3\nnodes: 4\n",
			[]string{`x.yaml:5: nodes: appears twice`}},
		{"not yaml", "name: [\n", []string{`x.yaml:1: not valid YAML`}},
		{"not a mapping", "- a\n- b\n", []string{`x.yaml:1: want a mapping`}},
		{"empty", "", []string{`x.yaml: empty scenario`}},
		{"too many clients", base + "nodes: 3\nclients: 1000000\n",
			[]string{`x.yaml:5: clients: 3 nodes and 1000000 clients make 1000003, more than the limit of 100000`}},
		{"a nemesis that never stops", base + "nemesis:\n  kinds: [crash]\n  interval: 1ns\n  duration: 1ns\n",
			[]string{`x.yaml:6: nemesis.interval: 1ns (with duration 1ns) would schedule about 1e+09 faults between 0s and 1s, more than the limit of 100000`}},
		{"a nemesis that starts after it stops", base + "nemesis:\n  kinds: [crash]\n  start: 2s\n  stop: 1s\n",
			[]string{`x.yaml:6: nemesis.start: 2s is not before the nemesis's stop, 1s: it would schedule nothing`}},
		{"a negative rate", base + "workload:\n  rate: -100\n",
			[]string{`x.yaml:5: workload.rate: -100 operations per second is out of range`}},
		{"a rate too small to draw a gap from", base + "workload:\n  rate: 1e-12\n",
			[]string{`x.yaml:5: workload.rate: 1e-12 operations per second is out of range (want from 1.16e-05, one a day`}},
		{"a node on both sides of a partition", base + "faults:\n  - at: 1s\n    partition: [[n1, n2], [n2]]\n",
			[]string{`x.yaml:6: faults[0].partition[1]: "n2" is on two sides of the partition`}},
		{"an empty side", base + "faults:\n  - at: 1s\n    partition: [[n1], []]\n",
			[]string{`x.yaml:6: faults[0].partition[1]: an empty side (want at least one node name)`}},
		{"a second document", base + "---\nname: other\n",
			[]string{`x.yaml:4: a second YAML document starts here (a scenario file holds one; remove the ---)`}},
		{"every problem at once", "name: b\nprotocol: toy\nduration: 1x\nnodes: zero\n",
			[]string{`x.yaml:3: duration: "1x" is not a duration`, `x.yaml:4: nodes: "zero" is not an integer`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scenarios.Parse("x.yaml", []byte(tt.yaml), table)
			require.Error(t, err)
			assert.True(t, errors.Is(err, scenarios.ErrInvalid))
			for _, want := range tt.want {
				assert.Contains(t, err.Error(), want)
			}
			var probs scenarios.Problems
			require.ErrorAs(t, err, &probs)
			assert.Len(t, probs, len(tt.want), "problems: %v", err)
		})
	}
}

func TestLimitsOnFaultsAndFileSize(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: many\nprotocol: toy\nduration: 1h\nfaults:\n")
	for i := 0; i <= scenarios.MaxFaults; i++ {
		fmt.Fprintf(&b, "  - {at: %dms, crash: n1}\n", i)
	}
	_, err := scenarios.Parse("many.yaml", []byte(b.String()), table)
	assert.ErrorContains(t, err, "many.yaml:5: faults: 100001 fault events, more than the limit of 100000")

	huge := append([]byte("name: huge\n# "), bytes.Repeat([]byte("x"), scenarios.MaxScenarioBytes)...)
	_, err = scenarios.Parse("huge.yaml", huge, table)
	assert.ErrorContains(t, err, "huge.yaml: the file is larger than 8 MiB, the limit for a scenario")
	assert.ErrorIs(t, err, scenarios.ErrInvalid)
}

func TestBuildReportsUnknownNodeNamesWithTheirLines(t *testing.T) {
	src := "name: b\nprotocol: toy\nnodes: 2\nduration: 5s\nfaults:\n  - at: 1s\n    crash: n7\n  - at: 2s\n    partition: [[n1], [c9]]\nnetwork:\n  links:\n    - {from: n1, to: x}\n"
	s, err := scenarios.Parse("names.yaml", []byte(src), table)
	require.NoError(t, err)
	_, _, _, err = scenarios.Build(s, 1, false)
	require.Error(t, err)
	msg := err.Error()
	assert.Contains(t, msg, `names.yaml:6: faults[0].crash: no node named "n7" (protocol toy with these settings has n1, n2)`)
	assert.Contains(t, msg, `names.yaml:8: faults[1].partition: no node named "c9"`)
	assert.Contains(t, msg, `names.yaml:12: network.links[0].to: no node named "x"`)
	assert.ErrorIs(t, err, scenarios.ErrInvalid)
}

func TestScheduleIsDeterministicAndWellFormed(t *testing.T) {
	s, err := scenarios.Parse("ok.yaml", []byte(good), table)
	require.NoError(t, err)
	servers := []string{"n1", "n2", "n3", "n4", "n5"}
	a := s.Schedule(9, servers)
	assert.Equal(t, a, s.Schedule(9, servers), "same seed, same schedule")
	assert.NotEqual(t, a, s.Schedule(10, servers), "another seed, another schedule")
	nemesis := 0
	for i, f := range a {
		if i > 0 {
			assert.LessOrEqual(t, a[i-1].At, f.At, "sorted by time")
		}
		if !f.Nemesis {
			continue
		}
		nemesis++
		assert.GreaterOrEqual(t, f.At, s.Nemesis.Start)
		assert.LessOrEqual(t, f.At, s.Nemesis.Stop)
		assert.Contains(t, []scenarios.FaultKind{scenarios.FaultCrash, scenarios.FaultRestart, scenarios.FaultPartition, scenarios.FaultHeal}, f.Kind)
		if f.Kind == scenarios.FaultPartition {
			require.Len(t, f.Groups, 2)
			assert.LessOrEqual(t, len(f.Groups[0]), 2, "the cut-off side is a minority of five")
		}
	}
	assert.Greater(t, nemesis, 4, "a 4s nemesis window with a 500ms mean gap draws several faults")
}

func TestWithParamChangesOneParameterAndCopies(t *testing.T) {
	s, err := scenarios.Parse("ok.yaml", []byte(good), table)
	require.NoError(t, err)
	c := s.WithParam("variant", "correct")
	assert.Equal(t, "correct", c.Params.String("variant"))
	assert.Equal(t, 8, c.Params.Int("window"), "the file's other values stay")
	assert.Equal(t, "buggy", s.Params.String("variant"), "the original is unchanged")
}

func TestRunKeepsTheInstanceForMeasurements(t *testing.T) {
	s, err := scenarios.Parse("ok.yaml", []byte(good), table)
	require.NoError(t, err)
	o, err := scenarios.Run(s, 1, scenarios.RunOptions{})
	require.NoError(t, err)
	in, ok := o.Instance.(*toyInstance)
	require.True(t, ok, "the outcome holds the instance Setup returned")
	assert.Len(t, in.servers, 3)
}
