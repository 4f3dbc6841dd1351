package studies

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/stats"
)

// synthetic tabulates made-up measurements: two cases over three seeds,
// where "b" is 10 more than "a" seed by seed but varies a lot between
// seeds, "rare" is measured only by some runs, and "zero" never moves.
func synthetic(columns []Column) *Table {
	st := &Study{Name: "synthetic", Axis: "algorithm", Seeds: []uint64{1, 2, 3}, Columns: columns}
	run := func(lat, rare float64) []protocols.Stat {
		out := []protocols.Stat{{Name: "latency", Value: lat, Unit: "ms"}, {Name: "zero", Value: 0}}
		if !math.IsNaN(rare) {
			out = append(out, protocols.Stat{Name: "rare", Value: rare})
		}
		return out
	}
	nan := math.NaN()
	runs := [][][]protocols.Stat{
		{run(10, 1), run(50, nan), run(90, 3)},
		{run(20, nan), run(60, 4), run(100, 6)},
	}
	return st.tabulate([]Case{{Name: "a"}, {Name: "b"}}, runs)
}

func TestTableIntervalsAndPairing(t *testing.T) {
	tab := synthetic([]Column{{Metric: "latency", Paired: Difference}, {Metric: "rare", Paired: Ratio}})
	assert.Equal(t, []string{"latency", "rare", "zero"}, metrics(tab), "listed columns, then the others in order measured")
	assert.True(t, tab.Columns[2].Detail, "an unlisted metric is a detail")
	assert.Equal(t, "ms", tab.Columns[0].Unit, "the unit measured with it")
	assert.Equal(t, Level, tab.Level)

	a, _ := tab.Cell("a", "latency")
	b, _ := tab.Cell("b", "latency")
	assert.Equal(t, []float64{20, 60, 100}, b.Values)
	assert.Equal(t, stats.MeanCI([]float64{10, 50, 90}, Level), a.Mean)
	assert.Equal(t, 0.0, a.VsFirst.Mean, "the first row against itself")
	assert.Equal(t, 0.0, a.VsFirst.HalfWidth)
	assert.Equal(t, 10.0, b.VsFirst.Mean, "b is 10 more, seed by seed")
	assert.Equal(t, 0.0, b.VsFirst.HalfWidth, "exactly: the seeds' spread cancels")
	assert.Greater(t, b.Mean.HalfWidth, 50.0, "while each row's own interval is wide")

	ra, _ := tab.Cell("a", "rare")
	rb, _ := tab.Cell("b", "rare")
	assert.True(t, math.IsNaN(ra.Values[1]), "not measured")
	assert.Equal(t, 2, ra.Mean.N, "the mean is over the runs that measured it")
	assert.Equal(t, 1, rb.VsFirst.N, "pairs need both runs: only seed 3")
	assert.InDelta(t, 1.0, rb.VsFirst.Mean, 1e-12, "6/3 − 1")

	_, ok := tab.Cell("c", "latency")
	assert.False(t, ok)
	_, ok = tab.Cell("a", "nope")
	assert.False(t, ok)
}

func TestTableWithoutColumnsShowsEverything(t *testing.T) {
	tab := synthetic(nil)
	assert.Equal(t, []string{"latency", "zero", "rare"}, metrics(tab))
	for _, c := range tab.Columns {
		assert.False(t, c.Detail)
		assert.Equal(t, Unpaired, c.Paired)
	}
}

func TestJoin(t *testing.T) {
	first := synthetic([]Column{{Metric: "latency", Paired: Difference}})
	second := synthetic([]Column{{Metric: "latency", Paired: Difference}})
	second.Rows = second.Rows[1:]
	second.Rows[0].Case = "c"
	second.Columns = append(second.Columns, Column{Metric: "extra"})
	for i := range second.Rows[0].Cells {
		second.Rows[0].Cells[i].Values[0] += 5
	}
	second.Rows[0].Cells = append(second.Rows[0].Cells, Cell{Values: []float64{1, 2, 3}})
	j, err := first.Join(second)
	require.NoError(t, err)
	require.Len(t, j.Rows, 3)
	assert.Equal(t, []string{"latency", "zero", "rare", "extra"}, metrics(j))
	c, _ := j.Cell("c", "latency")
	assert.InDelta(t, (15.0+10+10)/3, c.VsFirst.Mean, 1e-12, "paired with the first table's first row")
	a, _ := j.Cell("a", "extra")
	assert.Zero(t, a.Mean.N, "a metric one table lacks is not measured there")

	other := synthetic(nil)
	other.Seeds = []uint64{4, 5, 6}
	_, err = first.Join(other)
	assert.ErrorIs(t, err, ErrBadStudy)
}

func TestWriteText(t *testing.T) {
	tab := synthetic([]Column{{Metric: "latency", Paired: Difference}, {Metric: "rare", Paired: Ratio},
		{Metric: "zero", OmitZero: true}, {Metric: "absent"}})
	var b bytes.Buffer
	require.NoError(t, tab.WriteText(&b))
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	require.Len(t, lines, 4, b.String())
	assert.Equal(t, "synthetic: 3 seeds (1-3), 95% Student-t confidence intervals", lines[0])
	assert.Equal(t, []string{"algorithm", "latency", "(ms)", "Δlatency", "vs", "a", "(ms)", "rare", "rare", "vs", "a", "(%)"},
		strings.Fields(lines[1]), "zero is omitted (all zero), absent too (nothing measured)")
	assert.Equal(t, []string{"a", "50", "±", "99", "-", "2", "±", "13", "-"}, strings.Fields(lines[2]))
	assert.Equal(t, []string{"b", "60", "±", "99", "+10", "±", "0", "5", "±", "13", "+100%"}, strings.Fields(lines[3]),
		"a lone pair shows its value")
	var again bytes.Buffer
	require.NoError(t, synthetic(tab.Columns[:4]).WriteText(&again))
	assert.Equal(t, b.String(), again.String(), "deterministic")
}

func TestWriteTextTransposesAWideTable(t *testing.T) {
	st := &Study{Name: "wide", Seeds: []uint64{1, 2}}
	var run []protocols.Stat
	for i := range WideText + 1 {
		run = append(run, protocols.Stat{Name: fmt.Sprintf("m%02d", i), Value: float64(i)})
	}
	tab := st.tabulate([]Case{{Name: "x"}, {Name: "y"}}, [][][]protocols.Stat{{run, run}, {run, run}})
	var b bytes.Buffer
	require.NoError(t, tab.WriteText(&b))
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	require.Len(t, lines, 2+WideText+1, "a line per metric")
	assert.Equal(t, []string{"case", "x", "y"}, strings.Fields(lines[1]))
	assert.Equal(t, []string{"m03", "3", "±", "0", "3", "±", "0"}, strings.Fields(lines[5]))
}

func TestTableJSON(t *testing.T) {
	tab := synthetic([]Column{{Metric: "latency", Paired: Difference}})
	tab.Seeds = tab.Seeds[:1] // a lone seed: infinite half-widths
	for i := range tab.Rows {
		for j := range tab.Rows[i].Cells {
			tab.Rows[i].Cells[j].Values = tab.Rows[i].Cells[j].Values[:1]
		}
	}
	tab.Rows[0].Cells[0].Mean = stats.MeanCI([]float64{10}, Level)
	data, err := json.Marshal(tab)
	require.NoError(t, err, "JSON must survive infinities and NaN")
	var back struct {
		Schema  int `json:"schema"`
		Columns []struct {
			Metric, Paired string
		} `json:"columns"`
		Rows []struct {
			Case  string `json:"case"`
			Cells []struct {
				Values  []*float64     `json:"values"`
				Mean    map[string]any `json:"mean"`
				VsFirst map[string]any `json:"vs_first"`
			} `json:"cells"`
		} `json:"rows"`
	}
	require.NoError(t, json.Unmarshal(data, &back))
	assert.Equal(t, SchemaVersion, back.Schema)
	assert.Equal(t, "difference", back.Columns[0].Paired)
	assert.Equal(t, "b", back.Rows[1].Case)
	cells := back.Rows[0].Cells
	assert.Equal(t, 10.0, *cells[0].Values[0])
	assert.Nil(t, cells[0].Mean["half_width"], "one run: no finite interval")
	assert.NotNil(t, cells[0].VsFirst, "a paired column has vs_first")
	assert.Nil(t, cells[1].VsFirst, "an unpaired one has not")
	assert.Nil(t, back.Rows[1].Cells[2].Values[0], "rare: not measured is null")
}

func TestNum(t *testing.T) {
	for _, tt := range []struct {
		x      float64
		digits int
		want   string
	}{
		{5.2, 3, "5.2"}, {3.14159, 3, "3.14"}, {459.4, 3, "459"}, {120, 2, "120"}, {3378.2, 3, "3378"},
		{0.00012, 2, "0.00012"}, {-2.049, 3, "-2.05"}, {math.Inf(1), 2, "n/a"}, {0, 2, "0"},
		{1.23e-5, 3, "0.0000123"}, {1e-12, 2, "1e-12"}, {9.996, 3, "10"}, {2.0, 3, "2"},
	} {
		assert.Equal(t, tt.want, num(tt.x, tt.digits), "%v", tt.x)
	}
	// The mean gets the decimals of the half-width's second digit.
	for _, tt := range []struct {
		mean, hw float64
		m, h     string
	}{
		{206.0412, 0.084, "206.041", "0.084"}, {4.55231, 0.0013, "4.5523", "0.0013"}, {50, 99, "50", "99"},
		{9.96, 0.996, "10.0", "1.0"}, {1234.5, 130, "1234", "130"}, {3, 0, "3", "0"}, {0.5, 1e-14, "0.5", "1e-14"},
	} {
		m, h := meanAndHalfWidth(tt.mean, tt.hw)
		assert.Equal(t, []string{tt.m, tt.h}, []string{m, h}, "%v ± %v", tt.mean, tt.hw)
	}
	assert.Equal(t, "1-3", seedRange([]uint64{1, 2, 3}))
	assert.Equal(t, "1,3", seedRange([]uint64{1, 3}))
	assert.Equal(t, "7", seedRange([]uint64{7}))
}

func metrics(t *Table) []string {
	var out []string
	for _, c := range t.Columns {
		out = append(out, c.Metric)
	}
	return out
}
