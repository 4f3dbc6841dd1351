package studies_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
	"github.com/dsimlab/dsim/stats"
	"github.com/dsimlab/dsim/studies"
)

var (
	transportFlag  = flag.Bool("transport", false, "print the full transport table (TestTransportTable)")
	transportSeeds = flag.Int("transport-seeds", 10, "seeds per configuration with -transport")
)

// TestTransportTable reproduces the comparison of goodput, retransmissions
// and spurious retransmissions for windows 1, 8 and 64, adaptive and fixed
// timeouts, at 0, 10 and 30% loss:
//
//	go test ./studies -run TestTransportTable -transport -v
//
// Without -transport it runs a smaller comparison and only checks it.
func TestTransportTable(t *testing.T) {
	opts := studies.TransportOptions{Windows: []int{1, 64}, Losses: []float64{0, 0.1},
		RTOs: []string{"adaptive", "fixed:200ms"}, Seeds: studies.SeedRange(1, 4), Messages: 300}
	if *transportFlag {
		opts = studies.TransportOptions{Seeds: studies.SeedRange(1, uint64(*transportSeeds))}
	}
	tab, err := studies.TransportTable(context.Background(), opts)
	require.NoError(t, err)
	if *transportFlag {
		require.NoError(t, tab.WriteText(os.Stdout))
	}
	for _, r := range tab.Rows {
		complete, _ := tab.Cell(r.Case, "passed")
		assert.Equal(t, 1.0, complete.Mean.Mean, "%s: every transfer completes", r.Case)
		assert.Equal(t, len(tab.Seeds), complete.Mean.N)
	}
	get := func(loss float64, window int, rto, metric string) stats.Interval {
		t.Helper()
		c, ok := tab.Cell(fmt.Sprintf("%g%%, %d, %s", 100*loss, window, rto), metric)
		require.True(t, ok, "no row for loss %v window %d rto %s", loss, window, rto)
		return c.Mean
	}
	assert.Greater(t, get(0, 64, "adaptive", "goodput").Lo, 5*get(0, 1, "adaptive", "goodput").Hi,
		"a 64-message window carries far more than stop-and-wait on a clean network")
	assert.Greater(t, get(0.1, 1, "adaptive", "goodput").Lo, get(0.1, 1, "fixed:200ms", "goodput").Hi,
		"at 10% loss, stop-and-wait with an adaptive timeout beats a conservative fixed one")
	assert.Greater(t, get(0.1, 64, "adaptive", "retransmits").Lo, get(0, 64, "adaptive", "retransmits").Hi)
	assert.Zero(t, get(0, 1, "fixed:200ms", "spurious").Mean, "a timeout far above the round trip never fires needlessly")
	assert.Positive(t, get(0, 1, "adaptive", "spurious").Mean, "SRTT + 4·RTTVAR is exceeded by the latency's tail now and then")

	var b strings.Builder
	require.NoError(t, tab.WriteText(&b))
	assert.Contains(t, b.String(), "goodput (msgs/s)")
	assert.Len(t, strings.Split(strings.TrimSpace(b.String()), "\n"), 2+len(tab.Rows))
}

func TestTransportRejectsBadOptions(t *testing.T) {
	for name, o := range map[string]studies.TransportOptions{
		"loss":        {Losses: []float64{1}},
		"fixed soon":  {RTOs: []string{"fixed:soon"}},
		"clairvoyant": {RTOs: []string{"clairvoyant"}},
		"not bulk":    {Scenario: load(t, "echo-calm")},
	} {
		_, err := studies.TransportTable(context.Background(), o)
		assert.ErrorIs(t, err, studies.ErrBadStudy, name)
	}
}

// TestBulkCompleteCheckCanFail: a connection that gives up after one
// timeout on a network losing most segments cannot deliver everything.
func TestBulkCompleteCheckCanFail(t *testing.T) {
	s := load(t, "transport-bulk")
	s = studies.Param("max_retries", 1)(studies.Link(func(l *sim.LinkConfig) { l.Drop = 0.8 })(s))
	o, err := scenarios.Run(s, 1, scenarios.RunOptions{})
	require.NoError(t, err)
	require.Len(t, o.Checks, 1)
	assert.False(t, o.Passed, o.Checks[0].Detail)
	assert.True(t, strings.HasSuffix(o.Checks[0].Detail, "of 1000 messages delivered"))
	ok, err := scenarios.Run(load(t, "transport-bulk"), 1, scenarios.RunOptions{})
	require.NoError(t, err)
	assert.True(t, ok.Passed, ok.Checks[0].Detail)
}
