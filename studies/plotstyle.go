package studies

import (
	"image/color"
	"math"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// style is how one series is drawn: a colour and a dash pattern.
type style struct {
	color  color.Color
	dashes []vg.Length
}

// palette is Okabe and Ito's colour-blind-safe palette (yellow left out:
// it does not show on white) with three more distinct colours.
var palette = []color.Color{
	color.RGBA{0, 114, 178, 255},   // blue
	color.RGBA{213, 94, 0, 255},    // vermillion
	color.RGBA{0, 158, 115, 255},   // bluish green
	color.RGBA{204, 121, 167, 255}, // reddish purple
	color.RGBA{230, 159, 0, 255},   // orange
	color.RGBA{86, 180, 233, 255},  // sky blue
	color.RGBA{0, 0, 0, 255},       // black
	color.RGBA{140, 86, 75, 255},   // brown
	color.RGBA{128, 128, 128, 255}, // grey
	color.RGBA{148, 103, 189, 255}, // purple
}

// dashPatterns are the line styles, solid first.
var dashPatterns = [][]vg.Length{
	nil,
	{vg.Points(6), vg.Points(3)},
	{vg.Points(2), vg.Points(2)},
	{vg.Points(8), vg.Points(3), vg.Points(2), vg.Points(3)},
	{vg.Points(12), vg.Points(4)},
}

// styleOf returns the style of series number i: neighbouring series differ
// in colour and in dashes, and no two of the first 50 share both.
func styleOf(i int) style {
	return style{color: palette[i%len(palette)], dashes: dashPatterns[(i+i/len(palette))%len(dashPatterns)]}
}

// sameAs returns, for each series, the legend name to draw it under, or ""
// for a series equal (by eq) to an earlier one: the first of a set of equal
// series is drawn once and named after all of them, "a = b (identical)",
// since equal lines would hide each other.
func sameAs(names []string, eq func(a, b int) bool) []string {
	out := make([]string, len(names))
	drawn := make([]bool, len(names))
	for i := range names {
		first := -1
		for j := range i {
			if drawn[j] && eq(j, i) {
				first = j
				break
			}
		}
		if first < 0 {
			out[i], drawn[i] = names[i], true
			continue
		}
		out[first] = strings.TrimSuffix(out[first], " (identical)") + " = " + names[i] + " (identical)"
	}
	return out
}

// readableTicks labels an axis on any range: at least three labelled
// ticks, at steps of 1, 2 or 5 times a power of ten. On a log scale spanning
// a decade or more it labels the powers of ten (and 2 and 5 times them
// over at most three decades); on a narrower range, where there may be no
// power of ten at all, it labels the same steps as a linear axis.
type readableTicks struct{ log bool }

// Ticks returns the ticks between lo and hi.
func (r readableTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
		return plot.DefaultTicks{}.Ticks(lo, hi)
	}
	if r.log && lo > 0 && hi/lo >= 10 {
		if ticks := logTicks(lo, hi); labelled(ticks) >= 3 {
			return ticks
		}
	}
	return linearTicks(lo, hi)
}

// labelled counts the ticks with a label.
func labelled(ticks []plot.Tick) int {
	n := 0
	for _, t := range ticks {
		if t.Label != "" {
			n++
		}
	}
	return n
}

// logTicks labels the powers of ten in [lo, hi], and 2 and 5 times them
// when the range spans at most three decades; the other digits are minor.
func logTicks(lo, hi float64) []plot.Tick {
	decades := math.Log10(hi / lo)
	var ticks []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		base := math.Pow(10, e)
		for d := 1.0; d < 10; d++ {
			v := d * base
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if d == 1 || (decades <= 3 && (d == 2 || d == 5)) {
				t.Label = formatTick(v, v)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// linearTicks labels steps of 1, 2 or 5 times a power of ten, about five
// of them, with minor ticks between.
func linearTicks(lo, hi float64) []plot.Tick {
	step := niceStep((hi - lo) / 5)
	var ticks []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: formatTick(v, step)})
		if mid := v + step/2; mid <= hi {
			ticks = append(ticks, plot.Tick{Value: mid})
		}
	}
	if labelled(ticks) < 3 { // a step that left too few: halve it
		step /= 2
		ticks = ticks[:0]
		for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9; v += step {
			ticks = append(ticks, plot.Tick{Value: v, Label: formatTick(v, step)})
		}
	}
	return ticks
}

// niceStep rounds x up to 1, 2 or 5 times a power of ten.
func niceStep(x float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= x {
			return m * p
		}
	}
	return 10 * p
}

// formatTick writes v with as many decimals as the step needs, and no
// "-0".
func formatTick(v, step float64) string {
	if math.Abs(v) < step*1e-9 {
		v = 0
	}
	if a := math.Abs(v); a != 0 && (a >= 1e6 || a < 1e-4) {
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	decimals := max(0, int(-math.Floor(math.Log10(step)+1e-9)))
	return strconv.FormatFloat(v, 'f', decimals, 64)
}
