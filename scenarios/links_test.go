package scenarios_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// TestLinkFaultsChangeOnlyWhatTheyName runs link, reset and heal faults on
// a network of constant 100µs links (n2 -> n1 overridden to 2ms and 10%
// loss) and compares the links after the faults with what each should be.
func TestLinkFaultsChangeOnlyWhatTheyName(t *testing.T) {
	scenarioLink := sim.LinkConfig{Latency: sim.Constant(100 * time.Microsecond)}
	override := sim.LinkConfig{Latency: sim.Constant(2 * time.Millisecond), Drop: 0.1}
	tests := []struct {
		name   string
		faults string
		def    sim.LinkConfig // the default link after the faults
		n1n2   sim.LinkConfig
		n2n1   sim.LinkConfig
	}{
		{"drop 0 keeps the latency", "[{at: 1s, link: {drop: 0}}]", scenarioLink, scenarioLink, override},
		{"only the named field changes", "[{at: 1s, link: {duplicate: 0.2}}]",
			sim.LinkConfig{Latency: scenarioLink.Latency, Duplicate: 0.2}, sim.LinkConfig{Latency: scenarioLink.Latency, Duplicate: 0.2}, override},
		{"one link on top of its override", "[{at: 1s, link: {from: n2, to: n1, drop: 0.5}}]",
			scenarioLink, scenarioLink, sim.LinkConfig{Latency: override.Latency, Drop: 0.5}},
		{"faults compose", "[{at: 1s, link: {drop: 0.3}}, {at: 2s, link: {from: n1, to: n2, latency: {kind: constant, mean: 1ms}}}]",
			sim.LinkConfig{Latency: scenarioLink.Latency, Drop: 0.3}, sim.LinkConfig{Latency: sim.Constant(time.Millisecond), Drop: 0.3}, override},
		{"reset restores the scenario's network", "[{at: 1s, link: {drop: 0.3}}, {at: 1s, link: {from: n2, to: n1, fifo: true}}, {at: 2s, reset: true}]",
			scenarioLink, scenarioLink, override},
		{"reset of one link restores its scenario link, not the changed default",
			"[{at: 1s, link: {drop: 0.3}}, {at: 1s, link: {from: n1, to: n2, drop: 0.9}}, {at: 2s, reset: {from: n1, to: n2}}]",
			sim.LinkConfig{Latency: scenarioLink.Latency, Drop: 0.3}, scenarioLink, override},
		{"heal leaves link faults alone", "[{at: 1s, link: {drop: 0.3}}, {at: 2s, partition: [[n1], [n2]]}, {at: 3s, heal: true}]",
			sim.LinkConfig{Latency: scenarioLink.Latency, Drop: 0.3}, sim.LinkConfig{Latency: scenarioLink.Latency, Drop: 0.3}, override},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "name: links\nprotocol: panicky\nnodes: 2\nduration: 5s\n" +
				"network:\n  latency: {kind: constant, mean: 100us}\n  links:\n    - {from: n2, to: n1, latency: {kind: constant, mean: 2ms}, drop: 0.1}\n" +
				"faults: " + tt.faults + "\n"
			s, err := scenarios.Parse("links.yaml", []byte(src), []protocols.Protocol{panicky()})
			require.NoError(t, err)
			w, _, _, err := scenarios.Build(s, 1, false)
			require.NoError(t, err)
			w.RunUntil(sim.Time(4 * time.Second))
			n1, _ := w.Lookup("n1")
			n2, _ := w.Lookup("n2")
			assert.Equal(t, tt.def, w.DefaultLinkConfig(), "default link")
			assert.Equal(t, tt.n1n2, w.LinkConfig(n1, n2), "n1 -> n2")
			assert.Equal(t, tt.n2n1, w.LinkConfig(n2, n1), "n2 -> n1")
		})
	}
}

// TestLinkFaultPicture: a link fault's Link shows the scenario's link with
// the named fields changed, and a fault that names nothing is refused.
func TestLinkFaultPicture(t *testing.T) {
	src := "name: links\nprotocol: panicky\nnodes: 2\nduration: 5s\nnetwork:\n  latency: {kind: constant, mean: 100us}\n" +
		"faults: [{at: 1s, link: {drop: 0}}]\n"
	s, err := scenarios.Parse("links.yaml", []byte(src), []protocols.Protocol{panicky()})
	require.NoError(t, err)
	require.Len(t, s.Faults, 1)
	assert.Equal(t, sim.LinkConfig{Latency: sim.Constant(100 * time.Microsecond)}, *s.Faults[0].Link)
	assert.Equal(t, []string{"drop"}, s.Faults[0].LinkFields)

	_, err = scenarios.Parse("links.yaml", []byte("name: links\nprotocol: panicky\nnodes: 2\nduration: 5s\nfaults: [{at: 1s, link: {from: n1, to: n2}}]\n"),
		[]protocols.Protocol{panicky()})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "changes nothing")
	_, err = scenarios.Parse("links.yaml", []byte("name: links\nprotocol: panicky\nnodes: 2\nduration: 5s\nfaults: [{at: 1s, reset: {from: n1}}]\n"),
		[]protocols.Protocol{panicky()})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "want both from and to")
}
