package studies

import (
	"fmt"
	"math"
	"slices"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/stats"
)

// Pairing says whether and how a column compares each row with the first,
// seed by seed.
type Pairing string

// The pairings of a column.
const (
	Unpaired   Pairing = ""
	Difference Pairing = "difference" // value − the first row's value
	Ratio      Pairing = "ratio"      // value / the first row's value − 1
)

// Column is one metric of a table.
type Column struct {
	// Metric is the name the measure gives the value.
	Metric string `json:"metric"`
	// Unit is the values' unit; empty takes the unit measured with them.
	Unit string `json:"unit,omitempty"`
	// Label heads the column in text; default Metric.
	Label string `json:"label,omitempty"`
	// Paired adds each row's paired difference or ratio from the first
	// row.
	Paired Pairing `json:"paired,omitempty"`
	// OmitZero leaves the column out of the text when every row's mean is
	// zero (a failure rate where nothing failed).
	OmitZero bool `json:"-"`
	// Detail leaves the column out of the text: it is for JSON readers.
	Detail bool `json:"-"`
}

// label returns the column's heading.
func (c Column) label() string {
	if c.Label != "" {
		return c.Label
	}
	return c.Metric
}

// Table is a study's result: one row per case, one cell per column. Every
// cell holds the value each seed's run measured, the mean over the seeds
// with its Student-t confidence interval, and for a paired column the
// paired difference or ratio from the first row's cell.
type Table struct {
	Name    string   `json:"name"`
	Axis    string   `json:"axis"` // what the cases vary
	Seeds   []uint64 `json:"seeds"`
	Level   float64  `json:"level"`
	Columns []Column `json:"columns"`
	Rows    []Row    `json:"rows"`
}

// Row is one case's cells, in the order of the table's columns.
type Row struct {
	Case  string `json:"case"`
	Cells []Cell `json:"cells"`
}

// Cell is one metric of one case.
type Cell struct {
	// Values are the runs' values, in the order of the table's seeds; NaN
	// where a run did not measure the metric (JSON null).
	Values []float64
	// Mean is the confidence interval of the mean over the runs that
	// measured the metric (N says how many).
	Mean stats.Interval
	// VsFirst is, for a paired column, the interval of the mean paired
	// difference or ratio from the first row, over the seeds where both
	// runs measured the metric; zero otherwise.
	VsFirst stats.Interval
}

// Column returns the index of the metric's column, or -1.
func (t *Table) Column(metric string) int {
	return slices.IndexFunc(t.Columns, func(c Column) bool { return c.Metric == metric })
}

// Cell returns one case's cell of one metric.
func (t *Table) Cell(caseName, metric string) (Cell, bool) {
	j := t.Column(metric)
	i := slices.IndexFunc(t.Rows, func(r Row) bool { return r.Case == caseName })
	if i < 0 || j < 0 {
		return Cell{}, false
	}
	return t.Rows[i].Cells[j], true
}

// Join returns a table with t's rows followed by u's, over the union of
// their columns (t's first). Both must have the same seeds and level; the
// paired columns compare with t's first row. A study whose later cases
// depend on earlier results runs in parts and joins them.
func (t *Table) Join(u *Table) (*Table, error) {
	if !slices.Equal(t.Seeds, u.Seeds) || t.Level != u.Level {
		return nil, fmt.Errorf("%w: join %s and %s: different seeds or levels", ErrBadStudy, t.Name, u.Name)
	}
	cols := slices.Clone(t.Columns)
	for _, c := range u.Columns {
		if t.Column(c.Metric) < 0 {
			cols = append(cols, c)
		}
	}
	var raws []rawRow
	for _, tab := range []*Table{t, u} {
		for _, r := range tab.Rows {
			raw := rawRow{name: r.Case, values: map[string][]float64{}}
			for j, c := range tab.Columns {
				raw.values[c.Metric] = r.Cells[j].Values
			}
			raws = append(raws, raw)
		}
	}
	out := &Table{Name: t.Name, Axis: t.Axis, Seeds: t.Seeds, Level: t.Level, Columns: cols}
	out.fill(raws)
	return out, nil
}

// rawRow is one case's values by metric, before intervals.
type rawRow struct {
	name   string
	values map[string][]float64 // by metric, in seed order
}

// tabulate builds the table of a study's measurements, runs[case][seed].
func (st *Study) tabulate(cases []Case, runs [][][]protocols.Stat) *Table {
	t := &Table{Name: st.name(), Axis: st.Axis, Seeds: slices.Clone(st.Seeds), Level: st.Level}
	if t.Axis == "" {
		t.Axis = "case"
	}
	if t.Level == 0 {
		t.Level = Level
	}
	t.Columns = columns(st.Columns, runs)
	raws := make([]rawRow, len(cases))
	for c := range cases {
		raws[c] = rawRow{name: cases[c].Name, values: map[string][]float64{}}
		for _, col := range t.Columns {
			raws[c].values[col.Metric] = nanSlice(len(st.Seeds))
		}
		for s, run := range runs[c] {
			for _, v := range run {
				if vals := raws[c].values[v.Name]; math.IsNaN(vals[s]) {
					vals[s] = v.Value
				}
			}
		}
	}
	t.fill(raws)
	return t
}

// columns returns the listed columns, then every other metric measured,
// in the order first measured, with the unit first measured with it; the
// others are details when columns were listed.
func columns(listed []Column, runs [][][]protocols.Stat) []Column {
	cols := slices.Clone(listed)
	at := map[string]int{}
	for j, c := range cols {
		at[c.Metric] = j
	}
	for _, byseed := range runs {
		for _, run := range byseed {
			for _, v := range run {
				j, ok := at[v.Name]
				if !ok {
					j = len(cols)
					at[v.Name] = j
					cols = append(cols, Column{Metric: v.Name, Detail: len(listed) > 0})
				}
				if cols[j].Unit == "" {
					cols[j].Unit = v.Unit
				}
			}
		}
	}
	return cols
}

// fill computes the rows' cells from their values.
func (t *Table) fill(raws []rawRow) {
	t.Rows = make([]Row, len(raws))
	for i, raw := range raws {
		t.Rows[i] = Row{Case: raw.name, Cells: make([]Cell, len(t.Columns))}
		for j, col := range t.Columns {
			vals, ok := raw.values[col.Metric]
			if !ok {
				vals = nanSlice(len(t.Seeds))
			}
			cell := Cell{Values: vals, Mean: stats.MeanCI(measured(vals), t.Level)}
			if col.Paired != Unpaired {
				cell.VsFirst = paired(col.Paired, vals, raws[0].values[col.Metric], t.Level)
			}
			t.Rows[i].Cells[j] = cell
		}
	}
}

// paired returns the interval of the mean difference or ratio of a from
// b over the seeds where both were measured (and b is not 0, for a ratio).
func paired(p Pairing, a, b []float64, level float64) stats.Interval {
	var d []float64
	for i := range a {
		if i >= len(b) || math.IsNaN(a[i]) || math.IsNaN(b[i]) {
			continue
		}
		switch {
		case p == Difference:
			d = append(d, a[i]-b[i])
		case b[i] != 0:
			d = append(d, a[i]/b[i]-1)
		}
	}
	return stats.MeanCI(d, level)
}

// measured returns the values that are not NaN.
func measured(vals []float64) []float64 {
	out := make([]float64, 0, len(vals))
	for _, v := range vals {
		if !math.IsNaN(v) {
			out = append(out, v)
		}
	}
	return out
}

func nanSlice(n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = math.NaN()
	}
	return out
}
