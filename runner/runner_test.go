package runner_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/reports"
	"github.com/dsimlab/dsim/runner"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/scenarios/library"
)

func load(t *testing.T, name string) *scenarios.Scenario {
	t.Helper()
	s, err := library.Load(name)
	require.NoError(t, err)
	return s
}

func TestRunReportsTheSameWhateverTheJobs(t *testing.T) {
	s := load(t, "echo-faults")
	seeds := runner.Seeds{First: 1, Last: 24}
	summary := func(jobs int) (reports.SweepReport, []uint64) {
		var sum reports.Sweep
		var got []uint64
		err := runner.Run(context.Background(), s, seeds.All(), runner.Options{Jobs: jobs}, func(r runner.Result) {
			sum.Add(r.Outcome)
			got = append(got, r.Seed)
		})
		require.NoError(t, err)
		slices.Sort(got)
		return sum.Report(reports.OmitWall()), got
	}
	one, seedsOne := summary(1)
	four, seedsFour := summary(4)
	assert.Equal(t, one, four)
	assert.Equal(t, slices.Collect(seeds.All()), seedsOne, "every seed ran once")
	assert.Equal(t, seedsOne, seedsFour)
}

func TestRunStopsOnCancelAndReturnsTheCause(t *testing.T) {
	s := load(t, "echo-calm")
	ctx, cancel := context.WithCancelCause(context.Background())
	stopped := errors.New("interrupted")
	n := 0
	err := runner.Run(ctx, s, runner.Seeds{First: 0, Last: 1<<64 - 1}.All(), runner.Options{Jobs: 2}, func(runner.Result) {
		n++
		if n == 5 {
			cancel(stopped)
		}
	})
	assert.ErrorIs(t, err, stopped)
	assert.GreaterOrEqual(t, n, 5)
	assert.LessOrEqual(t, n, 6, "runs in progress finish; no new one starts")
}

func TestRunFailFastStopsAfterAFailure(t *testing.T) {
	s := load(t, "twopc-blocking") // fails on purpose, every seed
	n := 0
	err := runner.Run(context.Background(), s, runner.Seeds{First: 1, Last: 1000}.All(),
		runner.Options{Jobs: 1, FailFast: true}, func(r runner.Result) {
			n++
			assert.False(t, r.Outcome.Passed)
		})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

func TestRunReturnsASetUpErrorWithItsSeed(t *testing.T) {
	s := load(t, "echo-calm")
	bad := *s
	bad.Nodes = 2 // echo has exactly one server
	err := runner.Run(context.Background(), &bad, runner.Seeds{First: 3, Last: 9}.All(), runner.Options{Jobs: 1}, func(runner.Result) {
		t.Fatal("no run should be reported")
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "seed 3")
	assert.ErrorIs(t, err, scenarios.ErrInvalid)
}
