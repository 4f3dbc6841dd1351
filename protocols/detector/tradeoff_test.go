package detector_test

import (
	"bytes"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols/detector"
)

var plotPath = flag.String("plot", "", "run the full trade-off (TestTradeOffPlot), print its table and write the plot to this PNG file")

// TestTradeOffPlot reproduces the detection-time versus mistake-rate
// trade-off of both detectors and its plot:
//
//	go test ./protocols/detector -run TestTradeOffPlot -plot=tradeoff.png
//
// Without -plot it runs a smaller trade-off and checks it. Every setting
// runs on the very same heartbeats, so for each seed a longer timeout (or a
// higher threshold) can only suspect later and make fewer mistakes: the
// means must be monotonic exactly, not just roughly.
func TestTradeOffPlot(t *testing.T) {
	opts := detector.TradeOffOptions{Duration: 3 * time.Minute, Seeds: []uint64{1, 2, 3},
		Timeouts:   []time.Duration{150 * time.Millisecond, 250 * time.Millisecond, 400 * time.Millisecond},
		Thresholds: []float64{1, 4, 16}}
	if *plotPath != "" {
		opts = detector.TradeOffOptions{}
	}
	points, err := detector.TradeOff(opts)
	require.NoError(t, err)
	if *plotPath != "" {
		require.NoError(t, detector.WriteTradeOffText(os.Stdout, points))
		f, err := os.Create(*plotPath)
		require.NoError(t, err)
		require.NoError(t, detector.PlotTradeOff(f, points, "png"))
		require.NoError(t, f.Close())
	}
	for _, name := range []string{detector.NameFixed, detector.NamePhi} {
		var det, rate []float64
		for _, p := range points {
			if p.Detector == name {
				det = append(det, p.Detection.Mean)
				rate = append(rate, p.MistakeRate.Mean)
				assert.Zero(t, p.Undetected, p.Label())
			}
		}
		require.GreaterOrEqual(t, len(det), 3, name)
		assert.IsIncreasing(t, det, "%s: detection time grows with the setting", name)
		assert.IsNonIncreasing(t, rate, "%s: mistakes shrink with the setting", name)
		assert.Greater(t, rate[0], rate[len(rate)-1], "%s: the range shows a trade-off", name)
	}
	var png bytes.Buffer
	require.NoError(t, detector.PlotTradeOff(&png, points, "png"))
	assert.True(t, bytes.HasPrefix(png.Bytes(), []byte("\x89PNG")))
	var again bytes.Buffer
	require.NoError(t, detector.PlotTradeOff(&again, points, "png"))
	assert.Equal(t, png.Bytes(), again.Bytes(), "the plot is deterministic")
	assert.ErrorIs(t, detector.PlotTradeOff(&png, nil, "png"), detector.ErrNothingToPlot)
}

func TestTradeOffRejectsBadOptions(t *testing.T) {
	for _, o := range []detector.TradeOffOptions{
		{Nodes: 1},
		{CrashPeriod: time.Second, CrashFor: 2 * time.Second},
		{Level: 2},
	} {
		_, err := detector.TradeOff(o)
		assert.ErrorIs(t, err, detector.ErrBadTradeOff, "%+v", o)
	}
}
