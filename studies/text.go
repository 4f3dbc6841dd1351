package studies

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/dsimlab/dsim/stats"
)

// WideText is the most columns WriteText lays out with one line per case;
// a wider table is written with one line per metric instead.
const WideText = 12

// WriteText writes the table as aligned text under a line naming the
// seeds and the confidence level. Each cell is "mean ± half-width" (a lone
// run shows its value, a metric no run measured n/a); a paired column
// adds one for the difference ("Δmean vs random") or the ratio as a
// percentage ("job time vs normal (%)") from the first row (the first row
// itself shows "-"). Detail columns
// are left out, and so are columns nothing measured or OmitZero columns
// that are zero throughout. Up to WideText columns, each case is a line;
// beyond, each metric is (with the cases as columns).
func (t *Table) WriteText(w io.Writer) error {
	if _, err := fmt.Fprintf(w, "%s: %d seeds (%s), %.0f%% Student-t confidence intervals\n",
		t.Name, len(t.Seeds), seedRange(t.Seeds), 100*t.Level); err != nil {
		return fmt.Errorf("write %s: %w", t.Name, err)
	}
	grid := t.textGrid()
	if len(grid[0]) > WideText+1 {
		grid = transpose(grid)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, line := range grid {
		fmt.Fprintln(tw, strings.Join(line, "\t"))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", t.Name, err)
	}
	return nil
}

// textGrid returns the text table, a heading line and one line per case.
func (t *Table) textGrid() [][]string {
	head := []string{t.Axis}
	lines := make([][]string, len(t.Rows))
	for i, r := range t.Rows {
		lines[i] = []string{r.Case}
	}
	for j, c := range t.Columns {
		if !t.shown(j) {
			continue
		}
		head = append(head, heading(c, ""))
		for i, r := range t.Rows {
			lines[i] = append(lines[i], interval(r.Cells[j].Mean))
		}
		if c.Paired == Unpaired {
			continue
		}
		head = append(head, heading(c, t.Rows[0].Case))
		lines[0] = append(lines[0], "-") // the first row against itself
		for i, r := range t.Rows[1:] {
			lines[i+1] = append(lines[i+1], vsFirst(r.Cells[j].VsFirst, c.Paired))
		}
	}
	return append([][]string{head}, lines...)
}

// shown reports whether column j belongs in the text.
func (t *Table) shown(j int) bool {
	c := t.Columns[j]
	if c.Detail {
		return false
	}
	any, nonzero := false, false
	for _, r := range t.Rows {
		m := r.Cells[j].Mean
		any = any || m.N > 0
		nonzero = nonzero || (m.N > 0 && m.Mean != 0)
	}
	return any && (nonzero || !c.OmitZero)
}

// heading names a column, or with first set, its paired column.
func heading(c Column, first string) string {
	unit := ""
	if c.Unit != "" {
		unit = " (" + c.Unit + ")"
	}
	switch {
	case first == "":
		return c.label() + unit
	case c.Paired == Ratio:
		return c.label() + " vs " + first + " (%)"
	}
	return "Δ" + c.label() + " vs " + first + unit
}

// interval formats a cell: "mean ± half-width", a lone value, or n/a
// when nothing was measured. The half-width gets two significant digits
// and the mean as many decimals as the half-width, so the digits shown are
// the ones the interval vouches for.
func interval(iv stats.Interval) string {
	switch iv.N {
	case 0:
		return "n/a"
	case 1:
		return num(iv.Mean, 3)
	}
	m, h := meanAndHalfWidth(iv.Mean, iv.HalfWidth)
	return m + " ± " + h
}

// meanAndHalfWidth formats an interval's mean to the decimals of its
// half-width's second significant digit (three significant digits when
// the half-width is zero or not finite).
func meanAndHalfWidth(mean, hw float64) (string, string) {
	if !(hw > 0) || math.IsInf(hw, 0) {
		return num(mean, 3), num(hw, 2)
	}
	d := decimals(hw, 2)
	if d > maxDecimals {
		return num(mean, 3), num(hw, 2)
	}
	return strconv.FormatFloat(mean, 'f', d, 64), strconv.FormatFloat(hw, 'f', d, 64)
}

// vsFirst formats a paired cell: a signed difference, or a ratio as a
// signed percentage, with digits as interval gives them.
func vsFirst(iv stats.Interval, p Pairing) string {
	if iv.N == 0 {
		return "n/a"
	}
	unit := ""
	if p == Ratio {
		iv.Mean, iv.HalfWidth, unit = 100*iv.Mean, 100*iv.HalfWidth, "%"
	}
	m, h := num(iv.Mean, 3), ""
	if iv.N > 1 {
		m, h = meanAndHalfWidth(iv.Mean, iv.HalfWidth)
	}
	s := m + unit
	if iv.Mean >= 0 {
		s = "+" + s
	}
	if iv.N > 1 {
		s += " ± " + h + unit
	}
	return s
}

func transpose(grid [][]string) [][]string {
	out := make([][]string, len(grid[0]))
	for j := range out {
		out[j] = make([]string, len(grid))
		for i := range grid {
			out[j][i] = grid[i][j]
		}
	}
	return out
}

// maxDecimals is the most decimals a number is written with; a value that
// would need more (below about 1e-9) is not an everyday value and gets
// Go's shortest form.
const maxDecimals = 9

// num formats x with at most digits significant digits in plain decimal
// notation, trailing zeros dropped, never in exponent form for everyday
// values: 0.000123, 4.56, 1234567, 2.
func num(x float64, digits int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "n/a"
	}
	if x == 0 {
		return "0"
	}
	d := decimals(x, digits)
	if d > maxDecimals {
		return strconv.FormatFloat(x, 'g', digits, 64)
	}
	out := strconv.FormatFloat(x, 'f', d, 64)
	if strings.Contains(out, ".") {
		out = strings.TrimRight(strings.TrimRight(out, "0"), ".")
	}
	return out
}

// decimals returns how many decimals show digits significant digits of x
// (x not zero), at least 0.
func decimals(x float64, digits int) int {
	// Round first, so that 9.96 with two digits counts as 10.
	mag := int(math.Floor(math.Log10(math.Abs(x))))
	if r, _ := strconv.ParseFloat(strconv.FormatFloat(math.Abs(x), 'e', digits-1, 64), 64); r >= math.Pow(10, float64(mag+1)) {
		mag++
	}
	return max(0, digits-1-mag)
}

// seedRange writes seeds as "1-10" when they are consecutive, else as a
// list.
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
		parts[i] = strconv.FormatUint(s, 10)
	}
	return strings.Join(parts, ",")
}
