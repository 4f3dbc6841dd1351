package studies

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/detector"
	"github.com/dsimlab/dsim/scenarios"
)

// TradeOffOptions says what DetectorTradeOff runs. Zero fields take the
// defaults given.
type TradeOffOptions struct {
	// Scenario is the cluster, a detector scenario without faults of its
	// own; default the embedded detector-tradeoff scenario (four nodes, 100ms heartbeats, log-normal latency with a
	// long tail, 3% loss, ten minutes).
	Scenario *scenarios.Scenario
	// Duration, if positive, replaces the scenario's run length.
	Duration time.Duration
	// CrashPeriod and CrashFor schedule the crashes: every CrashPeriod one
	// node, in turn, crashes and restarts CrashFor later; default 30s and
	// 10s.
	CrashPeriod, CrashFor time.Duration
	// Timeouts are the fixed detector's timeouts; default 150ms to 1.2s.
	Timeouts []time.Duration
	// Thresholds are the phi detector's thresholds; default 0.5 to 64.
	Thresholds []float64
	// Seeds are the seeds every setting runs; default 1 to 5.
	Seeds []uint64
	// Jobs is how many runs go side by side; 0 means one per CPU.
	Jobs int
}

func (o TradeOffOptions) withDefaults() (TradeOffOptions, error) {
	if o.Scenario == nil {
		s, err := Catalog().Load("detector-tradeoff")
		if err != nil {
			return o, err
		}
		o.Scenario = s
	}
	if o.Scenario.Protocol == nil || o.Scenario.Protocol.Name != "detector" {
		return o, fmt.Errorf("%w: %s is not a detector scenario", ErrBadStudy, o.Scenario.Name)
	}
	if o.Duration > 0 {
		o.Scenario = Duration(o.Duration)(o.Scenario)
	}
	o.CrashPeriod = cmp.Or(o.CrashPeriod, 30*time.Second)
	o.CrashFor = cmp.Or(o.CrashFor, 10*time.Second)
	if len(o.Timeouts) == 0 {
		for _, ms := range []int{150, 200, 250, 300, 400, 600, 800, 1200} {
			o.Timeouts = append(o.Timeouts, time.Duration(ms)*time.Millisecond)
		}
	}
	if len(o.Thresholds) == 0 {
		o.Thresholds = []float64{0.5, 1, 2, 4, 8, 16, 32, 64}
	}
	if len(o.Seeds) == 0 {
		o.Seeds = SeedRange(1, 5)
	}
	if o.CrashFor >= o.CrashPeriod {
		return o, fmt.Errorf("%w: crashes of %v every %v overlap", ErrBadStudy, o.CrashFor, o.CrashPeriod)
	}
	return o, nil
}

// TradeOff is the detection-time versus mistake-rate trade-off of both
// failure detectors.
type TradeOff struct {
	// Table has a row per setting ("fixed 300ms", "phi 8") and columns
	// detection time (the mean time T_D from a crash to its suspicion,
	// ms), mistake rate (false suspicions λ_M per monitored pair per
	// hour), mistake duration (the mean T_M, ms, over the runs that made
	// mistakes) and undetected (crashes never suspected before the
	// restart, per run), as Chen, Toueg and Aguilera define them.
	Table     *Table
	detectors []string // by row: detector.NameFixed or NamePhi
}

// DetectorTradeOff measures both detectors over a range of settings: each
// setting is a case that runs that one detector while nodes crash and
// restart in turn. The detectors do not change what the nodes send, so
// under one seed every setting sees the very same heartbeats: a longer
// timeout (or a higher threshold) can only suspect later and err less.
func DetectorTradeOff(ctx context.Context, opts TradeOffOptions) (*TradeOff, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	base := Faults(crashesInTurn(o.Scenario, o.CrashPeriod, o.CrashFor)...)(o.Scenario)
	res := &TradeOff{}
	st := &Study{Name: base.Name, Axis: "detector", Base: base, Seeds: o.Seeds, Jobs: o.Jobs,
		Columns: []Column{{Metric: "detection time"}, {Metric: "mistake rate"}, {Metric: "mistake duration"}, {Metric: "undetected"}},
		Measure: func(c int, o *scenarios.Outcome) ([]protocols.Stat, error) { return qos(res.detectors[c], o.Stats) }}
	for _, t := range o.Timeouts {
		st.Cases = append(st.Cases, Case{Name: fmt.Sprintf("%s %v", detector.NameFixed, t),
			Changes: []Change{Param("detectors", detector.NameFixed), Param("timeout", t)}})
		res.detectors = append(res.detectors, detector.NameFixed)
	}
	for _, th := range o.Thresholds {
		st.Cases = append(st.Cases, Case{Name: detector.NamePhi + " " + strconv.FormatFloat(th, 'g', -1, 64),
			Changes: []Change{Param("detectors", detector.NamePhi), Param("threshold", th)}})
		res.detectors = append(res.detectors, detector.NamePhi)
	}
	if res.Table, err = st.Run(ctx); err != nil {
		return nil, err
	}
	return res, nil
}

// crashesInTurn crashes the scenario's nodes n1, n2, ... in turn, one
// every period, each for a span, until the run ends.
func crashesInTurn(s *scenarios.Scenario, period, span time.Duration) []scenarios.Fault {
	var out []scenarios.Fault
	k := 0
	for at := period; at+span < s.Duration; at += period {
		node := fmt.Sprintf("n%d", k%s.Nodes+1)
		k++
		out = append(out, scenarios.Fault{At: at, Kind: scenarios.FaultCrash, Node: node},
			scenarios.Fault{At: at + span, Kind: scenarios.FaultRestart, Node: node})
	}
	return out
}

// qos picks one detector's figures out of a detector run's statistics.
func qos(det string, st []protocols.Stat) ([]protocols.Stat, error) {
	get := func(name string) (float64, error) {
		for _, s := range st {
			if s.Name == det+" "+name {
				return s.Value, nil
			}
		}
		return 0, fmt.Errorf("the run reported no %q", det+" "+name)
	}
	var v [5]float64
	for i, name := range []string{"mean detection time", "mistake rate", "mean mistake duration", "crashes undetected", "false suspicions"} {
		x, err := get(name)
		if err != nil {
			return nil, err
		}
		v[i] = x
	}
	if v[4] == 0 {
		v[2] = math.NaN() // no mistake, no duration
	}
	return []protocols.Stat{{Name: "detection time", Value: v[0], Unit: "ms"}, {Name: "mistake rate", Value: v[1], Unit: "per pair-hour"},
		{Name: "mistake duration", Value: v[2], Unit: "ms"}, {Name: "undetected", Value: v[3]}}, nil
}

// Plot draws detection time (x) against mistake rate (y, log scale) for
// both detectors, a line each with confidence intervals on both axes, and
// writes it to w as png or svg. Settings that made no mistake cannot sit
// on a log scale and are left out (the table has them).
func (t *TradeOff) Plot(w io.Writer, format string) error {
	series := []Series{{Name: "fixed timeout"}, {Name: "phi accrual"}}
	dt, mr := t.Table.Column("detection time"), t.Table.Column("mistake rate")
	for i, r := range t.Table.Rows {
		s := &series[0]
		if t.detectors[i] == detector.NamePhi {
			s = &series[1]
		}
		s.Points = append(s.Points, Point{X: r.Cells[dt].Mean, Y: r.Cells[mr].Mean})
	}
	return WriteLines(w, format, Axes{Title: "Failure detectors: detection time vs mistakes",
		X: "mean detection time T_D (ms)", Y: "mistakes λ_M (per pair-hour)", LogY: true}, series)
}
