package scenarios_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/echo"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

const echoSrc = "name: p\nprotocol: echo\nnodes: 1\nclients: 2\nworkload: {ops: 6}\nduration: 1s\n"

// firstDeliveries runs s to its 4th event and returns the IDs of the
// messages then in flight.
func firstDeliveries(t *testing.T, s *scenarios.Scenario) []uint64 {
	t.Helper()
	w, _, _, err := scenarios.Build(s, 1, false)
	require.NoError(t, err)
	w.RunEvents(4)
	var ids []uint64
	for _, p := range w.Pending() {
		if p.Kind == sim.KindDeliver {
			ids = append(ids, p.ID)
		}
	}
	require.NotEmpty(t, ids)
	return ids
}

func TestStepsMakeARunsChoicesAndReplay(t *testing.T) {
	s, err := scenarios.Parse("p.yaml", []byte(echoSrc), []protocols.Protocol{echo.Protocol()})
	require.NoError(t, err)
	ids := firstDeliveries(t, s)
	steps := []scenarios.Step{
		{After: 4, Action: scenarios.ActionDrop, Event: ids[0]},
		{After: 4, Action: scenarios.ActionCrash, Node: "server"},
		{After: 4, Action: scenarios.ActionRestart, Node: "server"},
	}
	plain, err := scenarios.Run(s, 1, scenarios.RunOptions{})
	require.NoError(t, err)
	a, err := scenarios.Run(s, 1, scenarios.RunOptions{Steps: steps})
	require.NoError(t, err)
	b, err := scenarios.Run(s, 1, scenarios.RunOptions{Steps: steps})
	require.NoError(t, err)
	assert.Equal(t, a.Fingerprint, b.Fingerprint, "a path replays exactly")
	assert.NotEqual(t, plain.Fingerprint, a.Fingerprint)

	var buf bytes.Buffer
	p := &scenarios.Path{Scenario: "p.yaml", Seed: 1, Steps: steps, Note: "the server forgets"}
	require.NoError(t, p.Write(&buf))
	back, err := scenarios.ReadPath(&buf)
	require.NoError(t, err)
	assert.Equal(t, p, back)
}

func TestStepsThatDoNotFitTheRun(t *testing.T) {
	s, err := scenarios.Parse("p.yaml", []byte(echoSrc), []protocols.Protocol{echo.Protocol()})
	require.NoError(t, err)
	for _, tc := range []struct {
		step scenarios.Step
		want string
	}{
		{scenarios.Step{After: 4, Action: scenarios.ActionFire, Event: 999999}, "step 0 (fire after 4 events): sim: no such pending event"},
		{scenarios.Step{After: 1 << 40, Action: scenarios.ActionCrash, Node: "server"}, "step 0 comes after 1099511627776 events, but the run has"},
		{scenarios.Step{After: 2, Action: scenarios.ActionCrash, Node: "n9"}, `no node named "n9"`},
	} {
		_, err := scenarios.Run(s, 1, scenarios.RunOptions{Steps: []scenarios.Step{tc.step}})
		assert.ErrorIs(t, err, scenarios.ErrPath)
		assert.ErrorContains(t, err, tc.want)
	}
}

func TestReadPathRejectsBadFiles(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"dsim_path": 2, "scenario": "x", "seed": 1, "steps": []}`, "dsim_path 2 is not supported"},
		{`{"dsim_path": 1, "seed": 1, "steps": []}`, "names no scenario"},
		{`{"dsim_path": 1, "scenario": "x", "steps": [{"after": 1, "action": "teleport"}]}`, `steps[0]: action "teleport"`},
		{`{"dsim_path": 1, "scenario": "x", "steps": [{"after": 1, "action": "crash"}]}`, "crash needs a node"},
		{`{"dsim_path": 1, "scenario": "x", "steps": [{"after": 5, "action": "drop", "event": 3}, {"after": 2, "action": "drop", "event": 4}]}`, "comes before the previous step's"},
		{`{"dsim_path": 1, "scenario": "x", "stepz": []}`, "not a path file"},
	} {
		_, err := scenarios.ReadPath(strings.NewReader(tc.in))
		assert.ErrorIs(t, err, scenarios.ErrInvalid, tc.in)
		assert.ErrorContains(t, err, tc.want, tc.in)
	}
}
