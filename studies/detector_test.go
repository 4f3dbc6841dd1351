package studies_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/studies"
)

var tradeOffPlot = flag.String("tradeoff", "", "run the full detector trade-off (TestTradeOffPlot), print its table and write the plot to this PNG file")

// TestTradeOffPlot reproduces the detection-time versus mistake-rate
// trade-off of both failure detectors and its plot:
//
//	go test ./studies -run TestTradeOffPlot -tradeoff=tradeoff.png -v
//
// Without -tradeoff it runs a smaller trade-off and checks it. Every
// setting sees the very same heartbeats under a seed, so a longer timeout
// (or a higher threshold) can only suspect later and make fewer mistakes:
// the means must be monotonic exactly, not just roughly.
func TestTradeOffPlot(t *testing.T) {
	opts := studies.TradeOffOptions{Duration: 3 * time.Minute, Seeds: []uint64{1, 2, 3},
		Timeouts:   []time.Duration{150 * time.Millisecond, 250 * time.Millisecond, 400 * time.Millisecond},
		Thresholds: []float64{1, 4, 16}}
	if *tradeOffPlot != "" {
		opts = studies.TradeOffOptions{}
	}
	res, err := studies.DetectorTradeOff(context.Background(), opts)
	require.NoError(t, err)
	tab := res.Table
	if *tradeOffPlot != "" {
		require.NoError(t, tab.WriteText(os.Stdout))
		f, err := os.Create(*tradeOffPlot)
		require.NoError(t, err)
		require.NoError(t, res.Plot(f, studies.FormatPNG))
		require.NoError(t, f.Close())
	}
	for _, name := range []string{"fixed", "phi"} {
		var det, rate []float64
		for _, r := range tab.Rows {
			if !strings.HasPrefix(r.Case, name+" ") {
				continue
			}
			d, _ := tab.Cell(r.Case, "detection time")
			m, _ := tab.Cell(r.Case, "mistake rate")
			u, _ := tab.Cell(r.Case, "undetected")
			det, rate = append(det, d.Mean.Mean), append(rate, m.Mean.Mean)
			assert.Zero(t, u.Mean.Mean, r.Case)
		}
		require.GreaterOrEqual(t, len(det), 3, name)
		assert.IsIncreasing(t, det, "%s: detection time grows with the setting", name)
		assert.IsNonIncreasing(t, rate, "%s: mistakes shrink with the setting", name)
		assert.Greater(t, rate[0], rate[len(rate)-1], "%s: the range shows a trade-off", name)
	}
	var png bytes.Buffer
	require.NoError(t, res.Plot(&png, studies.FormatPNG))
	assert.True(t, bytes.HasPrefix(png.Bytes(), []byte("\x89PNG")))
	var again bytes.Buffer
	require.NoError(t, res.Plot(&again, studies.FormatPNG))
	assert.Equal(t, png.Bytes(), again.Bytes(), "the plot is deterministic")
}

func TestTradeOffRejectsBadOptions(t *testing.T) {
	for name, o := range map[string]studies.TradeOffOptions{
		"overlapping crashes": {CrashPeriod: time.Second, CrashFor: 2 * time.Second},
		"not a detector":      {Scenario: load(t, "echo-calm")},
	} {
		_, err := studies.DetectorTradeOff(context.Background(), o)
		assert.ErrorIs(t, err, studies.ErrBadStudy, name)
	}
}
