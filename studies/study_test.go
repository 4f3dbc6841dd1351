package studies_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/scenarios/library"
	"github.com/dsimlab/dsim/sim"
	"github.com/dsimlab/dsim/studies"
)

func load(t *testing.T, name string) *scenarios.Scenario {
	t.Helper()
	s, err := studies.Catalog().Load(name)
	require.NoError(t, err)
	return s
}

// echoStudy varies echo-faults' ping interval; "again" changes nothing.
func echoStudy(t *testing.T, jobs int) *studies.Study {
	return &studies.Study{Base: load(t, "echo-faults"), Axis: "interval", Seeds: studies.SeedRange(1, 6), Jobs: jobs,
		Cases: []studies.Case{
			{Name: "1ms", Changes: []studies.Change{studies.Param("interval", time.Millisecond)}},
			{Name: "again"},
			{Name: "3ms", Changes: []studies.Change{studies.Param("interval", 3*time.Millisecond)}},
		},
		Columns: []studies.Column{{Metric: "answered", Paired: studies.Difference}, {Metric: "passed"}}}
}

func TestStudyIsTheSameForAnyNumberOfJobs(t *testing.T) {
	one, err := echoStudy(t, 1).Run(context.Background())
	require.NoError(t, err)
	four, err := echoStudy(t, 4).Run(context.Background())
	require.NoError(t, err)
	a, err := json.Marshal(one)
	require.NoError(t, err)
	b, err := json.Marshal(four)
	require.NoError(t, err)
	assert.JSONEq(t, string(a), string(b))

	assert.Equal(t, "echo-faults", one.Name, "named after the base")
	again, _ := one.Cell("again", "answered")
	assert.Equal(t, 0.0, again.VsFirst.Mean, "same scenario, same seeds: the very same runs")
	assert.Equal(t, 0.0, again.VsFirst.HalfWidth)
	slow, _ := one.Cell("3ms", "answered")
	assert.NotZero(t, slow.VsFirst.Mean, "slower pings meet the faults differently")
	passed, _ := one.Cell("3ms", "passed")
	assert.Equal(t, 1.0, passed.Mean.Mean, "echo holds under every case")
	assert.GreaterOrEqual(t, one.Column("pings"), 0, "Reported stats are detail columns")
	assert.True(t, one.Columns[one.Column("pings")].Detail)
}

func TestStudyValidates(t *testing.T) {
	s := load(t, "echo-calm")
	for name, st := range map[string]*studies.Study{
		"no base":      {Seeds: []uint64{1}},
		"twice a seed": {Base: s, Seeds: []uint64{1, 1}},
		"twice a case": {Base: s, Seeds: []uint64{1}, Cases: []studies.Case{{Name: "x"}, {Name: "x"}}},
		"level":        {Base: s, Seeds: []uint64{1}, Level: 1.5},
	} {
		_, err := st.Run(context.Background())
		assert.ErrorIs(t, err, studies.ErrBadStudy, name)
	}
	_, err := (&studies.Study{Base: s}).Run(context.Background())
	assert.ErrorIs(t, err, studies.ErrNoSeeds)
}

func TestStudyStopsAtAMeasureError(t *testing.T) {
	boom := errors.New("boom")
	st := &studies.Study{Base: load(t, "echo-calm"), Seeds: studies.SeedRange(1, 4), Jobs: 2,
		Measure: func(c int, o *scenarios.Outcome) ([]protocols.Stat, error) {
			if o.Seed == 3 {
				return nil, boom
			}
			return nil, nil
		}}
	_, err := st.Run(context.Background())
	assert.ErrorIs(t, err, boom)
	assert.ErrorContains(t, err, "seed 3")
	assert.ErrorContains(t, err, "case echo-calm", "no cases: the base alone, named after it")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = (&studies.Study{Base: load(t, "echo-calm"), Seeds: []uint64{1}}).Run(ctx)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestReportedCountsChecks(t *testing.T) {
	s, err := library.Load("paxos-lossy")
	require.NoError(t, err)
	tab, err := studies.Vary(context.Background(), s, "variant", []string{"correct", "no-dedup"}, []uint64{1, 2}, 2)
	require.NoError(t, err)
	assert.Equal(t, "variant", tab.Axis)
	ok, _ := tab.Cell("correct", "passed")
	bad, _ := tab.Cell("no-dedup", "passed")
	assert.Equal(t, 1.0, ok.Mean.Mean, "the correct protocol passes")
	assert.Equal(t, 0.0, bad.Mean.Mean, "no-dedup is caught on every seed")
	lin, found := tab.Cell("no-dedup", "linearizability holds")
	require.True(t, found, "a column per check")
	assert.Equal(t, 0.0, lin.Mean.Mean)
	assert.GreaterOrEqual(t, tab.Column("operations completed"), 0, "the protocol's stats are columns")
}

func TestChangesCopy(t *testing.T) {
	s := load(t, "echo-faults")
	faults, link, dur, ops := len(s.Faults), s.Network.Default, s.Duration, s.Workload.Ops
	c := studies.Faults(scenarios.Fault{At: time.Millisecond, Kind: scenarios.FaultCrash, Node: "server"})(s)
	c = studies.Link(func(l *sim.LinkConfig) { l.Drop = 0.5 })(c)
	c = studies.Duration(time.Second / 2)(c)
	c = studies.Workload(func(w *protocols.Workload) { w.Ops = 3 })(c)
	c = studies.Param("interval", 5*time.Millisecond)(c)
	assert.Len(t, c.Faults, faults+1)
	assert.Equal(t, 0.5, c.Network.Default.Drop)
	assert.Equal(t, time.Second/2, c.Duration)
	assert.Equal(t, 3, c.Workload.Ops)
	assert.Equal(t, 5*time.Millisecond, c.Params.Duration("interval"))
	assert.Len(t, s.Faults, faults, "the base is left as it was")
	assert.Equal(t, link, s.Network.Default)
	assert.Equal(t, dur, s.Duration)
	assert.Equal(t, ops, s.Workload.Ops)
	assert.Equal(t, time.Millisecond, s.Params.Duration("interval"))
}

func TestCatalogHasTheStudiesScenarios(t *testing.T) {
	for _, name := range []string{"echo-demo", "mapreduce-paper", "detector-tradeoff", "transport-bulk"} {
		s := load(t, name)
		assert.Equal(t, name, s.Name)
		assert.NotContains(t, library.Names(), name, "the library itself is unchanged")
	}
	_, ok := studies.Catalog().Protocol("bulk")
	assert.True(t, ok)
}
