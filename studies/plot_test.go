package studies

import (
	"bytes"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gonum.org/v1/plot"

	"github.com/dsimlab/dsim/stats"
)

func TestPlotHelpers(t *testing.T) {
	iv := func(xs ...float64) stats.Interval { return stats.MeanCI(xs, Level) }
	lines := []Series{
		{Name: "fixed timeout", Points: []Point{{iv(100, 110), iv(30, 40)}, {iv(200, 210), iv(3, 5)}, {iv(300, 320), iv(0, 0)}}},
		{Name: "phi accrual", Points: []Point{{iv(90, 95), iv(50, 60)}, {iv(180, 200), iv(4, 6)}}},
	}
	plots := map[string]func(io.Writer, string) error{
		"lines": func(w io.Writer, f string) error {
			return WriteLines(w, f, Axes{Title: "t", X: "x", Y: "y", LogY: true}, lines)
		},
		"cdf": func(w io.Writer, f string) error {
			return WriteCDF(w, f, Axes{X: "ms", LogX: true}, []Sample{{Name: "fixed timeout", Sorted: []float64{1, 2, 3, 5}}, {Name: "phi accrual"}})
		},
		"bars": func(w io.Writer, f string) error {
			return WriteBars(w, f, Axes{}, []string{"n1", "n2"}, []Bars{{"fixed timeout", []float64{0.5, 0.7}}, {"phi accrual", []float64{0.6}}})
		},
		"grid": func(w io.Writer, f string) error {
			return WriteGrid(w, f, [][]*plot.Plot{{plot.New(), plot.New()}}, 400, 200)
		},
	}
	for name, draw := range plots {
		t.Run(name, func(t *testing.T) {
			var png, again, svg bytes.Buffer
			require.NoError(t, draw(&png, FormatPNG))
			assert.Equal(t, []byte("\x89PNG\r\n\x1a\n"), png.Bytes()[:8])
			require.NoError(t, draw(&again, FormatPNG))
			assert.Equal(t, png.Bytes(), again.Bytes(), "same data, same bytes")
			require.NoError(t, draw(&svg, FormatSVG))
			assert.Contains(t, svg.String(), "<svg")
			if name != "grid" {
				assert.Contains(t, svg.String(), "fixed timeout", "the legend names the series")
			}
			assert.Error(t, draw(&svg, "gif"))
		})
	}
}

func TestPlotHelpersWithNothingToPlot(t *testing.T) {
	var b bytes.Buffer
	zero := stats.MeanCI([]float64{0, 0}, Level)
	assert.ErrorIs(t, WriteLines(&b, FormatPNG, Axes{LogY: true}, []Series{{Name: "s", Points: []Point{{zero, zero}}}}),
		ErrNothingToPlot, "zero cannot sit on a log scale")
	assert.ErrorIs(t, WriteCDF(&b, FormatPNG, Axes{}, []Sample{{Name: "empty"}}), ErrNothingToPlot)
	assert.ErrorIs(t, WriteBars(&b, FormatPNG, Axes{}, nil, nil), ErrNothingToPlot)
	assert.ErrorIs(t, WriteGrid(&b, FormatPNG, nil, 100, 100), ErrNothingToPlot)
}

func TestCDFPoints(t *testing.T) {
	xs := make([]float64, 100000)
	for i := range xs {
		xs[i] = float64(i + 1)
	}
	pts := cdfPoints(xs, len(xs))
	assert.LessOrEqual(t, len(pts), 710)
	assert.Equal(t, 1.0, pts[len(pts)-1].Y, "the curve reaches 1")
	for i := 1; i < len(pts); i++ {
		assert.Greater(t, pts[i].X, pts[i-1].X)
		assert.Greater(t, pts[i].Y, pts[i-1].Y)
	}
	found := false
	for _, p := range pts {
		found = found || (p.Y >= 0.9998 && p.Y < 1)
	}
	assert.True(t, found, "the tail is resolved: a point near p99.99")
	assert.Len(t, cdfPoints([]float64{5}, 1), 1)
	short := cdfPoints(xs, len(xs)+100000)
	assert.Equal(t, 0.5, short[len(short)-1].Y, "timed-out requests keep the answered ones' curve at half")
	tail := tailPoints(xs, len(xs))
	assert.Equal(t, 1.0, tail[0].Y)
	assert.Equal(t, 1e-5, tail[len(tail)-1].Y, "the tail ends at 1/n, never 0, for a log scale")
}
