package lb

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
)

// Plot formats: both are deterministic, byte for byte, for the same table.
const (
	FormatPNG = "png"
	FormatSVG = "svg"
)

// ErrNothingToPlot means a table holds no data for the plot asked for, such
// as keys moved when no balancer hashes keys or no membership changed.
var ErrNothingToPlot = errors.New("nothing to plot")

func newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Legend.Top = true
	return p
}

func save(p *plot.Plot, w io.Writer, width, height vg.Length, format string) error {
	if format != FormatPNG && format != FormatSVG {
		return fmt.Errorf("plot: format %q (want %s or %s)", format, FormatPNG, FormatSVG)
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
		if i < 0 {
			continue
		}
		xys = append(xys, plotter.XY{X: sorted[i], Y: float64(i+1) / float64(n)})
	}
	return xys
}

// PlotLatencyCDF draws the latency distribution of each balancer in t (its
// first seed's run) as a cumulative distribution, latency on a log scale,
// and writes it to w as png or svg.
func PlotLatencyCDF(t *Table, w io.Writer, format string) error {
	p := newPlot("Latency CDF"+titleSuffix(t), "latency (ms, log scale)", "fraction of requests")
	p.Legend.Left = true
	lowest := math.Inf(1)
	drawn := 0
	for i, row := range t.Rows {
		if len(row.Runs) == 0 || len(row.Runs[0].Latencies) == 0 {
			continue
		}
		lat := row.Runs[0].Latencies
		lowest = min(lowest, lat[0])
		l, err := plotter.NewLine(cdfPoints(lat))
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		l.Color = plotutil.Color(i)
		l.Dashes = plotutil.Dashes(i / len(plotutil.DefaultColors))
		l.Width = vg.Points(1.5)
		p.Add(l)
		p.Legend.Add(row.Balancer, l)
		drawn++
	}
	if drawn == 0 {
		return fmt.Errorf("%w: no latency samples", ErrNothingToPlot)
	}
	if lowest > 0 {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	p.Y.Min, p.Y.Max = 0, 1
	p.Add(plotter.NewGrid())
	return save(p, w, 8*vg.Inch, 5*vg.Inch, format)
}

// PlotServerLoad draws each server's utilisation under each balancer in t,
// averaged over the seeds, as grouped bars, and writes it to w as png or
// svg.
func PlotServerLoad(t *Table, w io.Writer, format string) error {
	if len(t.Rows) == 0 || len(t.Rows[0].Servers) == 0 {
		return fmt.Errorf("%w: no runs", ErrNothingToPlot)
	}
	servers := t.Rows[0].Servers
	names := make([]string, len(servers))
	for i, s := range servers {
		names[i] = s.Name
	}
	p := newPlot("Server utilisation"+titleSuffix(t), "server", "utilisation (mean over seeds)")
	width := vg.Length(math.Min(8, 60/float64(len(t.Rows)))) * vg.Millimeter
	top := 0.0
	for i, row := range t.Rows {
		vals := make(plotter.Values, len(names))
		for j := range vals {
			if j < len(row.Servers) {
				vals[j] = row.Servers[j].Utilisation.Mean
			}
		}
		top = max(top, slices.Max(vals))
		b, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		b.Color = plotutil.Color(i)
		b.LineStyle.Width = 0
		b.Offset = vg.Length(float64(i)-float64(len(t.Rows)-1)/2) * width
		p.Add(b)
		p.Legend.Add(row.Balancer, b)
	}
	p.NominalX(names...)
	p.Y.Min, p.Y.Max = 0, legendRoom(top, len(t.Rows))
	wd := vg.Length(math.Max(8, float64(len(names))*float64(len(t.Rows))*float64(width)/float64(vg.Inch)*1.3)) * vg.Inch
	return save(p, w, wd, 5*vg.Inch, format)
}

// PlotKeysMoved draws, for each balancer in t that hashes keys, the
// fraction of keys each membership change moved (first seed, first
// balancer node), beside the least any consistent hashing must move, and
// writes it to w as png or svg.
func PlotKeysMoved(t *Table, w io.Writer, format string) error {
	var labels []string
	var ideal plotter.Values
	type series struct {
		name string
		vals plotter.Values
	}
	var ss []series
	for _, row := range t.Rows {
		if len(row.Runs) == 0 {
			continue
		}
		var vals plotter.Values
		var ls []string
		var id plotter.Values
		for _, m := range row.Runs[0].Moves {
			if m.Balancer != "c1" {
				continue
			}
			vals = append(vals, m.Moved)
			id = append(id, m.Ideal)
			ls = append(ls, fmt.Sprintf("%v %s", m.At.Round(time.Millisecond), m.Change))
		}
		if len(vals) == 0 {
			continue
		}
		if len(ls) > len(labels) {
			labels, ideal = ls, id
		}
		ss = append(ss, series{row.Balancer, vals})
	}
	if len(ss) == 0 {
		return fmt.Errorf("%w: no balancer recorded keys moved by a membership change", ErrNothingToPlot)
	}
	p := newPlot("Keys moved per membership change"+titleSuffix(t), "change (seen by c1)", "fraction of keys moved")
	ss = append(ss, series{"ideal (the change's share of weight)", ideal})
	width := vg.Length(math.Min(10, 60/float64(len(ss)))) * vg.Millimeter
	top := 0.0
	for i, s := range ss {
		vals := make(plotter.Values, len(labels))
		copy(vals, s.vals)
		top = max(top, slices.Max(vals))
		b, err := plotter.NewBarChart(vals, width)
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		b.Color = plotutil.Color(i)
		b.LineStyle.Width = 0
		b.Offset = vg.Length(float64(i)-float64(len(ss)-1)/2) * width
		p.Add(b)
		p.Legend.Add(s.name, b)
	}
	p.NominalX(labels...)
	p.Y.Min, p.Y.Max = 0, legendRoom(top, len(ss))
	return save(p, w, vg.Length(math.Max(8, 2.5*float64(len(labels))))*vg.Inch, 5*vg.Inch, format)
}

// legendRoom returns a y-axis maximum that leaves the top of a bar plot
// free for a legend of n entries.
func legendRoom(top float64, n int) float64 {
	if top <= 0 {
		top = 1
	}
	return top * (1.15 + 0.06*float64(n))
}

func titleSuffix(t *Table) string {
	if t.Name == "" {
		return ""
	}
	return ": " + t.Name
}
