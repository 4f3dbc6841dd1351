package studies

import (
	"cmp"
	"context"
	"fmt"
	"image/color"
	"io"
	"math"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/mapreduce"
	"github.com/dsimlab/dsim/scenarios"
)

// PaperOptions says what MapReducePaper runs. Zero fields take the
// defaults given.
type PaperOptions struct {
	// Scenario is the job and cluster, a mapreduce scenario; default the
	// embedded mapreduce-paper scenario (the paper's sort experiment
	// scaled down to 50 workers).
	Scenario *scenarios.Scenario
	// Seeds are the seeds every case runs; default 1 to 30.
	Seeds []uint64
	// Kill is how many workers the third case crashes: default the
	// paper's 200 of 1746, as a share of the scenario's workers, rounded.
	// They are spread evenly over w1..wN; which one is the straggler
	// changes with the seed.
	Kill int
	// KillAt is when they crash; default 30% of the normal case's mean
	// job time (the normal case then runs first).
	KillAt time.Duration
	// RestartAfter is how long they stay down; default 10ms ("immediately
	// restarted").
	RestartAfter time.Duration
	// Jobs is how many runs go side by side; 0 means one per CPU.
	Jobs int
}

// Paper is the paper experiment's result.
type Paper struct {
	// Table has the rows normal execution, no backup tasks and workers
	// killed, and the columns job time (seconds, with its paired ratio to
	// normal execution: the slowdown) and passed (the share of runs whose
	// checks held).
	Table  *Table
	Config mapreduce.Config // the job and cluster
	// Killed are the workers the third case crashed at KillAt and
	// restarted RestartAfter later.
	Killed               []string
	KillAt, RestartAfter time.Duration
	progress             []mapreduce.Progress // by row, of the first seed
}

// paperTimes are the paper's job times for its three cases, in seconds.
var paperTimes = []float64{891, 1283, 933}

// MapReducePaper compares job completion times in the three cases of the
// paper's sort experiment: normal execution, no backup tasks, and a share
// of the workers killed mid-job and restarted at once. Every case runs
// the same seeds, so the same corpus, worker speeds and straggler: the
// slowdowns are paired.
func MapReducePaper(ctx context.Context, opts PaperOptions) (*Paper, error) {
	o, cfg, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	p := &Paper{Config: cfg, KillAt: o.KillAt, RestartAfter: o.RestartAfter, progress: make([]mapreduce.Progress, 3)}
	first, err := p.study(o, 0, Case{Name: "normal execution", Changes: []Change{Param("backups", true)}},
		Case{Name: "no backup tasks", Changes: []Change{Param("backups", false)}}).Run(ctx)
	if err != nil {
		return nil, err
	}
	if p.KillAt == 0 {
		normal, _ := first.Cell("normal execution", "job time")
		p.KillAt = time.Duration(0.3 * normal.Mean.Mean * float64(time.Second)).Round(time.Millisecond)
	}
	var faults []scenarios.Fault
	for i := range o.Kill {
		w := fmt.Sprintf("w%d", 1+i*cfg.Workers/o.Kill)
		p.Killed = append(p.Killed, w)
		faults = append(faults, scenarios.Fault{At: p.KillAt, Kind: scenarios.FaultCrash, Node: w},
			scenarios.Fault{At: p.KillAt + p.RestartAfter, Kind: scenarios.FaultRestart, Node: w})
	}
	kill := Case{Name: fmt.Sprintf("%d of %d workers killed", o.Kill, cfg.Workers),
		Changes: []Change{Param("backups", true), Faults(faults...)}}
	second, err := p.study(o, 2, kill).Run(ctx)
	if err != nil {
		return nil, err
	}
	if p.Table, err = first.Join(second); err != nil {
		return nil, err
	}
	return p, nil
}

func (o PaperOptions) withDefaults() (PaperOptions, mapreduce.Config, error) {
	if o.Scenario == nil {
		s, err := Catalog().Load("mapreduce-paper")
		if err != nil {
			return o, mapreduce.Config{}, err
		}
		o.Scenario = s
	}
	if o.Scenario.Protocol == nil || o.Scenario.Protocol.Name != "mapreduce" {
		return o, mapreduce.Config{}, fmt.Errorf("%w: %s is not a mapreduce scenario", ErrBadStudy, o.Scenario.Name)
	}
	cfg, err := mapreduce.ConfigFromParams(o.Scenario.Params, o.Scenario.Nodes)
	if err != nil {
		return o, cfg, fmt.Errorf("%w: %s: %w", ErrBadStudy, o.Scenario.Name, err)
	}
	if len(o.Seeds) == 0 {
		o.Seeds = SeedRange(1, 30)
	}
	o.Kill = cmp.Or(o.Kill, int(math.Round(200.0/1746*float64(cfg.Workers))))
	o.RestartAfter = cmp.Or(o.RestartAfter, 10*time.Millisecond)
	if o.Kill < 1 || o.Kill > cfg.Workers {
		return o, cfg, fmt.Errorf("%w: cannot kill %d of %d workers", ErrBadStudy, o.Kill, cfg.Workers)
	}
	return o, cfg, nil
}

// study returns the study of some of the cases, the first of them row
// number row of the paper's table.
func (p *Paper) study(o PaperOptions, row int, cases ...Case) *Study {
	return &Study{Name: o.Scenario.Name, Base: o.Scenario, Cases: cases, Seeds: o.Seeds, Jobs: o.Jobs,
		Columns: []Column{{Metric: "job time", Paired: Ratio}, {Metric: "passed"}},
		Measure: func(c int, out *scenarios.Outcome) ([]protocols.Stat, error) {
			return p.measure(row+c, out.Seed == o.Seeds[0], out)
		}}
}

// measure reads a run's job time, and for the first seed its progress.
func (p *Paper) measure(row int, first bool, o *scenarios.Outcome) ([]protocols.Stat, error) {
	st, err := Reported(row, o)
	if err != nil {
		return nil, err
	}
	for _, s := range st {
		if s.Name == "job done" && s.Value != 1 {
			return nil, fmt.Errorf("the job did not complete in %v", o.SimTime)
		}
	}
	if first {
		in, ok := o.Instance.(interface{ Cluster() *mapreduce.Cluster })
		if !ok {
			return nil, fmt.Errorf("%w: the run did not build a mapreduce cluster", ErrBadStudy)
		}
		p.progress[row] = in.Cluster().Progress()
	}
	return st, nil
}

// WriteText writes the table under a description of the job and the
// faults, and the paper's figures beside it.
func (p *Paper) WriteText(w io.Writer) error {
	c := p.Config
	var b strings.Builder
	fmt.Fprintf(&b, "MapReduce job completion time: %s, %d map and %d reduce tasks on %d workers x %d slots, %d straggler(s) %gx slower.\n",
		c.Job.Name, c.Corpus.Splits, c.Reduces, c.Workers, c.Slots, c.Stragglers, c.StragglerFactor)
	fmt.Fprintf(&b, "Killed workers (%s) crash at %v and restart %v later. The slowdown vs normal execution is the mean per-seed ratio of job times, minus 1.\n",
		strings.Join(p.Killed, " "), p.KillAt, p.RestartAfter)
	if err := p.Table.WriteText(&b); err != nil {
		return err
	}
	fmt.Fprintf(&b, "paper (sort, 1746 workers): %.0f s; %.0f s (%+.0f%%); %.0f s (%+.0f%%)\n", paperTimes[0],
		paperTimes[1], 100*(paperTimes[1]/paperTimes[0]-1), paperTimes[2], 100*(paperTimes[2]/paperTimes[0]-1))
	_, err := io.WriteString(w, b.String())
	return err
}

// PlotProgress draws the paper's Figure 3 for the first seed of each case,
// one column per case: the rates at which input is read, map output is
// shuffled and output is written (kB/s of virtual time), and the
// percentage of map and reduce tasks completed, over time. It writes png
// or svg to w, 12×10 inches.
func (p *Paper) PlotProgress(w io.Writer, format string) error {
	xmax := 0.0
	for _, pr := range p.progress {
		xmax = max(xmax, float64(len(pr.Input)*int(mapreduce.BinWidth))/float64(time.Second))
	}
	rows := []string{"input (kB/s)", "shuffle (kB/s)", "output (kB/s)", "tasks done (%)"}
	grid := make([][]*plot.Plot, len(rows))
	for i := range grid {
		grid[i] = make([]*plot.Plot, len(p.progress))
		for j := range grid[i] {
			grid[i][j] = progressPlot(i == 0, j == 0, i == len(rows)-1, rows[i], p.Table.Rows[j].Case, xmax)
		}
	}
	for j, pr := range p.progress {
		for i, series := range [][]float64{pr.Input, pr.Shuffle, pr.Output} {
			if err := addSeries(grid[i][j], rates(series), blue, ""); err != nil {
				return err
			}
		}
		if err := addTasks(grid[3][j], pr, j == 0); err != nil {
			return err
		}
	}
	for _, row := range grid { // one scale per row, so the columns compare at a glance
		top := 0.0
		for _, pl := range row {
			top = max(top, pl.Y.Max)
		}
		for _, pl := range row {
			pl.Y.Max = top
		}
	}
	return WriteGrid(w, format, grid, 12*vg.Inch, 10*vg.Inch)
}

var (
	blue = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	red  = color.RGBA{R: 214, G: 39, B: 40, A: 255}
)

// progressPlot returns one tile of the progress grid.
func progressPlot(top, left, bottom bool, ylabel, title string, xmax float64) *plot.Plot {
	pl := plot.New()
	if top {
		pl.Title.Text = title
	}
	if left {
		pl.Y.Label.Text = ylabel
	}
	if bottom {
		pl.X.Label.Text = "seconds of virtual time"
	}
	pl.X.Min, pl.X.Max, pl.Y.Min = 0, xmax, 0
	pl.Legend.Top, pl.Legend.Left = true, true
	return pl
}

// rates turns bytes per bin into a step line of kB/s over 50ms bins.
func rates(series []float64) plotter.XYs {
	const bin = 50 * time.Millisecond
	step := int(bin / mapreduce.BinWidth)
	var xys plotter.XYs
	for k := 0; k < len(series); k += step {
		sum := 0.0
		for _, v := range series[k:min(k+step, len(series))] {
			sum += v
		}
		t := float64(time.Duration(k)*mapreduce.BinWidth) / float64(time.Second)
		rate := sum / bin.Seconds() / 1000
		xys = append(xys, plotter.XY{X: t, Y: rate}, plotter.XY{X: t + bin.Seconds(), Y: rate})
	}
	return xys
}

// addTasks draws the percentage of map and reduce tasks done over time.
func addTasks(pl *plot.Plot, pr mapreduce.Progress, legend bool) error {
	pl.Y.Max = 100
	for k, done := range [][]int{pr.MapsDone, pr.ReducesDone} {
		n := []int{pr.Maps, pr.Reduces}[k]
		var xys plotter.XYs
		for b, d := range done {
			xys = append(xys, plotter.XY{X: float64(time.Duration(b+1)*mapreduce.BinWidth) / float64(time.Second), Y: 100 * float64(d) / float64(n)})
		}
		label := ""
		if legend {
			label = []string{"map", "reduce"}[k]
		}
		if err := addSeries(pl, xys, []color.Color{blue, red}[k], label); err != nil {
			return err
		}
	}
	return nil
}

func addSeries(pl *plot.Plot, xys plotter.XYs, col color.Color, label string) error {
	if len(xys) == 0 {
		return nil
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	l.Color = col
	pl.Add(l)
	if label != "" {
		pl.Legend.Add(label, l)
	}
	return nil
}
