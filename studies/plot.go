package studies

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

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

// Sample is one named sample, in ascending order, for a CDF. TimedOut
// counts the requests that got no answer within Timeout (same unit as the
// sample): they belong to the distribution too, as a mass at the timeout,
// which WriteCDF draws; zero means none (or not known).
type Sample struct {
	Name     string
	Sorted   []float64
	TimedOut int
	Timeout  float64
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

// newPlot returns a plot titled and scaled as ax says, with tick labels
// that stay readable on any range (readableTicks).
func newPlot(ax Axes) *plot.Plot {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = ax.Title, ax.X, ax.Y
	p.X.Tick.Marker, p.Y.Tick.Marker = readableTicks{}, readableTicks{}
	if ax.LogX {
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, readableTicks{log: true}
	}
	if ax.LogY {
		p.Y.Scale, p.Y.Tick.Marker = plot.LogScale{}, readableTicks{log: true}
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
	names := make([]string, len(series))
	for i, s := range series {
		names[i] = s.Name
	}
	for i, name := range sameAs(names, func(a, b int) bool { return slices.Equal(series[a].Points, series[b].Points) }) {
		xys, xerr, yerr := errorBars(series[i].Points, ax)
		if name == "" || len(xys) == 0 {
			continue
		}
		shown += len(xys)
		if err := addLine(p, i, name, xys, xerr, yerr); err != nil {
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
	st := styleOf(i)
	line.Color, line.Dashes, line.Width = st.color, st.dashes, vg.Points(1.5)
	pts.Color, pts.Shape = st.color, plotutil.Shape(i)
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
	xe.Color, ye.Color = st.color, st.color
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

// WriteCDF draws, on the left, the empirical cumulative distribution of
// each sample (at most about 700 points each, the tail resolved to
// p = 0.9999) and, on the right, its tail: the fraction of the sample at
// least x, on log-log scales, where a heavy tail is a straight line. A
// sample's timed-out requests count in its distribution as a mass at the
// timeout: the CDF stops short of 1 below it and jumps there, marked by a
// filled point. Samples with the same values are drawn once, and the
// legend names them together. It writes the two panels to w as png or
// svg, 12×5 inches.
func WriteCDF(w io.Writer, format string, ax Axes, samples []Sample) error {
	ax.LogX = ax.LogX && slices.ContainsFunc(samples, func(s Sample) bool { return len(s.Sorted) > 0 }) &&
		!slices.ContainsFunc(samples, func(s Sample) bool { return len(s.Sorted) > 0 && !(s.Sorted[0] > 0) })
	cdf := newPlot(ax)
	cdf.Legend.Top, cdf.Legend.Left = true, true
	tail := newPlot(Axes{Title: "Tail", X: ax.X, Y: "fraction at least x (log scale)", LogX: ax.LogX, LogY: true})
	tail.Legend.Left = false
	names := make([]string, len(samples))
	for i, s := range samples {
		names[i] = s.Name
	}
	same := func(a, b int) bool {
		return slices.Equal(samples[a].Sorted, samples[b].Sorted) && samples[a].TimedOut == samples[b].TimedOut
	}
	drawn := 0
	for i, name := range sameAs(names, same) {
		if name == "" || len(samples[i].Sorted)+samples[i].TimedOut == 0 {
			continue
		}
		if err := addCDF(cdf, tail, i, name, samples[i]); err != nil {
			return err
		}
		drawn++
	}
	if drawn == 0 {
		return fmt.Errorf("%w: no samples", ErrNothingToPlot)
	}
	cdf.Y.Min, cdf.Y.Max = 0, 1
	cdf.Add(plotter.NewGrid())
	tail.Add(plotter.NewGrid())
	return WriteGrid(w, format, [][]*plot.Plot{{cdf, tail}}, 12*vg.Inch, 5*vg.Inch)
}

// addCDF draws sample s, series number i, on the CDF and on the tail.
func addCDF(cdf, tail *plot.Plot, i int, name string, s Sample) error {
	st := styleOf(i)
	n := len(s.Sorted) + s.TimedOut
	if s.TimedOut > 0 {
		name += fmt.Sprintf(" (%s timed out)", percent(float64(s.TimedOut)/float64(n)))
	}
	for _, part := range []struct {
		p   *plot.Plot
		xys plotter.XYs
	}{{cdf, cdfPoints(s.Sorted, n)}, {tail, tailPoints(s.Sorted, n)}} {
		if len(part.xys) == 0 {
			continue
		}
		l, err := plotter.NewLine(part.xys)
		if err != nil {
			return fmt.Errorf("plot %s: %w", name, err)
		}
		l.Color, l.Dashes, l.Width = st.color, st.dashes, vg.Points(1.5)
		part.p.Add(l)
		if part.p == cdf {
			cdf.Legend.Add(name, l)
		}
	}
	if s.TimedOut > 0 && s.Timeout > 0 {
		return addTimeoutMass(cdf, tail, st, s, n)
	}
	return nil
}

// addTimeoutMass draws a sample's timed-out requests at the timeout: a
// jump of the CDF to 1 and a point on the tail.
func addTimeoutMass(cdf, tail *plot.Plot, st style, s Sample, n int) error {
	answered := float64(len(s.Sorted)) / float64(n)
	jump, err := plotter.NewLine(plotter.XYs{{X: s.Timeout, Y: answered}, {X: s.Timeout, Y: 1}})
	if err != nil {
		return fmt.Errorf("plot %s: %w", s.Name, err)
	}
	jump.Color, jump.Width = st.color, vg.Points(4)
	cdf.Add(jump)
	mark, err := plotter.NewScatter(plotter.XYs{{X: s.Timeout, Y: float64(s.TimedOut) / float64(n)}})
	if err != nil {
		return fmt.Errorf("plot %s: %w", s.Name, err)
	}
	mark.Color, mark.Shape, mark.Radius = st.color, draw.CircleGlyph{}, vg.Points(4)
	tail.Add(mark)
	return nil
}

// percent formats a fraction as a percentage with two significant digits.
func percent(f float64) string { return strconv.FormatFloat(100*f, 'g', 2, 64) + "%" }

// cdfPoints picks at most about 700 points of the empirical CDF of sorted,
// out of n values in all (the rest timed out): evenly spaced in
// probability, plus points spaced evenly in log(1−p) up to p = 0.9999 so
// the tail keeps its shape.
func cdfPoints(sorted []float64, n int) plotter.XYs {
	xys := make(plotter.XYs, 0, 704)
	for _, i := range tailIndexes(len(sorted)) {
		xys = append(xys, plotter.XY{X: sorted[i], Y: float64(i+1) / float64(n)})
	}
	return xys
}

// tailPoints is the complementary view of cdfPoints: the fraction of the n
// values at least each point (so the largest is 1/n, and never 0).
func tailPoints(sorted []float64, n int) plotter.XYs {
	xys := make(plotter.XYs, 0, 704)
	for _, i := range tailIndexes(len(sorted)) {
		xys = append(xys, plotter.XY{X: sorted[i], Y: float64(n-i) / float64(n)})
	}
	return xys
}

// tailIndexes returns the positions, out of n, that cdfPoints draws.
func tailIndexes(n int) []int {
	if n == 0 {
		return nil
	}
	var idx []int
	for k := 0; k <= 500; k++ {
		idx = append(idx, k*(n-1)/500)
	}
	for e := 2.0; e <= 4.0; e += 0.01 {
		idx = append(idx, max(0, min(n-1, int(math.Ceil((1-math.Pow(10, -e))*float64(n)))-1)))
	}
	slices.Sort(idx)
	return slices.Compact(idx)
}

// maxBarGroups is the most groups WriteBars draws as grouped bars; beyond
// it, a group's label and bar would be too thin to read, so it draws each
// series' values sorted instead.
const maxBarGroups = 16

// WriteBars draws the bars of each series side by side in every group,
// the legend above them, and writes it to w as png or svg, 5 inches high
// and wide enough for the bars (8 to 14 inches). With more than 16 groups
// (100 servers, say) it draws each series' values sorted from the largest,
// a line per series against rank, which shows the spread of a hundred
// values where a hundred bars could not. Series with the same values are
// drawn once, and the legend names them together.
func WriteBars(w io.Writer, format string, ax Axes, groups []string, bars []Bars) error {
	if len(groups) == 0 || len(bars) == 0 {
		return fmt.Errorf("%w: no bars", ErrNothingToPlot)
	}
	names := make([]string, len(bars))
	for i, b := range bars {
		names[i] = b.Name
	}
	shown := sameAs(names, func(a, b int) bool { return slices.Equal(bars[a].Values, bars[b].Values) })
	if len(groups) > maxBarGroups {
		return writeRanked(w, format, ax, len(groups), bars, shown)
	}
	p := newPlot(ax)
	p.Legend.Top = true
	n := len(slices.DeleteFunc(slices.Clone(shown), func(s string) bool { return s == "" }))
	// A bar is at most 10 mm wide, and a group (its bars and a gap of one
	// bar) fits a 14-inch plot.
	width := vg.Length(math.Min(math.Min(10, 60/float64(n)), 13*25.4/float64(len(groups)*(n+1)))) * vg.Millimeter
	top, k := 0.0, 0
	for i, name := range shown {
		if name == "" {
			continue
		}
		vals := make(plotter.Values, len(groups))
		copy(vals, bars[i].Values)
		top = max(top, slices.Max(vals))
		b, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return fmt.Errorf("plot %s: %w", name, err)
		}
		st := styleOf(i)
		b.Color, b.LineStyle.Width, b.LineStyle.Dashes = st.color, vg.Points(0.5), nil
		b.Offset = vg.Length(float64(k)-float64(n-1)/2) * width
		k++
		p.Add(b)
		p.Legend.Add(name, b)
	}
	p.NominalX(groups...)
	if top <= 0 {
		top = 1
	}
	p.Y.Min, p.Y.Max = 0, top*(1.15+0.06*float64(n)) // room for the legend
	total := vg.Length(math.Min(14, math.Max(8, float64(len(groups)*(n+1))*float64(width)/float64(vg.Inch)+1))) * vg.Inch
	return save(p, w, total, 5*vg.Inch, format)
}

// writeRanked draws each series' values sorted from the largest, against
// their rank, for WriteBars with too many groups to draw as bars.
func writeRanked(w io.Writer, format string, ax Axes, groups int, bars []Bars, shown []string) error {
	ax.X = fmt.Sprintf("%s, ranked from the largest value (%d of them)", ax.X, groups)
	p := newPlot(ax)
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	for i, name := range shown {
		if name == "" {
			continue
		}
		vals := make([]float64, groups)
		copy(vals, bars[i].Values)
		slices.SortFunc(vals, func(a, b float64) int { return cmp.Compare(b, a) })
		xys := make(plotter.XYs, groups)
		for r, v := range vals {
			xys[r] = plotter.XY{X: float64(r + 1), Y: v}
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return fmt.Errorf("plot %s: %w", name, err)
		}
		st := styleOf(i)
		l.Color, l.Dashes, l.Width = st.color, st.dashes, vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(name, l)
	}
	p.X.Min = 1
	p.Y.Min = 0
	return save(p, w, 8*vg.Inch, 5*vg.Inch, format)
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
