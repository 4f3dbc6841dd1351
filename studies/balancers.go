package studies

import (
	"context"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/lb"
	"github.com/dsimlab/dsim/scenarios"
)

// BalancerOrder lists every balancer in the order a comparison shows them
// by default: random, the baseline, first, then by how much each knows.
func BalancerOrder() []string {
	return []string{lb.NameRandom, lb.NameRoundRobin, lb.NameWeightedRoundRobin, lb.NameLeastConnections,
		lb.NamePowerOfD, lb.NameJSQ, lb.NamePeakEWMA, lb.NameConsistentHash}
}

// Balancers compares load balancers on one lb scenario.
type Balancers struct {
	// Table has a row per balancer spec and, each a mean over the seeds,
	// the columns latency mean, p50, p99 and p99.9 (in µs, ms or s as the
	// scenario's mean service time suits; timed-out requests counted at
	// the timeout; mean and p99 also as the paired difference from the
	// first row), load max/mean and load cv (the spread of utilisation over the
	// servers), failed (% of requests; shown when some failed), hit ratio
	// (of the servers' caches; shown when there are caches) and keys moved
	// (the mean fraction of keys per membership change; consistent hashing
	// only), with latency p90, the answered requests' mean and p99 and
	// each server's utilisation, mean queue and longest queue as details.
	Table     *Table
	latencies [][]float64 // by row: the first seed's latencies, ms, sorted (stats.Sketch.Points)
	timedOut  []float64   // by row: the first seed's fraction of latencies that are timeouts
	moves     [][]lb.Move // by row: the first seed's membership changes
	servers   []string    // the servers, spares included
}

// CompareBalancers runs an lb scenario, its faults and nemesis included,
// under each balancer spec (see lb.ParseSpec; none means BalancerOrder)
// with every seed, overriding the scenario's balancer parameters. Every
// balancer serves the same requests under a seed (the same arrivals, keys
// and sizes), so differences between rows are the algorithms', not noise.
func CompareBalancers(ctx context.Context, s *scenarios.Scenario, specs []string, seeds []uint64, jobs int) (*Balancers, error) {
	if s == nil || s.Protocol == nil || s.Protocol.Name != "lb" {
		return nil, fmt.Errorf("%w: compare balancers: %s is not an lb scenario", ErrBadStudy, name(s))
	}
	if len(specs) == 0 {
		specs = BalancerOrder()
	}
	b := &Balancers{latencies: make([][]float64, len(specs)), timedOut: make([]float64, len(specs)),
		moves: make([][]lb.Move, len(specs))}
	st := &Study{Name: s.Name, Axis: "balancer", Base: s, Seeds: seeds, Jobs: jobs, Columns: balancerColumns}
	for _, spec := range specs {
		change, err := balancer(spec)
		if err != nil {
			return nil, fmt.Errorf("compare balancers: %w", err)
		}
		st.Cases = append(st.Cases, Case{Name: spec, Changes: []Change{change}})
	}
	st.Measure = func(c int, o *scenarios.Outcome) ([]protocols.Stat, error) {
		return b.measure(c, o.Seed == seeds[0], o)
	}
	var err error
	if b.Table, err = st.Run(ctx); err != nil {
		return nil, err
	}
	return b, nil
}

func name(s *scenarios.Scenario) string {
	if s == nil {
		return "no scenario"
	}
	return s.Name
}

var balancerColumns = []Column{
	{Metric: "latency mean", Label: "mean", Paired: Difference},
	{Metric: "latency p50", Label: "p50"},
	{Metric: "latency p90", Label: "p90", Detail: true},
	{Metric: "latency p99", Label: "p99", Paired: Difference},
	{Metric: "latency p99.9", Label: "p99.9"},
	{Metric: "load max/mean"},
	{Metric: "load cv"},
	{Metric: "failed", OmitZero: true},
	{Metric: "hit ratio", OmitZero: true},
	{Metric: "keys moved"},
}

// balancer returns the change that selects a balancer spec.
func balancer(spec string) (Change, error) {
	name, opts, err := lb.ParseSpec(spec, lb.Options{})
	if err != nil {
		return nil, err
	}
	return func(s *scenarios.Scenario) *scenarios.Scenario {
		s = s.WithParam("balancer", name)
		if opts.D != 0 {
			s = s.WithParam("d", opts.D)
		}
		if opts.Replace {
			s = s.WithParam("replace", true)
		}
		if opts.Hash != "" {
			s = s.WithParam("hash", opts.Hash)
		}
		if opts.Decay != 0 {
			s = s.WithParam("decay", opts.Decay)
		}
		return s
	}, nil
}

// cdfSamples is how many points of a run's latency sketch stand for its
// distribution in the CDF plot: enough to resolve p99.99.
const cdfSamples = 20000

// measure reads a run's lb.Result, and keeps the first seed's samples and
// membership changes for the plots.
func (b *Balancers) measure(c int, first bool, o *scenarios.Outcome) ([]protocols.Stat, error) {
	in, ok := o.Instance.(*lb.Instance)
	if !ok {
		return nil, fmt.Errorf("%w: the run did not build an lb instance", ErrBadStudy)
	}
	r := in.Result()
	if first {
		b.latencies[c], b.moves[c] = r.LatencySketch.Points(cdfSamples), r.Moves
		if r.Latency.N > 0 {
			b.timedOut[c] = float64(r.TimedOut) / float64(r.Latency.N)
		}
	}
	lat := func(x float64) float64 {
		if r.Latency.N == 0 {
			return math.NaN() // nothing answered: no latency to average
		}
		return x
	}
	unit, scale := latencyUnit(in.Config().Service.Mean)
	ms := func(name string, x float64) protocols.Stat {
		return protocols.Stat{Name: name, Value: lat(x) * scale, Unit: unit}
	}
	st := []protocols.Stat{ms("latency mean", r.Latency.Mean), ms("latency p50", r.Latency.P50), ms("latency p90", r.Latency.P90),
		ms("latency p99", r.Latency.P99), ms("latency p99.9", r.Latency.P999),
		ms("answered mean", r.Answered.Mean), ms("answered p99", r.Answered.P99),
		{Name: "load max/mean", Value: r.LoadMaxOverMean}, {Name: "load cv", Value: r.LoadCV},
		{Name: "failed", Value: 100 * r.FailedFraction, Unit: "%"}, {Name: "hit ratio", Value: r.HitRatio},
		{Name: "keys moved", Value: meanMoved(r.Moves)}}
	fill := b.servers == nil // every run has the same servers
	for _, s := range r.Servers {
		if fill {
			b.servers = append(b.servers, s.Name)
		}
		st = append(st, protocols.Stat{Name: s.Name + " utilisation", Value: s.Utilisation},
			protocols.Stat{Name: s.Name + " mean queue", Value: s.MeanQueue},
			protocols.Stat{Name: s.Name + " max queue", Value: float64(s.MaxQueue)})
	}
	return st, nil
}

// latencyUnit picks the unit of a comparison's latencies from its
// scenario's mean service time, so that everyday values read as plain
// numbers: µs below 1ms, s from 1s, ms between. It returns the unit and
// the factor from milliseconds to it.
func latencyUnit(service time.Duration) (string, float64) {
	switch {
	case service < time.Millisecond:
		return "µs", 1e3
	case service >= time.Second:
		return "s", 1e-3
	}
	return "ms", 1
}

// meanMoved is the mean fraction of keys a membership change moved, or
// NaN without changes.
func meanMoved(ms []lb.Move) float64 {
	if len(ms) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, m := range ms {
		s += m.Moved
	}
	return s / float64(len(ms))
}

// TimedOut returns the fraction of row i's latencies (its first seed's
// run) that are timed-out requests, counted at the timeout: the mass the
// latency CDF gains in one step at the timeout.
func (b *Balancers) TimedOut(i int) float64 { return b.timedOut[i] }

// Plots returns the comparison's plots: the latency CDF (suffix ""), the
// servers' load ("-load") and, when some balancer moved keys, the keys
// moved ("-moved").
func (b *Balancers) Plots() []Plot {
	ps := []Plot{{"", b.PlotLatencyCDF}, {"-load", b.PlotServerLoad}}
	for _, ms := range b.moves {
		if len(ms) > 0 {
			return append(ps, Plot{"-moved", b.PlotKeysMoved})
		}
	}
	return ps
}

// PlotLatencyCDF draws the latency distribution under each balancer (its
// first seed's run, from its sketch, timed-out requests at the timeout:
// see TimedOut) as a cumulative distribution, latency on a log scale.
func (b *Balancers) PlotLatencyCDF(w io.Writer, format string) error {
	samples := make([]Sample, len(b.Table.Rows))
	for i, r := range b.Table.Rows {
		samples[i] = Sample{Name: r.Case, Sorted: b.latencies[i]}
	}
	return WriteCDF(w, format, Axes{Title: "Latency CDF: " + b.Table.Name, X: "latency (ms, log scale)",
		Y: "fraction of requests", LogX: true}, samples)
}

// PlotServerLoad draws each server's utilisation under each balancer,
// averaged over the seeds, as grouped bars.
func (b *Balancers) PlotServerLoad(w io.Writer, format string) error {
	var bars []Bars
	for _, r := range b.Table.Rows {
		vals := make([]float64, len(b.servers))
		for j, name := range b.servers {
			if c, ok := b.Table.Cell(r.Case, name+" utilisation"); ok {
				vals[j] = c.Mean.Mean
			}
		}
		bars = append(bars, Bars{Name: r.Case, Values: vals})
	}
	return WriteBars(w, format, Axes{Title: "Server utilisation: " + b.Table.Name, X: "server",
		Y: "utilisation (mean over seeds)"}, b.servers, bars)
}

// PlotKeysMoved draws, for each balancer that hashes keys, the fraction of
// keys each membership change moved (first seed, as balancer node c1 saw
// it), beside the least any consistent hashing must move.
func (b *Balancers) PlotKeysMoved(w io.Writer, format string) error {
	var labels []string
	var bars []Bars
	ideal := Bars{Name: "ideal (the change's share of weight)"}
	for i, r := range b.Table.Rows {
		var vals, id []float64
		var ls []string
		for _, m := range b.moves[i] {
			if m.Balancer == "c1" {
				vals, id = append(vals, m.Moved), append(id, m.Ideal)
				ls = append(ls, fmt.Sprintf("%v %s", m.At.Round(time.Millisecond), m.Change))
			}
		}
		if len(vals) == 0 {
			continue
		}
		if len(ls) > len(labels) {
			labels, ideal.Values = ls, id
		}
		bars = append(bars, Bars{Name: r.Case, Values: vals})
	}
	if len(bars) == 0 {
		return fmt.Errorf("%w: no balancer recorded keys moved by a membership change", ErrNothingToPlot)
	}
	return WriteBars(w, format, Axes{Title: "Keys moved per membership change: " + b.Table.Name,
		X: "change (seen by c1)", Y: "fraction of keys moved"}, labels, append(bars, ideal))
}
