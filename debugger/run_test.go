package debugger

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
)

// TestLastIsTheWholeRun checks that re-executing to the end gives the run
// scenarios.Run gives: the same events and fingerprint, the same checks.
func TestLastIsTheWholeRun(t *testing.T) {
	for _, name := range []string{"echo-faults", "twopc-calm", zooTwoPC} {
		t.Run(name, func(t *testing.T) {
			r := load(t, name, 3)
			o, err := scenarios.Run(r.Scenario, r.Seed, scenarios.RunOptions{})
			require.NoError(t, err)
			last, err := r.Last()
			require.NoError(t, err)
			assert.True(t, last.End)
			assert.Equal(t, o.Events, last.Events)
			assert.Equal(t, o.Fingerprint, fmt.Sprintf("%016x", last.World.Fingerprint()))
			assert.Equal(t, o.Checks, last.Check().Checks)
		})
	}
}

// TestAtStepsBackAndForth checks that a point depends only on its position:
// going back re-executes to the same state, and the trace grows with it.
func TestAtStepsBackAndForth(t *testing.T) {
	r := load(t, "echo-faults", 1)
	fp := map[uint64]uint64{}
	for _, k := range []uint64{10, 200, 50, 10, 200, 0} {
		p, err := r.At(k)
		require.NoError(t, err)
		require.Equal(t, k, p.Events)
		assert.False(t, p.End)
		assert.Len(t, p.EventOf, len(p.World.Trace()), "every record knows its event")
		if prev, ok := fp[k]; ok {
			assert.Equal(t, prev, p.World.Fingerprint(), "after %d events", k)
		}
		fp[k] = p.World.Fingerprint()
	}
	assert.NotEqual(t, fp[10], fp[200])
}

// TestFirstViolation checks the search on bug-zoo runs: the check holds
// one event before the point it returns and fails at it; a correct run has
// none.
func TestFirstViolation(t *testing.T) {
	for _, tc := range []struct{ name, check string }{{zooTwoPC, "atomicity"}, {zooPaxos, checker.LinearizabilityCheck},
		{"threepc-partition-anomaly", "atomicity"}} {
		t.Run(tc.name, func(t *testing.T) {
			r := load(t, tc.name, 1)
			v, err := r.FirstViolation()
			require.NoError(t, err)
			require.NotNil(t, v)
			assert.Equal(t, tc.check, v.Check)
			at, err := r.At(v.Events)
			require.NoError(t, err)
			_, bad := violated(at)
			assert.True(t, bad)
			assert.Equal(t, v.Trace, at.World.Traced())
			before, err := r.At(v.Events - 1)
			require.NoError(t, err)
			_, bad = violated(before)
			assert.False(t, bad, "the check already fails one event earlier")
		})
	}
	v, err := load(t, "twopc-calm", 1).FirstViolation()
	require.NoError(t, err)
	assert.Nil(t, v)
}

// TestBranchReplays makes choices (drop a message, deliver one early, crash
// and restart a node), saves them as a path and replays the path with
// scenarios.Run: the same run, event for event.
// TestFirstViolationOfAPath finds the first violation of a run with
// steps, a search's counterexample to the early-commit variant whose last
// step, a message arriving early, is what breaks atomicity.
func TestFirstViolationOfAPath(t *testing.T) {
	r := load(t, "twopc-explore", 1)
	r.Scenario = r.Scenario.WithParam("variant", "early-commit")
	for i, ev := range []uint64{6, 7, 9, 14, 10, 16} {
		r.Steps = append(r.Steps, scenarios.Step{After: uint64(5 + i), Action: scenarios.ActionFire, Event: ev})
	}
	v, err := r.FirstViolation()
	require.NoError(t, err)
	require.NotNil(t, v)
	assert.Equal(t, checker.AtomicityCheck, v.Check)
	assert.Equal(t, uint64(11), v.Events, "right after the last step")
}

func TestBranchReplays(t *testing.T) {
	r := load(t, "echo-faults", 1)
	p, err := r.At(40)
	require.NoError(t, err)
	msgs := inFlight(p)
	require.GreaterOrEqual(t, len(msgs), 2)
	r = r.Branch(p, scenarios.Step{Action: scenarios.ActionDrop, Event: msgs[0].ID})
	p, err = r.At(40)
	require.NoError(t, err)
	assert.NotContains(t, inFlight(p), msgs[0], "the dropped message is gone")
	r = r.Branch(p, scenarios.Step{Action: scenarios.ActionFire, Event: msgs[1].ID})
	p, err = r.At(40)
	require.NoError(t, err)
	assert.Equal(t, uint64(41), p.Events, "a delivery by choice is an event")
	r = r.Branch(p, scenarios.Step{Action: scenarios.ActionCrash, Node: "server"})
	p, err = r.At(300)
	require.NoError(t, err)
	r = r.Branch(p, scenarios.Step{Action: scenarios.ActionRestart, Node: "server"})
	require.Len(t, r.Steps, 4)

	last, err := r.Last()
	require.NoError(t, err)
	var file bytes.Buffer
	require.NoError(t, r.Path("test").Write(&file))
	path, err := scenarios.ReadPath(&file)
	require.NoError(t, err)
	o, err := scenarios.Run(r.Scenario, path.Seed, scenarios.RunOptions{Steps: path.Steps})
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("%016x", last.World.Fingerprint()), o.Fingerprint)
	plain, err := load(t, "echo-faults", 1).Last()
	require.NoError(t, err)
	assert.NotEqual(t, plain.World.Fingerprint(), last.World.Fingerprint(), "the choices changed the run")

	// A branch made earlier than the last choice replaces the choices after it.
	p, err = r.At(10)
	require.NoError(t, err)
	early := r.Branch(p, scenarios.Step{Action: scenarios.ActionCrash, Node: "c1"})
	assert.Len(t, early.Steps, 1)
}

// TestBranchErrors checks that a choice the run cannot make is an error.
func TestBranchErrors(t *testing.T) {
	r := load(t, "echo-faults", 1)
	p, err := r.At(5)
	require.NoError(t, err)
	_, err = r.Branch(p, scenarios.Step{Action: scenarios.ActionDrop, Event: 999999}).At(5)
	assert.ErrorIs(t, err, ErrBranch)
	_, err = r.Branch(p, scenarios.Step{Action: scenarios.ActionCrash, Node: "nobody"}).At(5)
	assert.ErrorIs(t, err, ErrBranch)
}

// inFlight returns the messages in flight at p.
func inFlight(p *Point) []sim.PendingEvent {
	var out []sim.PendingEvent
	for _, pe := range p.World.Pending() {
		if pe.Kind == sim.KindDeliver {
			out = append(out, pe)
		}
	}
	return out
}
