package reports

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// huntedOutcome is failingOutcome as a swarm run with fault points that an
// online check stopped.
func huntedOutcome(t *testing.T) *scenarios.Outcome {
	o := failingOutcome(t)
	o.Swarm = &scenarios.SwarmMix{Kinds: []scenarios.FaultKind{scenarios.FaultCrash}, Interval: 300 * time.Millisecond,
		Duration: 50 * time.Millisecond, Drop: 0.05, InFlight: 2, Queries: true, FaultPoints: true}
	o.FaultPoints = []sim.FaultPointSite{{Name: "kv/slow", Enabled: true, Reached: 10, Fired: 3}, {Name: "kv/other", Reached: 4}}
	o.Online = &protocols.Violation{Check: "no-lost-ack", Event: 812, Time: 2 * time.Second, Detail: "k1 lost c1.4;"}
	o.ReplayFlags = []string{"--swarm", "--online"}
	return o
}

func TestReportsNameTheMixTheFaultPointsAndTheOnlineEvent(t *testing.T) {
	o := huntedOutcome(t)
	var text bytes.Buffer
	require.NoError(t, WriteText(&text, o, OmitWall()))
	for _, want := range []string{
		"swarm        faults crash every 300ms for 50ms; drop 0.05 dup 0; in-flight 2; queries; fault points\n",
		"fault points enabled: kv/slow (fired 3 of 10)\n",
		"online       no-lost-ack violated at event 812 (2s), where the run stopped: k1 lost c1.4;\n",
		"replay       dsim run 'testdata/register stale.yaml' --seed 42 --swarm --online\n",
	} {
		assert.Contains(t, text.String(), want)
	}

	var js bytes.Buffer
	require.NoError(t, WriteJSON(&js, o, OmitWall()))
	var doc struct {
		Swarm       map[string]any   `json:"swarm"`
		FaultPoints []map[string]any `json:"fault_points"`
		Online      map[string]any   `json:"online"`
		Replay      string           `json:"replay"`
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &doc))
	assert.Equal(t, 2.0, doc.Swarm["in_flight"])
	assert.True(t, strings.HasPrefix(doc.Swarm["text"].(string), "faults crash"))
	assert.Len(t, doc.FaultPoints, 2)
	assert.Equal(t, 812.0, doc.Online["event"])
	assert.True(t, strings.HasSuffix(doc.Replay, "--swarm --online"))

	var page bytes.Buffer
	require.NoError(t, WriteHTML(&page, o, HTMLOptions{}, OmitWall()))
	assert.Contains(t, page.String(), "<tr><th>swarm</th><td>faults crash every 300ms")
	assert.Contains(t, page.String(), "<tr><th>online</th><td>no-lost-ack violated at event 812")
}

func TestReportsWithoutHuntingModesAreUnchanged(t *testing.T) {
	o := failingOutcome(t)
	var text bytes.Buffer
	require.NoError(t, WriteText(&text, o, OmitWall()))
	for _, absent := range []string{"swarm ", "fault points", "online "} {
		assert.NotContains(t, text.String(), absent)
	}
	var js bytes.Buffer
	require.NoError(t, WriteJSON(&js, o, OmitWall()))
	assert.NotContains(t, js.String(), `"swarm"`)
}
