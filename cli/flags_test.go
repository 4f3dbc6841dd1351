package cli

import (
	"io"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// parse runs cmd's flag parsing and argument checks on args without running
// it: cmd was built with a runF that keeps the options.
func parse(t *testing.T, cmd *cobra.Command, args ...string) {
	t.Helper()
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	require.NoError(t, cmd.Execute())
}

func TestSharedFlagsMeanTheSameInEveryCommand(t *testing.T) {
	f, err := newFactory(Config{})
	require.NoError(t, err)
	shared := []string{"--budget", "30s", "--allow-inconclusive"}
	want := checkFlags{Budget: 30 * time.Second, AllowInconclusive: true}

	var run *runOptions
	parse(t, newCmdRun(f, func(o *runOptions) error { run = o; return nil }),
		append([]string{"paxos-calm", "--seed", "9", "--format", "json", "--checks", "liveness,linearizability"}, shared...)...)
	assert.Equal(t, want, run.Check)
	assert.Equal(t, formatJSON, run.Format)
	assert.Equal(t, uint64(9), run.Seed)
	assert.Equal(t, []string{"liveness", "linearizability"}, run.Checks)
	assert.True(t, run.ChecksGiven)

	var sweep *sweepOptions
	parse(t, newCmdSweep(f, func(o *sweepOptions) error { sweep = o; return nil }),
		append([]string{"echo-calm", "--seeds", "1-9", "--shard", "1/3", "--fail-fast"}, shared...)...)
	assert.Equal(t, want, sweep.Check)
	assert.Equal(t, formatText, sweep.Format, "text by default")
	assert.False(t, sweep.ChecksGiven)
	assert.True(t, sweep.FailFast)
	assert.NotNil(t, sweep.Ctx, "the command's context is passed down")

	var check *checkOptions
	parse(t, newCmdCheck(f, func(o *checkOptions) error { check = o; return nil }), append([]string{"h.json"}, shared...)...)
	assert.Equal(t, want, check.Check)

	var cmp *compareOptions
	parse(t, newCmdCompare(f, func(o *compareOptions) error { cmp = o; return nil }),
		"lb-load-50", "--seeds", "1-2", "--format", "json", "--balancers", "random,peak-ewma:1s")
	assert.Equal(t, formatJSON, cmp.Format)
	assert.Equal(t, []string{"random", "peak-ewma:1s"}, cmp.Balancers)

}
