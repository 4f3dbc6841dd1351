package detector

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"

	"github.com/dsimlab/dsim/sim"
	"github.com/dsimlab/dsim/stats"
)

// ErrBadTradeOff reports unusable TradeOffOptions.
var ErrBadTradeOff = errors.New("bad detector trade-off")

// TradeOffOptions says what TradeOff runs. Zero fields take the defaults
// given.
type TradeOffOptions struct {
	// Nodes monitor each other; default 4.
	Nodes int
	// Interval is the heartbeat period; default 100ms.
	Interval time.Duration
	// Duration is each run's length in simulated time; default 10 minutes.
	Duration time.Duration
	// Link is the network; default log-normal latency with median 10ms and
	// sigma 0.7 (a long tail), 3% loss.
	Link sim.LinkConfig
	// CrashPeriod and CrashFor schedule the crashes: every CrashPeriod one
	// node, in turn, crashes and restarts CrashFor later; default 30s and
	// 10s.
	CrashPeriod, CrashFor time.Duration
	// Timeouts are the fixed detector's timeouts; default 150ms to 1.2s.
	Timeouts []time.Duration
	// Thresholds are the phi detector's thresholds; default 0.5 to 64.
	Thresholds []float64
	// Phi configures the phi detector but for its threshold; default a
	// window of 100, MinStdDev 10ms.
	Phi PhiConfig
	// Seeds are the seeds each configuration runs with; default 1 to 5.
	Seeds []uint64
	// Level is the confidence level of the intervals; default 0.95.
	Level float64
}

func (o TradeOffOptions) withDefaults() (TradeOffOptions, error) {
	if o.Nodes == 0 {
		o.Nodes = 4
	}
	if o.Interval == 0 {
		o.Interval = 100 * time.Millisecond
	}
	if o.Duration == 0 {
		o.Duration = 10 * time.Minute
	}
	if o.Link.Latency.Kind == "" {
		o.Link = sim.LinkConfig{Latency: sim.LogNormal(10*time.Millisecond, 0.7), Drop: 0.03}
	}
	if o.CrashPeriod == 0 {
		o.CrashPeriod = 30 * time.Second
	}
	if o.CrashFor == 0 {
		o.CrashFor = 10 * time.Second
	}
	if len(o.Timeouts) == 0 {
		for _, ms := range []int{150, 200, 250, 300, 400, 600, 800, 1200} {
			o.Timeouts = append(o.Timeouts, time.Duration(ms)*time.Millisecond)
		}
	}
	if len(o.Thresholds) == 0 {
		o.Thresholds = []float64{0.5, 1, 2, 4, 8, 16, 32, 64}
	}
	if o.Phi.Window == 0 {
		o.Phi.Window = 100
	}
	if o.Phi.MinStdDev == 0 {
		o.Phi.MinStdDev = 10 * time.Millisecond
	}
	if len(o.Seeds) == 0 {
		o.Seeds = []uint64{1, 2, 3, 4, 5}
	}
	if o.Level == 0 {
		o.Level = 0.95
	}
	switch {
	case o.Nodes < 2:
		return o, fmt.Errorf("%w: %d nodes (want at least 2)", ErrBadTradeOff, o.Nodes)
	case o.CrashFor >= o.CrashPeriod:
		return o, fmt.Errorf("%w: crashes of %v every %v overlap", ErrBadTradeOff, o.CrashFor, o.CrashPeriod)
	case !(o.Level > 0 && o.Level < 1):
		return o, fmt.Errorf("%w: level %v", ErrBadTradeOff, o.Level)
	}
	return o, o.Link.Validate()
}

// TradeOffPoint is one detector setting's quality of service: means over the
// seeds with confidence intervals.
type TradeOffPoint struct {
	Detector string  // NameFixed or NamePhi
	Setting  float64 // the timeout in milliseconds, or the threshold
	// Detection is the mean detection time T_D, in milliseconds.
	Detection stats.Interval
	// MistakeRate is λ_M, false suspicions per monitored pair per hour.
	MistakeRate stats.Interval
	// MistakeDuration is the mean duration of a mistake T_M, in
	// milliseconds (over the seeds that had mistakes).
	MistakeDuration stats.Interval
	// Undetected counts crashes never suspected before the node restarted,
	// over all seeds.
	Undetected int
}

// Label names the point, e.g. "fixed 300ms" or "phi 8".
func (p TradeOffPoint) Label() string {
	if p.Detector == NameFixed {
		return fmt.Sprintf("fixed %vms", p.Setting)
	}
	return "phi " + strconv.FormatFloat(p.Setting, 'g', -1, 64)
}

// TradeOff measures both detectors over a range of settings: for each seed,
// one run in which every node heartbeats the others and every setting runs
// side by side on the very same heartbeats, while nodes crash and restart in
// turn. Runs are sequential and deterministic.
func TradeOff(opts TradeOffOptions) ([]TradeOffPoint, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	cfg := Config{Interval: opts.Interval}
	type setting struct {
		det   string
		value float64
	}
	var settings []setting
	for _, t := range opts.Timeouts {
		ms := float64(t) / float64(time.Millisecond)
		cfg.Detectors = append(cfg.Detectors, FixedSpec(fmt.Sprintf("fixed/%v", t), t))
		settings = append(settings, setting{NameFixed, ms})
	}
	for _, th := range opts.Thresholds {
		pc := opts.Phi
		pc.Threshold, pc.FirstEstimate = th, opts.Interval
		cfg.Detectors = append(cfg.Detectors, PhiSpec(fmt.Sprintf("phi/%v", th), pc))
		settings = append(settings, setting{NamePhi, th})
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	det := make([][]float64, len(settings))
	rate := make([][]float64, len(settings))
	dur := make([][]float64, len(settings))
	undetected := make([]int, len(settings))
	for _, seed := range opts.Seeds {
		qos, err := tradeOffRun(opts, &cfg, seed)
		if err != nil {
			return nil, err
		}
		for i, q := range qos {
			det[i] = append(det[i], float64(q.MeanDetection())/float64(time.Millisecond))
			rate[i] = append(rate[i], q.MistakeRate())
			if len(q.Mistakes) > 0 {
				dur[i] = append(dur[i], float64(q.MeanMistakeDuration())/float64(time.Millisecond))
			}
			undetected[i] += q.Undetected
		}
	}
	points := make([]TradeOffPoint, len(settings))
	for i, s := range settings {
		points[i] = TradeOffPoint{Detector: s.det, Setting: s.value, Detection: stats.MeanCI(det[i], opts.Level),
			MistakeRate: stats.MeanCI(rate[i], opts.Level), MistakeDuration: stats.MeanCI(dur[i], opts.Level),
			Undetected: undetected[i]}
	}
	return points, nil
}

// tradeOffRun runs one seed and returns the QoS of every detector of cfg,
// in cfg's order.
func tradeOffRun(o TradeOffOptions, cfg *Config, seed uint64) ([]QoS, error) {
	w, err := sim.New(sim.Config{Seed: seed, Link: o.Link})
	if err != nil {
		return nil, fmt.Errorf("trade-off: %w", err)
	}
	a := NewAnalysis(w.Name, cfg.Names()...)
	var ids []sim.NodeID
	for i := 1; i <= o.Nodes; i++ {
		ids = append(ids, w.MustAddNode(fmt.Sprintf("n%d", i), NewMonitor(cfg)))
	}
	w.Observe(a.Observe)
	k := 0
	for at := o.CrashPeriod; at+o.CrashFor < o.Duration; at += o.CrashPeriod {
		id := ids[k%len(ids)]
		k++
		w.At(sim.Time(at), func(w *sim.World) { w.Crash(id) })
		w.At(sim.Time(at+o.CrashFor), func(w *sim.World) { w.Restart(id) })
	}
	w.RunUntil(sim.Time(o.Duration))
	byName := map[string]QoS{}
	for _, q := range a.QoS(w.Now()) {
		byName[q.Detector] = q
	}
	out := make([]QoS, 0, len(cfg.Detectors))
	for _, s := range cfg.Detectors {
		out = append(out, byName[s.Name])
	}
	return out, nil
}

// WriteTradeOffText writes the points as an aligned table.
func WriteTradeOffText(w io.Writer, points []TradeOffPoint) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "detector\tdetection time (ms)\tmistakes /pair-hour\tmistake duration (ms)\tundetected")
	for _, p := range points {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", p.Label(), p.Detection, p.MistakeRate, p.MistakeDuration, p.Undetected)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write trade-off: %w", err)
	}
	return nil
}

// ErrNothingToPlot means no point had a mistake rate above zero, so the
// logarithmic axis has nothing to show.
var ErrNothingToPlot = errors.New("nothing to plot: no detector setting made a mistake")

// PlotTradeOff draws detection time (x) against mistake rate (y, log
// scale) for both detectors, one line each with 95% error bars on both
// axes, as a PNG (format "png") or SVG ("svg"). Settings without any
// mistake cannot sit on a log scale and are left out (the text table has
// them). The output is deterministic for the same points.
func PlotTradeOff(w io.Writer, points []TradeOffPoint, format string) error {
	p := plot.New()
	p.Title.Text = "Failure detectors: detection time vs mistakes"
	p.X.Label.Text = "mean detection time T_D (ms)"
	p.Y.Label.Text = "mistakes λ_M (per pair-hour)"
	p.Y.Scale = plot.LogScale{}
	p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
	p.Legend.Left = true // the curves fall to the right: the lower left is free
	p.Add(plotter.NewGrid())
	shown := 0
	for i, name := range []string{NameFixed, NamePhi} {
		var xys plotter.XYs
		var xerr plotter.XErrors
		var yerr plotter.YErrors
		for _, pt := range points {
			if pt.Detector != name || !(pt.MistakeRate.Mean > 0) {
				continue
			}
			xys = append(xys, plotter.XY{X: pt.Detection.Mean, Y: pt.MistakeRate.Mean})
			xerr = append(xerr, struct{ Low, High float64 }{finite(pt.Detection.HalfWidth), finite(pt.Detection.HalfWidth)})
			// Keep the lower bar above zero: it is a log scale.
			lo := math.Min(finite(pt.MistakeRate.HalfWidth), 0.9*pt.MistakeRate.Mean)
			yerr = append(yerr, struct{ Low, High float64 }{lo, finite(pt.MistakeRate.HalfWidth)})
		}
		if len(xys) == 0 {
			continue
		}
		shown += len(xys)
		line, pts, err := plotter.NewLinePoints(xys)
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		line.Color, pts.Color = plotutil.Color(i), plotutil.Color(i)
		pts.Shape = plotutil.Shape(i)
		label := "fixed timeout"
		if name == NamePhi {
			label = "phi accrual"
		}
		p.Add(line, pts)
		p.Legend.Add(label, line, pts)
		xe, err := plotter.NewXErrorBars(struct {
			plotter.XYer
			plotter.XErrorer
		}{xys, xerr})
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		ye, err := plotter.NewYErrorBars(struct {
			plotter.XYer
			plotter.YErrorer
		}{xys, yerr})
		if err != nil {
			return fmt.Errorf("plot: %w", err)
		}
		xe.Color, ye.Color = plotutil.Color(i), plotutil.Color(i)
		p.Add(xe, ye)
	}
	if shown == 0 {
		return ErrNothingToPlot
	}
	wt, err := p.WriterTo(8*vg.Inch, 5*vg.Inch, format)
	if err != nil {
		return fmt.Errorf("plot: %w", err)
	}
	if _, err := wt.WriteTo(w); err != nil {
		return fmt.Errorf("plot: write %s: %w", format, err)
	}
	return nil
}

func finite(x float64) float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) {
		return 0
	}
	return x
}
