package transport_test

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols/transport"
)

var (
	compareFlag  = flag.Bool("compare", false, "print the full transport comparison table (TestCompareTable)")
	compareSeeds = flag.Int("compare-seeds", 10, "seeds per configuration with -compare")
)

// TestCompareTable reproduces the comparison of goodput, retransmissions
// and spurious retransmissions for windows 1, 8 and 64, adaptive and fixed
// timeouts, at 0, 10 and 30% loss:
//
//	go test ./protocols/transport -run TestCompareTable -compare
//
// Without -compare it runs a smaller comparison and only checks it.
func TestCompareTable(t *testing.T) {
	opts := transport.CompareOptions{Windows: []int{1, 64}, Losses: []float64{0, 0.1},
		RTOs: []string{"adaptive", "fixed:200ms"}, Seeds: []uint64{1, 2, 3, 4}, Messages: 300}
	if *compareFlag {
		opts = transport.CompareOptions{}
		for s := 1; s <= *compareSeeds; s++ {
			opts.Seeds = append(opts.Seeds, uint64(s))
		}
	}
	tab, err := transport.Compare(opts)
	require.NoError(t, err)
	if *compareFlag {
		require.NoError(t, tab.WriteText(os.Stdout))
	}
	row := func(loss float64, window int, rto string) transport.CompareRow {
		for _, r := range tab.Rows {
			if r.Loss == loss && r.Window == window && r.RTO == rto {
				return r
			}
		}
		t.Fatalf("no row for loss %v window %d rto %s", loss, window, rto)
		return transport.CompareRow{}
	}
	for _, r := range tab.Rows {
		assert.Zero(t, r.Incomplete, "%+v", r)
		assert.Equal(t, len(tab.Options.Seeds), r.Goodput.N)
	}
	assert.Greater(t, row(0, 1, "adaptive").Goodput.Hi*5, 0.0)
	assert.Greater(t, row(0, 64, "adaptive").Goodput.Lo, 5*row(0, 1, "adaptive").Goodput.Hi,
		"a 64-message window carries far more than stop-and-wait on a clean network")
	assert.Greater(t, row(0.1, 1, "adaptive").Goodput.Lo, row(0.1, 1, "fixed:200ms").Goodput.Hi,
		"at 10% loss, stop-and-wait with an adaptive timeout beats a conservative fixed one")
	assert.Greater(t, row(0.1, 64, "adaptive").Retransmits.Lo, row(0, 64, "adaptive").Retransmits.Hi)
	assert.Zero(t, row(0, 1, "fixed:200ms").Spurious.Mean, "a timeout far above the round trip never fires needlessly")
	assert.Positive(t, row(0, 1, "adaptive").Spurious.Mean, "SRTT + 4·RTTVAR is exceeded by the latency's tail now and then")

	var b strings.Builder
	require.NoError(t, tab.WriteText(&b))
	assert.Contains(t, b.String(), "goodput (msgs/s)")
	assert.Len(t, strings.Split(strings.TrimSpace(b.String()), "\n"), 2+len(tab.Rows))
}

func TestCompareRejectsBadOptions(t *testing.T) {
	for _, o := range []transport.CompareOptions{
		{Losses: []float64{1}},
		{RTOs: []string{"fixed:soon"}},
		{RTOs: []string{"clairvoyant"}},
		{Messages: -1},
		{Level: 1.5},
	} {
		_, err := transport.Compare(o)
		assert.ErrorIs(t, err, transport.ErrBadComparison, "%+v", o)
	}
}
