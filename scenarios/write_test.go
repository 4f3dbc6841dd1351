package scenarios_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/scenarios/library"
	"github.com/dsimlab/dsim/sim"
)

// comparable returns a copy of s without what a file cannot say the same
// way twice: where it was loaded from, and the lines of its entries. The
// protocol is compared by name (its Setup is a function).
func comparable(s *scenarios.Scenario) (scenarios.Scenario, string) {
	c := *s
	c.File, c.Protocol = "", nil
	c.Faults = append([]scenarios.Fault(nil), s.Faults...)
	for i := range c.Faults {
		c.Faults[i].Line, c.Faults[i].Position = 0, 0
	}
	c.Network.Links = append([]scenarios.LinkOverride(nil), s.Network.Links...)
	for i := range c.Network.Links {
		c.Network.Links[i].Line = 0
	}
	if s.Nemesis != nil {
		nm := *s.Nemesis
		c.Nemesis = &nm
	}
	return c, s.Protocol.Name
}

// roundTrip writes s and parses it back with the catalog's protocols.
func roundTrip(t *testing.T, s *scenarios.Scenario) (*scenarios.Scenario, string) {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, s.WriteYAML(&buf))
	back, err := scenarios.Parse("written.yaml", buf.Bytes(), library.Protocols())
	require.NoError(t, err, buf.String())
	return back, buf.String()
}

func TestWriteYAMLReadsBackEveryLibraryScenario(t *testing.T) {
	for _, name := range library.Names() {
		t.Run(name, func(t *testing.T) {
			s, err := library.Load(name)
			require.NoError(t, err)
			back, text := roundTrip(t, s)
			want, wantProto := comparable(s)
			got, gotProto := comparable(back)
			assert.Equal(t, wantProto, gotProto)
			assert.Equal(t, want, got, text)
		})
	}
}

// TestWriteYAMLReadsBackEveryFaultKind covers what no library scenario
// has: every fault kind, link overrides, odd names and negative offsets.
func TestWriteYAMLReadsBackEveryFaultKind(t *testing.T) {
	s, err := library.Load("paxos-nemesis")
	require.NoError(t, err)
	s.Name, s.Description = "true", "a name YAML would read as a boolean,\nand two lines: of description"
	s.Nemesis = nil
	s.Network.Default.Latency = sim.Latency{Kind: sim.LatencyPareto, Min: time.Millisecond, Alpha: 1.5}
	s.Network.Links = []scenarios.LinkOverride{{From: "n1", To: "n2", Config: sim.LinkConfig{
		Latency: sim.LogNormal(3*time.Millisecond, 0.25), Drop: 1e-7, FIFO: true}}}
	lossy := sim.LinkConfig{Latency: sim.Constant(5 * time.Millisecond), Duplicate: 0.5}
	// A fault that names only some fields is pictured with the rest of the
	// link it changes (here the default), as the loader fills them in.
	onlyDuplicate := s.Network.Default
	onlyDuplicate.Duplicate = 0.5
	s.Faults = []scenarios.Fault{
		{At: time.Second, Kind: scenarios.FaultCrash, Node: "n1"},
		{At: 2 * time.Second, Kind: scenarios.FaultRestart, Node: "n1"},
		{At: 2 * time.Second, Kind: scenarios.FaultPause, Node: "n2"},
		{At: 2500 * time.Millisecond, Kind: scenarios.FaultResume, Node: "n2"},
		{At: 3 * time.Second, Kind: scenarios.FaultPartition, Groups: [][]string{{"n1", "n2"}, {"n3"}}},
		{At: 3 * time.Second, Kind: scenarios.FaultCut, From: "n4", To: "n5"},
		{At: 4 * time.Second, Kind: scenarios.FaultHeal, From: "n4", To: "n5"},
		{At: 4 * time.Second, Kind: scenarios.FaultHeal},
		{At: 5*time.Second + 1, Kind: scenarios.FaultClock, Node: "n3", Offset: -123456789, Drift: 0.001},
		{At: 6 * time.Second, Kind: scenarios.FaultLink, Link: &lossy, LinkFields: []string{"latency", "drop", "duplicate", "fifo"}},
		{At: 7 * time.Second, Kind: scenarios.FaultLink, From: "n2", To: "n1", Link: &onlyDuplicate, LinkFields: []string{"duplicate"}},
		{At: 8 * time.Second, Kind: scenarios.FaultReset, From: "n2", To: "n1"},
		{At: 9 * time.Second, Kind: scenarios.FaultReset},
	}
	s.Workload.Rate, s.Workload.Distribution, s.Workload.ZipfS = 123.25, "zipf", 1.3
	s.AllowInconclusive, s.AllowVacuous = true, true
	s.Params = s.Params.With("heartbeat", 7*time.Millisecond).With("variant", "no-dedup")
	s.Workload.InFlight, s.Workload.Queries = 3, true
	s.Swarm = &scenarios.SwarmBounds{Off: true, Kinds: []scenarios.FaultKind{}, Drop: 0.125, Tail: 0.75,
		InFlight: 2, NoLiveness: true, NoMix: true, Params: []scenarios.ParamRange{
			{Name: "heartbeat", Min: 5 * time.Millisecond, Max: 20 * time.Millisecond},
			{Name: "variant", Choices: []any{"correct", "no-dedup"}}}}
	s.FaultPoints = &sim.FaultPoints{Enable: 0.25}
	s.Liveness = &scenarios.Liveness{Bound: 5 * time.Second}
	s.Online = true
	back, text := roundTrip(t, s)
	want, _ := comparable(s)
	got, _ := comparable(back)
	assert.Equal(t, want, got, text)
	assert.Contains(t, text, "- {at: 1s, crash: n1}", "one fault a line")
	assert.Contains(t, text, "- {at: 7s, link: {from: n2, to: n1, duplicate: 0.5}}", "only the fields a link fault changes")
	assert.Contains(t, text, "heartbeat: 7ms", "parameters that differ from their defaults")
	assert.NotContains(t, text, "election_timeout", "defaults are left out")
	assert.Contains(t, text, "swarm: {enabled: false, kinds: [], drop: 0.125, tail: 0.75, in_flight: 2, liveness: false, mix: false, params: {heartbeat: [5ms, 20ms], variant: [correct, no-dedup]}}", "the swarm bounds that are set")
}

// TestScheduleAsFixedFaultsRunsTheSame turns a nemesis's draws into fixed
// faults: the written scenario, with no nemesis, runs the very same events.
func TestScheduleAsFixedFaultsRunsTheSame(t *testing.T) {
	s, err := library.Load("paxos-nemesis")
	require.NoError(t, err)
	const seed = 3
	before, err := scenarios.Run(s, seed, scenarios.RunOptions{})
	require.NoError(t, err)
	fixed := *s
	fixed.Faults = nil
	for _, f := range before.Faults {
		f.Nemesis = false
		fixed.Faults = append(fixed.Faults, f)
	}
	fixed.Nemesis = nil
	back, _ := roundTrip(t, &fixed)
	after, err := scenarios.Run(back, seed, scenarios.RunOptions{})
	require.NoError(t, err)
	assert.Equal(t, before.Fingerprint, after.Fingerprint)
	assert.Equal(t, before.Events, after.Events)
	assert.Len(t, after.Faults, len(before.Faults))
}
