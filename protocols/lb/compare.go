package lb

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/sim"
	"github.com/dsimlab/dsim/stats"
)

// Level is the confidence level of every interval in a Table.
const Level = 0.95

// ErrNoSeeds means a comparison was asked for with no seeds.
var ErrNoSeeds = errors.New("no seeds to compare over")

// Table compares balancers run on the same workload with the same seeds
// (common random numbers: each seed gives every balancer the same arrival
// times, keys and request sizes, so differences between rows are the
// algorithms', not noise). Every figure is the mean over seeds with its 95%
// Student-t confidence interval; latencies are in milliseconds. Latency
// describes answered requests only, so read it beside Failed: a balancer
// that loses the slow requests can show a flattering tail. A run that
// answered nothing is left out of the latency intervals (N says how many
// runs remain; with none the interval prints as n/a).
type Table struct {
	// Name says what was compared: the scenario's name, or "" for a Config.
	Name  string   `json:"name"`
	Seeds []uint64 `json:"seeds"`
	Level float64  `json:"level"`
	Rows  []Row    `json:"rows"`
}

// Row is one balancer's figures across the seeds.
type Row struct {
	// Balancer is the spec the row ran, e.g. "power-of-d:3".
	Balancer string `json:"balancer"`
	// Latency mean and percentiles of each seed's run, in ms.
	Mean stats.Interval `json:"latency_mean_ms"`
	P50  stats.Interval `json:"latency_p50_ms"`
	P90  stats.Interval `json:"latency_p90_ms"`
	P99  stats.Interval `json:"latency_p99_ms"`
	P999 stats.Interval `json:"latency_p99_9_ms"`
	// LoadMaxOverMean and LoadCV spread utilisation over the servers.
	LoadMaxOverMean stats.Interval `json:"load_max_over_mean"`
	LoadCV          stats.Interval `json:"load_cv"`
	// Failed is the fraction of requests that failed.
	Failed stats.Interval `json:"failed_fraction"`
	// HitRatio is the fraction of cache lookups that hit.
	HitRatio stats.Interval `json:"hit_ratio"`
	// KeysMoved is the mean fraction of keys moved per membership change
	// (consistent hashing only; N 0 otherwise).
	KeysMoved stats.Interval `json:"keys_moved"`
	// Servers gives each server's utilisation and mean queue length.
	Servers []ServerRow `json:"servers"`
	// MeanVsFirst and P99VsFirst are the paired differences of the latency
	// mean and p99 from the first row's, seed by seed, in ms: an interval
	// above 0 means this balancer is slower than the first with 95%
	// confidence.
	MeanVsFirst stats.Interval `json:"mean_vs_first_ms"`
	P99VsFirst  stats.Interval `json:"p99_vs_first_ms"`
	// Runs holds each seed's Result, in Seeds order. Only the first keeps
	// its latency samples (for plots); the others drop them to save memory.
	Runs []*Result `json:"-"`
}

// CompareOrder lists every balancer name in the order a comparison shows
// them by default: random, the baseline, first, then by how much each knows.
func CompareOrder() []string {
	return []string{NameRandom, NameRoundRobin, NameWeightedRoundRobin, NameLeastConnections,
		NamePowerOfD, NameJSQ, NamePeakEWMA, NameConsistentHash}
}

// ServerRow is one server's figures across the seeds.
type ServerRow struct {
	Name        string         `json:"name"`
	Utilisation stats.Interval `json:"utilisation"`
	MeanQueue   stats.Interval `json:"mean_queue"`
}

// Compare runs cfg under each balancer spec (see ParseSpec; empty means
// CompareOrder) and each seed, and tabulates the results. Runs are
// sequential; each is deterministic.
func Compare(cfg Config, specs []string, seeds []uint64) (*Table, error) {
	return compare("", specs, seeds, func(spec string, seed uint64) (*Result, error) {
		c := cfg
		c.Balancer = spec
		return Run(c, seed)
	})
}

// CompareScenario runs a loaded lb scenario, faults and nemesis included,
// under each balancer spec (empty means CompareOrder) and each seed,
// overriding the scenario's balancer parameters, and tabulates the results.
func CompareScenario(s *scenarios.Scenario, specs []string, seeds []uint64) (*Table, error) {
	if s.Protocol == nil || s.Protocol.Name != "lb" {
		return nil, fmt.Errorf("%w: compare: scenario %s is not an lb scenario", ErrInvalidConfig, s.Name)
	}
	return compare(s.Name, specs, seeds, func(spec string, seed uint64) (*Result, error) {
		sc, err := withBalancer(s, spec)
		if err != nil {
			return nil, err
		}
		w, inst, _, err := scenarios.Build(sc, seed, false)
		if err != nil {
			return nil, err
		}
		w.RunUntil(sim.Time(sc.Duration))
		in, ok := inst.(*Instance)
		if !ok {
			return nil, fmt.Errorf("%w: compare: scenario %s did not build an lb instance", ErrInvalidConfig, s.Name)
		}
		return in.Result(), nil
	})
}

// withBalancer returns a copy of s whose parameters select spec.
func withBalancer(s *scenarios.Scenario, spec string) (*scenarios.Scenario, error) {
	name, opts, err := ParseSpec(spec, Options{})
	if err != nil {
		return nil, err
	}
	sc := s.WithParam("balancer", name)
	if opts.D != 0 {
		sc = sc.WithParam("d", opts.D)
	}
	if opts.Hash != "" {
		sc = sc.WithParam("hash", opts.Hash)
	}
	if opts.Decay != 0 {
		sc = sc.WithParam("decay", opts.Decay)
	}
	return sc, nil
}

func compare(name string, specs []string, seeds []uint64, run func(spec string, seed uint64) (*Result, error)) (*Table, error) {
	if len(seeds) == 0 {
		return nil, ErrNoSeeds
	}
	if len(specs) == 0 {
		specs = CompareOrder()
	}
	for _, spec := range specs {
		if _, _, err := ParseSpec(spec, Options{}); err != nil {
			return nil, fmt.Errorf("compare: %w", err)
		}
	}
	t := &Table{Name: name, Seeds: seeds, Level: Level}
	for _, spec := range specs {
		row := Row{Balancer: spec}
		for k, seed := range seeds {
			r, err := run(spec, seed)
			if err != nil {
				return nil, fmt.Errorf("compare %s seed %d: %w", spec, seed, err)
			}
			r.Balancer = spec
			if k > 0 {
				r.Latencies = nil
			}
			row.Runs = append(row.Runs, r)
		}
		t.Rows = append(t.Rows, row)
	}
	first := t.Rows[0].Runs
	answered := func(r *Result) bool { return r.Latency.N > 0 }
	all := func(*Result) bool { return true }
	for i := range t.Rows {
		row := &t.Rows[i]
		ci := func(f func(*Result) float64, keep func(*Result) bool) stats.Interval {
			var xs []float64
			for _, r := range row.Runs {
				if keep(r) {
					xs = append(xs, f(r))
				}
			}
			return stats.MeanCI(xs, Level)
		}
		row.Mean = ci(func(r *Result) float64 { return r.Latency.Mean }, answered)
		row.P50 = ci(func(r *Result) float64 { return r.Latency.P50 }, answered)
		row.P90 = ci(func(r *Result) float64 { return r.Latency.P90 }, answered)
		row.P99 = ci(func(r *Result) float64 { return r.Latency.P99 }, answered)
		row.P999 = ci(func(r *Result) float64 { return r.Latency.P999 }, answered)
		row.LoadMaxOverMean = ci(func(r *Result) float64 { return r.LoadMaxOverMean }, all)
		row.LoadCV = ci(func(r *Result) float64 { return r.LoadCV }, all)
		row.Failed = ci(func(r *Result) float64 { return r.FailedFraction }, all)
		row.HitRatio = ci(func(r *Result) float64 { return r.HitRatio }, all)
		row.KeysMoved = ci(func(r *Result) float64 { return meanMoved(r.Moves) }, func(r *Result) bool { return len(r.Moves) > 0 })
		for j, sr := range row.Runs[0].Servers {
			row.Servers = append(row.Servers, ServerRow{Name: sr.Name,
				Utilisation: ci(func(r *Result) float64 { return r.Servers[j].Utilisation }, all),
				MeanQueue:   ci(func(r *Result) float64 { return r.Servers[j].MeanQueue }, all)})
		}
		row.MeanVsFirst = paired(row.Runs, first, func(r *Result) float64 { return r.Latency.Mean })
		row.P99VsFirst = paired(row.Runs, first, func(r *Result) float64 { return r.Latency.P99 })
	}
	return t, nil
}

// paired returns the interval of f(a[i]) − f(b[i]) over the seeds where
// both runs answered requests.
func paired(a, b []*Result, f func(*Result) float64) stats.Interval {
	var xs, ys []float64
	for i := range a {
		if a[i].Latency.N > 0 && b[i].Latency.N > 0 {
			xs, ys = append(xs, f(a[i])), append(ys, f(b[i]))
		}
	}
	return stats.PairedCI(xs, ys, Level)
}

func meanMoved(ms []Move) float64 {
	s := 0.0
	for _, m := range ms {
		s += m.Moved
	}
	return s / float64(len(ms))
}

// WriteText writes the table as aligned text: one line per balancer, each
// figure as "mean ± half-width" over the seeds.
func (t *Table) WriteText(w io.Writer) error {
	title := t.Name
	if title == "" {
		title = "comparison"
	}
	fmt.Fprintf(w, "%s: %d seeds (%s), %.0f%% confidence intervals, latency in ms\n",
		title, len(t.Seeds), seedRange(t.Seeds), 100*t.Level)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	hasHits, hasMoves, hasFailed := false, false, false
	for _, r := range t.Rows {
		hasHits = hasHits || r.HitRatio.Mean > 0
		hasMoves = hasMoves || r.KeysMoved.N > 0
		hasFailed = hasFailed || r.Failed.Mean > 0
	}
	head := []string{"balancer", "mean", "p50", "p99", "p99.9", "load max/mean", "load cv"}
	if hasFailed {
		head = append(head, "failed %")
	}
	if hasHits {
		head = append(head, "hit ratio")
	}
	if hasMoves {
		head = append(head, "keys moved")
	}
	head = append(head, "Δmean vs "+t.Rows[0].Balancer, "Δp99")
	fmt.Fprintln(tw, strings.Join(head, "\t")+"\t")
	for _, r := range t.Rows {
		cells := []string{r.Balancer, r.Mean.String(), r.P50.String(), r.P99.String(), r.P999.String(),
			r.LoadMaxOverMean.String(), r.LoadCV.String()}
		if hasFailed {
			f := r.Failed
			f.Mean, f.HalfWidth = 100*f.Mean, 100*f.HalfWidth
			cells = append(cells, f.String())
		}
		if hasHits {
			cells = append(cells, r.HitRatio.String())
		}
		if hasMoves {
			cells = append(cells, r.KeysMoved.String())
		}
		cells = append(cells, r.MeanVsFirst.String(), r.P99VsFirst.String())
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	return tw.Flush()
}

func seedRange(seeds []uint64) string {
	contiguous := true
	for i := 1; i < len(seeds); i++ {
		contiguous = contiguous && seeds[i] == seeds[i-1]+1
	}
	if contiguous && len(seeds) > 1 {
		return fmt.Sprintf("%d-%d", seeds[0], seeds[len(seeds)-1])
	}
	parts := make([]string, len(seeds))
	for i, s := range seeds {
		parts[i] = fmt.Sprint(s)
	}
	return strings.Join(parts, ",")
}
