package studies

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/runner"
	"github.com/dsimlab/dsim/scenarios"
)

// Errors a study reports before it runs anything.
var (
	// ErrNoSeeds means a study was given no seeds.
	ErrNoSeeds = errors.New("no seeds to run")
	// ErrBadStudy means a study is set up wrongly: no base scenario, two
	// cases or seeds alike, an unusable option.
	ErrBadStudy = errors.New("bad study")
)

// Level is the confidence level of every interval a study reports unless
// it asks for another.
const Level = 0.95

// Case is one row of a study: a name and the changes that turn the base
// scenario into the case's scenario, applied in order (none: the base as it
// is).
type Case struct {
	Name    string
	Changes []Change
}

// apply returns the case's scenario.
func (c Case) apply(base *scenarios.Scenario) *scenarios.Scenario {
	s := base
	for _, ch := range c.Changes {
		s = ch(s)
	}
	return s
}

// Measure turns one finished run of case number c into numbers, each a
// protocols.Stat (name, value, unit). Study.Run calls it one run at a time,
// so it may write to variables it shares with its caller, but in the order
// runs finish: anything it keeps must be keyed by case and seed for the
// study to stay deterministic.
type Measure func(c int, o *scenarios.Outcome) ([]protocols.Stat, error)

// Study runs every case of a base scenario with every seed, measures each
// run and tabulates the measurements. All cases run the same seeds (common
// random numbers: the arrivals, keys and faults a seed draws are the same
// in every case whose changes leave them alone), so differences between
// rows are the cases', and paired differences between rows are tight.
type Study struct {
	// Name titles the table; default the base scenario's name.
	Name string
	// Axis says what the cases vary, e.g. "balancer"; it heads the
	// table's first column. Default "case".
	Axis string
	// Base is the scenario every case starts from.
	Base *scenarios.Scenario
	// Cases are the table's rows, in order; the first is the baseline of
	// paired columns. None: the base alone, named after it.
	Cases []Case
	// Seeds are the seeds every case runs with.
	Seeds []uint64
	// Measure measures a run; nil means Reported.
	Measure Measure
	// Columns picks, orders and labels the table's columns. Measured
	// metrics not listed follow them as detail columns (in JSON, not in
	// the text table); with no Columns every metric is a column, in the
	// order metrics were first measured (by case, seed, then position).
	Columns []Column
	// Jobs is how many runs go side by side; 0 means one per CPU. The
	// table does not depend on it.
	Jobs int
	// Level is the confidence level of the intervals; 0 means Level.
	Level float64
	// Options is passed to every scenarios.Run.
	Options scenarios.RunOptions
}

// Run runs the study and returns its table. Cases run one after another,
// each with its seeds in parallel through runner.Run. It stops at the first
// run that cannot be set up or measured, and when ctx is done.
func (st *Study) Run(ctx context.Context) (*Table, error) {
	if err := st.validate(); err != nil {
		return nil, err
	}
	cases := st.cases()
	runs := make([][][]protocols.Stat, len(cases))
	for c := range cases {
		r, err := st.runCase(ctx, c, cases[c])
		if err != nil {
			return nil, fmt.Errorf("study %s: case %s: %w", st.name(), cases[c].Name, err)
		}
		runs[c] = r
	}
	return st.tabulate(cases, runs), nil
}

// runCase runs one case with every seed and returns each run's
// measurements, in seed order.
func (st *Study) runCase(ctx context.Context, c int, cs Case) ([][]protocols.Stat, error) {
	measure := st.Measure
	if measure == nil {
		measure = Reported
	}
	index := make(map[uint64]int, len(st.Seeds))
	for i, s := range st.Seeds {
		index[s] = i
	}
	out := make([][]protocols.Stat, len(st.Seeds))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	opts := runner.Options{Jobs: st.Jobs, Run: st.Options}
	err := runner.Run(ctx, cs.apply(st.Base), slices.Values(st.Seeds), opts, func(r runner.Result) {
		vals, err := measure(c, r.Outcome)
		if err != nil {
			cancel(fmt.Errorf("seed %d: measure: %w", r.Seed, err))
			return
		}
		out[index[r.Seed]] = vals
	})
	return out, err
}

func (st *Study) validate() error {
	switch {
	case st.Base == nil:
		return fmt.Errorf("%w: no base scenario", ErrBadStudy)
	case len(st.Seeds) == 0:
		return fmt.Errorf("study %s: %w", st.name(), ErrNoSeeds)
	case st.Level != 0 && !(st.Level > 0 && st.Level < 1):
		return fmt.Errorf("%w: confidence level %v is not in (0, 1)", ErrBadStudy, st.Level)
	}
	seen := map[uint64]bool{}
	for _, s := range st.Seeds {
		if seen[s] {
			return fmt.Errorf("%w: seed %d given twice", ErrBadStudy, s)
		}
		seen[s] = true
	}
	names := map[string]bool{}
	for _, c := range st.Cases {
		if names[c.Name] {
			return fmt.Errorf("%w: two cases named %q", ErrBadStudy, c.Name)
		}
		names[c.Name] = true
	}
	return nil
}

func (st *Study) cases() []Case {
	if len(st.Cases) == 0 {
		return []Case{{Name: st.Base.Name}}
	}
	return st.Cases
}

func (st *Study) name() string {
	if st.Name != "" || st.Base == nil {
		return st.Name
	}
	return st.Base.Name
}

// SeedRange returns the seeds first to last, inclusive.
func SeedRange(first, last uint64) []uint64 {
	return slices.Collect(runner.Seeds{First: first, Last: last}.All())
}

// Reported is the Measure a study uses by default: what the run reports
// of itself. That is the protocol's Stats; "passed", 1 if every check
// passed and 0 otherwise; and for each check, "NAME holds", 1 if it held
// and 0 if it was violated or inconclusive. Their means over the seeds
// are pass rates.
func Reported(_ int, o *scenarios.Outcome) ([]protocols.Stat, error) {
	out := slices.Clone(o.Stats)
	out = append(out, protocols.Stat{Name: "passed", Value: bit(o.Passed)})
	for _, c := range o.Checks {
		out = append(out, protocols.Stat{Name: c.Check + " holds", Value: bit(c.Verdict.Passed())})
	}
	return out, nil
}

func bit(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
