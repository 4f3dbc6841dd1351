package mapreduce

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"math"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"github.com/dsimlab/dsim/sim"
	"github.com/dsimlab/dsim/stats"
)

// PaperConfig returns the cluster the paper experiment runs: the sort
// experiment of Dean and Ghemawat (OSDI 2004, §5.3 and Figure 3: M =
// 15000 map tasks and R = 4000 reduce tasks on 1746 workers) scaled down
// to 400 map and 120 reduce tasks on 50 workers with two slots each,
// keeping its ratios of about 8 map and 2.4 reduce tasks per worker. Worker
// speeds spread log-normally (sigma 0.2), task times by 10%, and one
// worker in 50 is a straggler five times slower, standing for the paper's
// machines with bad disks or competing work. The job is a word count.
func PaperConfig() Config {
	c := DefaultConfig()
	c.Workers, c.Corpus.Splits, c.Reduces = 50, 400, 120
	c.Stragglers, c.StragglerFactor = 1, 5
	c.Linger = 0
	return c
}

// Experiment compares job completion times in the paper's three cases:
// normal execution, no backup tasks, and a share of the workers killed
// mid-job (and restarted at once, as the paper's cluster scheduler did).
// Each case runs the same seeds, so the same corpus, worker speeds and
// stragglers: the comparison is paired.
type Experiment struct {
	Config Config   // the job and cluster; PaperConfig() is the paper's shape
	Seeds  []uint64 // one job per seed and case
	// Kill workers are crashed in the third case (default: the paper's
	// 200 of 1746, as a share of Config.Workers, rounded), picked from the
	// run's "experiment/kill" stream.
	Kill int
	// KillAt is when, as a fraction of the normal case's mean job time
	// (default 0.3).
	KillAt float64
	// RestartAfter is how long the killed workers stay down (default 10ms:
	// "immediately restarted").
	RestartAfter time.Duration
	Level        float64 // confidence level (default 0.95)
}

// Case is one case of an Experiment.
type Case struct {
	Name string
	// PaperTime is the paper's job time for this case, in seconds (891,
	// 1283 and 933).
	PaperTime float64
	Times     []float64      // job time per seed, seconds
	Time      stats.Interval // confidence interval of the mean job time, seconds
	// Slowdown is the confidence interval of the mean per-seed ratio
	// time/normal time − 1 (zero for the normal case).
	Slowdown stats.Interval
	Progress Progress // of the first seed
	Passed   int      // seeds whose every check held
}

// ExperimentResult is what RunExperiment measured.
type ExperimentResult struct {
	Experiment
	KillTime time.Duration // when the third case killed workers
	Cases    []Case        // normal, no backup tasks, workers killed
}

// RunExperiment runs the three cases over e.Seeds. Every run is also
// checked (output, completion, failed reads); Case.Passed counts the runs
// whose checks held.
func RunExperiment(e Experiment) (*ExperimentResult, error) {
	if len(e.Seeds) < 2 {
		return nil, errors.New("mapreduce: an experiment needs at least two seeds")
	}
	if e.Kill == 0 {
		e.Kill = int(math.Round(200.0 / 1746 * float64(e.Config.Workers)))
	}
	if e.KillAt == 0 {
		e.KillAt = 0.3
	}
	if e.RestartAfter == 0 {
		e.RestartAfter = 10 * time.Millisecond
	}
	if e.Level == 0 {
		e.Level = 0.95
	}
	if e.Kill < 0 || e.Kill > e.Config.Workers {
		return nil, fmt.Errorf("mapreduce: cannot kill %d of %d workers", e.Kill, e.Config.Workers)
	}
	if err := e.Config.Validate(); err != nil {
		return nil, err
	}
	res := &ExperimentResult{Experiment: e}
	normal := e.Config
	normal.Backups = true
	noBackup := normal
	noBackup.Backups = false
	c0, err := runCase("normal execution", 891, normal, e.Seeds, nil)
	if err != nil {
		return nil, err
	}
	res.KillTime = time.Duration(e.KillAt * stats.MeanCI(c0.Times, e.Level).Mean * float64(time.Second))
	c1, err := runCase("no backup tasks", 1283, noBackup, e.Seeds, nil)
	if err != nil {
		return nil, err
	}
	kill := func(w *sim.World, cl *Cluster) {
		victims := w.Stream("experiment/kill").Perm(len(cl.Workers))[:e.Kill]
		slices.Sort(victims)
		w.At(sim.Time(res.KillTime), func(w *sim.World) {
			for _, v := range victims {
				w.Crash(cl.Workers[v])
			}
		})
		w.At(sim.Time(res.KillTime+e.RestartAfter), func(w *sim.World) {
			for _, v := range victims {
				w.Restart(cl.Workers[v])
			}
		})
	}
	c2, err := runCase(fmt.Sprintf("%d of %d workers killed", e.Kill, e.Config.Workers), 933, normal, e.Seeds, kill)
	if err != nil {
		return nil, err
	}
	res.Cases = []Case{c0, c1, c2}
	for i := range res.Cases {
		c := &res.Cases[i]
		c.Time = stats.MeanCI(c.Times, e.Level)
		ratios := make([]float64, len(c.Times))
		for j, t := range c.Times {
			ratios[j] = t/c0.Times[j] - 1
		}
		c.Slowdown = stats.MeanCI(ratios, e.Level)
	}
	return res, nil
}

// runCase runs one case over seeds: the job until it is done (or an hour
// of virtual time).
func runCase(name string, paper float64, cfg Config, seeds []uint64, faults func(*sim.World, *Cluster)) (Case, error) {
	c := Case{Name: name, PaperTime: paper}
	for i, seed := range seeds {
		w, err := sim.New(sim.Config{Seed: seed})
		if err != nil {
			return c, err
		}
		cl, err := Build(w, cfg)
		if err != nil {
			return c, err
		}
		if faults != nil {
			faults(w, cl)
		}
		w.RunUntil(sim.Time(time.Hour))
		r := cl.Result()
		if !r.Done {
			return c, fmt.Errorf("mapreduce: %s, seed %d: the job did not complete in an hour", name, seed)
		}
		c.Times = append(c.Times, r.JobTime.Seconds())
		if i == 0 {
			c.Progress = cl.Progress()
		}
		passed := true
		for _, res := range cl.Check(nil) {
			passed = passed && res.Verdict.Passed()
		}
		if passed {
			c.Passed++
		}
	}
	return c, nil
}

// WriteTable writes the experiment's table: each case's mean job time and
// its slowdown against normal execution with confidence intervals, next
// to the paper's figures.
func (r *ExperimentResult) WriteTable(w io.Writer) error {
	cfg := r.Config
	var b strings.Builder
	fmt.Fprintf(&b, "MapReduce job completion time: %s, %d map and %d reduce tasks on %d workers x %d slots, %d straggler(s) %gx slower.\n",
		cfg.Job.Name, cfg.Corpus.Splits, cfg.Reduces, cfg.Workers, cfg.Slots, cfg.Stragglers, cfg.StragglerFactor)
	fmt.Fprintf(&b, "Means over %d seeds (%d-%d) with %g%% Student-t confidence intervals; slowdown is the mean per-seed ratio to normal execution, minus 1.\n",
		len(r.Seeds), r.Seeds[0], r.Seeds[len(r.Seeds)-1], 100*r.Level)
	fmt.Fprintf(&b, "Killed workers crash at %.2fs (%.0f%% of the normal mean) and restart %v later.\n\n",
		r.KillTime.Seconds(), 100*r.KillAt, r.RestartAfter)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "case\tjob time (s)\tslowdown\tchecks held\tpaper: sort, 1746 workers")
	base := r.Cases[0].PaperTime
	for i, c := range r.Cases {
		slow, paper := "-", fmt.Sprintf("%.0f s", c.PaperTime)
		if i > 0 {
			slow = fmt.Sprintf("%+.1f%% ± %.1f%%", 100*c.Slowdown.Mean, 100*c.Slowdown.HalfWidth)
			paper += fmt.Sprintf(" (%+.0f%%)", 100*(c.PaperTime/base-1))
		}
		fmt.Fprintf(tw, "%s\t%.3f ± %.3f\t%s\t%d/%d\t%s\n", c.Name, c.Time.Mean, c.Time.HalfWidth, slow, c.Passed, len(c.Times), paper)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Plot formats.
const (
	FormatPNG = "png"
	FormatSVG = "svg"
)

// PlotProgress draws the paper's Figure 3 for the first seed of each case,
// one column per case: the rates at which input is read, map output is
// shuffled and output is written (kB/s of virtual time), and the
// percentage of map and reduce tasks completed, over time. It writes png
// or svg to w; the output is deterministic for a given result.
func (r *ExperimentResult) PlotProgress(w io.Writer, format string) error {
	if format != FormatPNG && format != FormatSVG {
		return fmt.Errorf("mapreduce: plot format %q (want %s or %s)", format, FormatPNG, FormatSVG)
	}
	const bin = 50 * time.Millisecond
	step := int(bin / BinWidth)
	xmax := 0.0
	for _, c := range r.Cases {
		xmax = max(xmax, float64(len(c.Progress.Input)*int(BinWidth))/float64(time.Second))
	}
	rows := []string{"input (kB/s)", "shuffle (kB/s)", "output (kB/s)", "tasks done (%)"}
	grid := make([][]*plot.Plot, len(rows))
	for i := range grid {
		grid[i] = make([]*plot.Plot, len(r.Cases))
	}
	for j, c := range r.Cases {
		p := c.Progress
		for i, series := range [][]float64{p.Input, p.Shuffle, p.Output} {
			pl := newPlot(grid, i, j, rows[i], c.Name, xmax)
			var xys plotter.XYs
			for k := 0; k < len(series); k += step {
				sum := 0.0
				for _, v := range series[k:min(k+step, len(series))] {
					sum += v
				}
				t := float64(time.Duration(k)*BinWidth) / float64(time.Second)
				rate := sum / bin.Seconds() / 1000
				xys = append(xys, plotter.XY{X: t, Y: rate}, plotter.XY{X: t + bin.Seconds(), Y: rate})
			}
			if err := addLine(pl, xys, color.RGBA{R: 31, G: 119, B: 180, A: 255}, ""); err != nil {
				return err
			}
		}
		pl := newPlot(grid, 3, j, rows[3], c.Name, xmax)
		pl.Y.Max = 100
		for k, done := range [][]int{p.MapsDone, p.ReducesDone} {
			n := []int{p.Maps, p.Reduces}[k]
			var xys plotter.XYs
			for b, d := range done {
				xys = append(xys, plotter.XY{X: float64(time.Duration(b+1)*BinWidth) / float64(time.Second), Y: 100 * float64(d) / float64(n)})
			}
			label := ""
			if j == 0 {
				label = []string{"map", "reduce"}[k]
			}
			col := []color.Color{color.RGBA{R: 31, G: 119, B: 180, A: 255}, color.RGBA{R: 214, G: 39, B: 40, A: 255}}[k]
			if err := addLine(pl, xys, col, label); err != nil {
				return err
			}
		}
	}
	// One scale per row, so the columns compare at a glance.
	for _, row := range grid {
		top := 0.0
		for _, p := range row {
			top = max(top, p.Y.Max)
		}
		for _, p := range row {
			p.Y.Max = top
		}
	}
	width, height := 12*vg.Inch, 10*vg.Inch
	var canvas vg.CanvasWriterTo
	if format == FormatPNG {
		canvas = vgimg.PngCanvas{Canvas: vgimg.New(width, height)}
	} else {
		canvas = vgsvg.New(width, height)
	}
	dc := draw.New(canvas)
	tiles := draw.Tiles{Rows: len(rows), Cols: len(r.Cases), PadX: vg.Centimeter / 2, PadY: vg.Centimeter / 2,
		PadTop: vg.Centimeter / 2, PadBottom: vg.Centimeter / 2, PadLeft: vg.Centimeter / 2, PadRight: vg.Centimeter / 2}
	cs := plot.Align(grid, tiles, dc)
	for i := range grid {
		for j := range grid[i] {
			grid[i][j].Draw(cs[i][j])
		}
	}
	if _, err := canvas.WriteTo(w); err != nil {
		return fmt.Errorf("mapreduce: write %s: %w", format, err)
	}
	return nil
}

func newPlot(grid [][]*plot.Plot, i, j int, ylabel, title string, xmax float64) *plot.Plot {
	p := plot.New()
	if i == 0 {
		p.Title.Text = title
	}
	if j == 0 {
		p.Y.Label.Text = ylabel
	}
	if i == len(grid)-1 {
		p.X.Label.Text = "seconds of virtual time"
	}
	p.X.Min, p.X.Max = 0, xmax
	p.Y.Min = 0
	p.Legend.Top, p.Legend.Left = true, true
	grid[i][j] = p
	return p
}

func addLine(p *plot.Plot, xys plotter.XYs, col color.Color, label string) error {
	if len(xys) == 0 {
		return nil
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return fmt.Errorf("mapreduce: plot: %w", err)
	}
	l.Color = col
	p.Add(l)
	if label != "" {
		p.Legend.Add(label, l)
	}
	return nil
}
