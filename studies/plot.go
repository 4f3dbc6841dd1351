package studies

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/dsimlab/dsim/stats"
)

// Plot formats. Both are deterministic: the same data give the same bytes.
const (
	FormatPNG = "png"
	FormatSVG = "svg"
)

// ErrNothingToPlot means there is no data for the plot asked for, such as
// keys moved when no balancer hashes keys.
var ErrNothingToPlot = errors.New("nothing to plot")

// Axes titles a plot and picks its scales. On a log scale, points and
// samples that are not positive are left out.
type Axes struct {
	Title      string
	X, Y       string // axis labels
	LogX, LogY bool
}

// Point is a point whose coordinates are means with confidence intervals
// (stats.MeanCI), drawn with error bars on both axes.
type Point struct{ X, Y stats.Interval }

// Series is one named line of points.
type Series struct {
	Name   string
	Points []Point
}

// Sample is one named sample, in ascending order, for a CDF.
type Sample struct {
	Name   string
	Sorted []float64
}

// Bars is one named series of bars, a value per group.
type Bars struct {
	Name   string
	Values []float64
}

// Plot is one of a study's plots: what to add to a file name before its
// extension, and how to draw it as png or svg.
type Plot struct {
	Suffix string
	Draw   func(w io.Writer, format string) error
}

func newPlot(ax Axes) *plot.Plot {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = ax.Title, ax.X, ax.Y
	if ax.LogX {
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	}
	if ax.LogY {
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	}
	return p
}

// save writes p as png or svg.
func save(p *plot.Plot, w io.Writer, width, height vg.Length, format string) error {
	if err := checkFormat(format); err != nil {
		return err
	}
	wt, err := p.WriterTo(width, height, format)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	if _, err := wt.WriteTo(w); err != nil {
		return fmt.Errorf("plot: write %s: %w", format, err)
	}
	return nil
}

func checkFormat(format string) error {
	if format != FormatPNG && format != FormatSVG {
		return fmt.Errorf("plot: format %q (want %s or %s)", format, FormatPNG, FormatSVG)
	}
	return nil
}

// WriteLines draws each series as a line through its points, with the
// points' confidence intervals as error bars (on a log scale the lower bar
// stops short of zero), and writes it to w as png or svg, 8×5 inches.
func WriteLines(w io.Writer, format string, ax Axes, series []Series) error {
	p := newPlot(ax)
	p.Legend.Left = true
	p.Add(plotter.NewGrid())
	shown := 0
	for i, s := range series {
		xys, xerr, yerr := errorBars(s.Points, ax)
		if len(xys) == 0 {
			continue
		}
		shown += len(xys)
		if err := addLine(p, i, s.Name, xys, xerr, yerr); err != nil {
			return err
		}
	}
	if shown == 0 {
		return fmt.Errorf("%w: no point to draw", ErrNothingToPlot)
	}
	return save(p, w, 8*vg.Inch, 5*vg.Inch, format)
}

// addLine adds series number i, a line with points and error bars.
func addLine(p *plot.Plot, i int, name string, xys plotter.XYs, xerr plotter.XErrors, yerr plotter.YErrors) error {
	line, pts, err := plotter.NewLinePoints(xys)
	if err != nil {
		return fmt.Errorf("plot %s: %w", name, err)
	}
	line.Color, pts.Color, pts.Shape = plotutil.Color(i), plotutil.Color(i), plotutil.Shape(i)
	xe, err := plotter.NewXErrorBars(struct {
		plotter.XYer
		plotter.XErrorer
	}{xys, xerr})
	if err != nil {
		return fmt.Errorf("plot %s: %w", name, err)
	}
	ye, err := plotter.NewYErrorBars(struct {
		plotter.XYer
		plotter.YErrorer
	}{xys, yerr})
	if err != nil {
		return fmt.Errorf("plot %s: %w", name, err)
	}
	xe.Color, ye.Color = plotutil.Color(i), plotutil.Color(i)
	p.Add(line, pts, xe, ye)
	p.Legend.Add(name, line, pts)
	return nil
}

// errorBars returns the points a plot with ax can show and their error
// bars.
func errorBars(points []Point, ax Axes) (plotter.XYs, plotter.XErrors, plotter.YErrors) {
	var xys plotter.XYs
	var xerr plotter.XErrors
	var yerr plotter.YErrors
	bar := func(iv stats.Interval, log bool) (lo, hi float64) {
		hw := finite(iv.HalfWidth)
		if log {
			return math.Min(hw, 0.9*iv.Mean), hw
		}
		return hw, hw
	}
	for _, pt := range points {
		if (ax.LogX && !(pt.X.Mean > 0)) || (ax.LogY && !(pt.Y.Mean > 0)) || pt.X.N == 0 || pt.Y.N == 0 {
			continue
		}
		xys = append(xys, plotter.XY{X: pt.X.Mean, Y: pt.Y.Mean})
		lo, hi := bar(pt.X, ax.LogX)
		xerr = append(xerr, struct{ Low, High float64 }{lo, hi})
		lo, hi = bar(pt.Y, ax.LogY)
		yerr = append(yerr, struct{ Low, High float64 }{lo, hi})
	}
	return xys, xerr, yerr
}

func finite(x float64) float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return 0
	}
	return x
}

// WriteCDF draws the empirical cumulative distribution of each sample (at
// most about 700 points each, the tail resolved to p = 0.9999) and writes
// it to w as png or svg, 8×5 inches.
func WriteCDF(w io.Writer, format string, ax Axes, samples []Sample) error {
	ax.LogX = ax.LogX && slices.ContainsFunc(samples, func(s Sample) bool { return len(s.Sorted) > 0 }) &&
		!slices.ContainsFunc(samples, func(s Sample) bool { return len(s.Sorted) > 0 && !(s.Sorted[0] > 0) })
	p := newPlot(ax)
	p.Legend.Top, p.Legend.Left = true, true
	drawn := 0
	for i, s := range samples {
		if len(s.Sorted) == 0 {
			continue
		}
		l, err := plotter.NewLine(cdfPoints(s.Sorted))
		if err != nil {
			return fmt.Errorf("plot %s: %w", s.Name, err)
		}
		l.Color = plotutil.Color(i)
		l.Dashes = plotutil.Dashes(i / len(plotutil.DefaultColors))
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(s.Name, l)
		drawn++
	}
	if drawn == 0 {
		return fmt.Errorf("%w: no samples", ErrNothingToPlot)
	}
	p.Y.Min, p.Y.Max = 0, 1
	p.Add(plotter.NewGrid())
	return save(p, w, 8*vg.Inch, 5*vg.Inch, format)
}

// cdfPoints picks at most about 700 points of the empirical CDF of sorted:
// evenly spaced in probability, plus points spaced evenly in log(1−p) up to
// p = 0.9999 so the tail keeps its shape.
func cdfPoints(sorted []float64) plotter.XYs {
	n := len(sorted)
	var idx []int
	for k := 0; k <= 500; k++ {
		idx = append(idx, k*(n-1)/500)
	}
	for e := 2.0; e <= 4.0; e += 0.01 {
		idx = append(idx, min(n-1, int(math.Ceil((1-math.Pow(10, -e))*float64(n)))-1))
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	xys := make(plotter.XYs, 0, len(idx))
	for _, i := range idx {
		if i >= 0 {
			xys = append(xys, plotter.XY{X: sorted[i], Y: float64(i+1) / float64(n)})
		}
	}
	return xys
}

// WriteBars draws the bars of each series side by side in every group,
// the legend above them, and writes it to w as png or svg, 5 inches high
// and wide enough for the bars (8 inches at least).
func WriteBars(w io.Writer, format string, ax Axes, groups []string, bars []Bars) error {
	if len(groups) == 0 || len(bars) == 0 {
		return fmt.Errorf("%w: no bars", ErrNothingToPlot)
	}
	p := newPlot(ax)
	p.Legend.Top = true
	width := vg.Length(math.Min(10, 60/float64(len(bars)))) * vg.Millimeter
	top := 0.0
	for i, s := range bars {
		vals := make(plotter.Values, len(groups))
		copy(vals, s.Values)
		top = max(top, slices.Max(vals))
		b, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return fmt.Errorf("plot %s: %w", s.Name, err)
		}
		b.Color = plotutil.Color(i)
		b.LineStyle.Width = 0
		b.Offset = vg.Length(float64(i)-float64(len(bars)-1)/2) * width
		p.Add(b)
		p.Legend.Add(s.Name, b)
	}
	p.NominalX(groups...)
	if top <= 0 {
		top = 1
	}
	p.Y.Min, p.Y.Max = 0, top*(1.15+0.06*float64(len(bars))) // room for the legend
	total := vg.Length(math.Max(8, float64(len(groups)*len(bars))*float64(width)/float64(vg.Inch)*1.3)) * vg.Inch
	return save(p, w, total, 5*vg.Inch, format)
}

// WriteGrid draws plots in a grid, grid[row][column], on one canvas of the
// given size, and writes it to w as png or svg.
func WriteGrid(w io.Writer, format string, grid [][]*plot.Plot, width, height vg.Length) error {
	if err := checkFormat(format); err != nil {
		return err
	}
	if len(grid) == 0 || len(grid[0]) == 0 {
		return fmt.Errorf("%w: an empty grid", ErrNothingToPlot)
	}
	var canvas vg.CanvasWriterTo = vgsvg.New(width, height)
	if format == FormatPNG {
		canvas = vgimg.PngCanvas{Canvas: vgimg.New(width, height)}
	}
	pad := vg.Centimeter / 2
	tiles := draw.Tiles{Rows: len(grid), Cols: len(grid[0]), PadX: pad, PadY: pad,
		PadTop: pad, PadBottom: pad, PadLeft: pad, PadRight: pad}
	cs := plot.Align(grid, tiles, draw.New(canvas))
	for i := range grid {
		for j := range grid[i] {
			grid[i][j].Draw(cs[i][j])
		}
	}
	if _, err := canvas.WriteTo(w); err != nil {
		return fmt.Errorf("plot: write %s: %w", format, err)
	}
	return nil
}
