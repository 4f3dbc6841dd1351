package lb

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func plotTable(t *testing.T) *Table {
	t.Helper()
	cfg := Config{Servers: []ServerSpec{{}, {}, {}, {JoinAt: 100 * time.Millisecond}}, Load: 0.6, Requests: 2000, Keys: 300}
	tab, err := Compare(cfg, []string{NameRandom, "consistent-hash:ring", "consistent-hash:maglev"}, []uint64{1, 2})
	require.NoError(t, err)
	return tab
}

func TestPlots(t *testing.T) {
	tab := plotTable(t)
	plots := map[string]func(*Table, *bytes.Buffer, string) error{
		"cdf":   func(t *Table, b *bytes.Buffer, f string) error { return PlotLatencyCDF(t, b, f) },
		"load":  func(t *Table, b *bytes.Buffer, f string) error { return PlotServerLoad(t, b, f) },
		"moved": func(t *Table, b *bytes.Buffer, f string) error { return PlotKeysMoved(t, b, f) },
	}
	for name, plot := range plots {
		t.Run(name, func(t *testing.T) {
			var png, png2, svg bytes.Buffer
			require.NoError(t, plot(tab, &png, FormatPNG))
			assert.Equal(t, []byte("\x89PNG\r\n\x1a\n"), png.Bytes()[:8])
			require.NoError(t, plot(plotTable(t), &png2, FormatPNG))
			assert.Equal(t, png.Bytes(), png2.Bytes(), "same table, same bytes")
			require.NoError(t, plot(tab, &svg, FormatSVG))
			assert.Contains(t, svg.String(), "<svg")
			assert.Contains(t, svg.String(), "consistent-hash:maglev", "legend names the balancers")
			assert.Error(t, plot(tab, &svg, "gif"))
		})
	}
}

func TestPlotsWithNothingToPlot(t *testing.T) {
	tab, err := Compare(Config{Servers: make([]ServerSpec, 2), Load: 0.5, Requests: 100}, []string{NameRandom}, []uint64{1})
	require.NoError(t, err)
	var b bytes.Buffer
	assert.ErrorIs(t, PlotKeysMoved(tab, &b, FormatPNG), ErrNothingToPlot, "random moves no keys")
	assert.ErrorIs(t, PlotLatencyCDF(&Table{}, &b, FormatPNG), ErrNothingToPlot)
	assert.ErrorIs(t, PlotServerLoad(&Table{}, &b, FormatPNG), ErrNothingToPlot)
}

func TestCDFPoints(t *testing.T) {
	xs := make([]float64, 100000)
	for i := range xs {
		xs[i] = float64(i + 1)
	}
	pts := cdfPoints(xs)
	assert.LessOrEqual(t, len(pts), 710)
	assert.Equal(t, 1.0, pts[len(pts)-1].Y, "the curve reaches 1")
	for i := 1; i < len(pts); i++ {
		assert.Greater(t, pts[i].X, pts[i-1].X)
		assert.Greater(t, pts[i].Y, pts[i-1].Y)
	}
	// The tail is resolved: a point near p99.99.
	found := false
	for _, p := range pts {
		found = found || (p.Y >= 0.9998 && p.Y < 1)
	}
	assert.True(t, found)
	assert.Len(t, cdfPoints([]float64{5}), 1)
}
