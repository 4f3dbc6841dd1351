package studies

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/stats"
)

// TestStylesAreDistinct checks that no two of the first 50 series share
// both colour and dashes, and that neighbours differ in both.
func TestStylesAreDistinct(t *testing.T) {
	seen := map[string]int{}
	for i := range 50 {
		st := styleOf(i)
		key := fmt.Sprint(st.color, st.dashes)
		if j, ok := seen[key]; ok {
			t.Fatalf("series %d and %d look the same", j, i)
		}
		seen[key] = i
		if i > 0 {
			prev := styleOf(i - 1)
			assert.NotEqual(t, prev.color, st.color)
			assert.NotEqual(t, fmt.Sprint(prev.dashes), fmt.Sprint(st.dashes))
		}
	}
}

// TestSameAs checks the legend of identical series.
func TestSameAs(t *testing.T) {
	vals := [][]float64{{1}, {2}, {1}, {3}, {1}}
	got := sameAs([]string{"a", "b", "c", "d", "e"}, func(i, j int) bool { return vals[i][0] == vals[j][0] })
	assert.Equal(t, []string{"a = c = e (identical)", "b", "", "d", ""}, got)
}

// TestReadableTicks checks that every range gets at least three labelled
// ticks, inside the range, with labels that tell them apart: the narrow
// log range of a latency CDF (150–190 ms) that had none, wide log ranges,
// tiny and huge linear ones.
func TestReadableTicks(t *testing.T) {
	tests := []struct {
		lo, hi float64
		log    bool
		want   []string // some labels that must be there
	}{
		{150, 190, true, []string{"150", "160", "170", "180", "190"}},
		{0.8, 2000, true, []string{"1", "10", "100", "1000"}},
		{2, 40, true, []string{"2", "5", "10", "20"}},
		{1e-6, 1, true, []string{"1e-06", "0.001", "1"}},
		{0, 1, false, []string{"0.0", "0.2", "0.4", "1.0"}},
		{1.0001, 1.0004, false, []string{"1.0001", "1.0002"}},
		{0, 11792, false, []string{"0", "5000", "10000"}},
		{-3, 3, false, []string{"-2", "0", "2"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.lo, "-", tt.hi, tt.log), func(t *testing.T) {
			ticks := readableTicks{log: tt.log}.Ticks(tt.lo, tt.hi)
			var labels []string
			for _, tk := range ticks {
				assert.True(t, tk.Value >= tt.lo*(1-1e-9)-1e-12 && tk.Value <= tt.hi*(1+1e-9)+1e-12, "tick %v outside", tk.Value)
				if tk.Label != "" {
					labels = append(labels, tk.Label)
				}
			}
			assert.GreaterOrEqual(t, len(labels), 3, "%v", labels)
			for _, w := range tt.want {
				assert.Contains(t, labels, w)
			}
			seen := map[string]bool{}
			for _, l := range labels {
				assert.False(t, seen[l], "label %q twice", l)
				seen[l] = true
				assert.NotEqual(t, "-0", l)
			}
		})
	}
}

// svgText returns the texts of an SVG plot.
func svgText(t *testing.T, draw func(*bytes.Buffer) error) string {
	t.Helper()
	var b bytes.Buffer
	require.NoError(t, draw(&b))
	var texts []string
	for _, m := range regexp.MustCompile(`<text[^>]*>([^<]*)</text>`).FindAllStringSubmatch(b.String(), -1) {
		texts = append(texts, m[1])
	}
	return strings.Join(texts, "|")
}

// TestCDFStructure checks the latency CDF of eight balancers, two of them
// identical, one with timeouts: every distinct series has a legend entry,
// the identical ones share one, the timed-out share is stated, and a
// narrow range is labelled.
func TestCDFStructure(t *testing.T) {
	sample := func(lo float64) []float64 {
		xs := make([]float64, 1000)
		for i := range xs {
			xs[i] = lo + 40*float64(i)/1000
		}
		return xs
	}
	samples := []Sample{{Name: "random", Sorted: sample(150)}, {Name: "round-robin", Sorted: sample(151)},
		{Name: "least-connections", Sorted: sample(152)}, {Name: "join-shortest-queue", Sorted: sample(152)},
		{Name: "power-of-two", Sorted: sample(153)}, {Name: "peak-ewma", Sorted: sample(154)},
		{Name: "consistent-hash", Sorted: sample(155), TimedOut: 50, Timeout: 190}, {Name: "weighted", Sorted: sample(156)}}
	svg := svgText(t, func(b *bytes.Buffer) error {
		return WriteCDF(b, FormatSVG, Axes{Title: "Latency", X: "ms", Y: "fraction", LogX: true}, samples)
	})
	assert.Contains(t, svg, "least-connections = join-shortest-queue (identical)")
	assert.Contains(t, svg, "consistent-hash (4.8% timed out)")
	for _, name := range []string{"random", "round-robin", "power-of-two", "peak-ewma", "weighted"} {
		assert.Contains(t, svg, "|"+name+"|", "legend entry for %s", name)
	}
	for _, l := range []string{"|160|", "|170|", "|180|"} {
		assert.Contains(t, svg, l, "the narrow range is labelled")
	}
	assert.Contains(t, svg, "fraction at least x (log scale)", "the tail panel")
}

// TestBarsFor100Servers checks that a hundred groups become a ranked line
// plot of fixed width, not a 100-group bar chart, and that few groups stay
// bars of bounded width.
func TestBarsFor100Servers(t *testing.T) {
	groups := make([]string, 100)
	vals := make([]float64, 100)
	for i := range groups {
		groups[i] = fmt.Sprintf("s%d", i+1)
		vals[i] = math.Mod(float64(i)*0.37, 1)
	}
	bars := []Bars{{Name: "random", Values: vals}, {Name: "jsq", Values: vals}, {Name: "p2c", Values: vals[:50]}}
	var b bytes.Buffer
	require.NoError(t, WriteBars(&b, FormatSVG, Axes{Title: "Load", X: "server", Y: "utilisation"}, groups, bars))
	assert.Contains(t, b.String(), `width="576pt"`, "the plot keeps its width: 8 inches")
	svg := svgText(t, func(b *bytes.Buffer) error {
		return WriteBars(b, FormatSVG, Axes{Title: "Load", X: "server", Y: "utilisation"}, groups, bars)
	})
	assert.Contains(t, svg, "server, ranked from the largest value (100 of them)")
	assert.Contains(t, svg, "random = jsq (identical)")
	assert.NotContains(t, svg, "|s57|", "no label per server")

	b.Reset()
	require.NoError(t, WriteBars(&b, FormatSVG, Axes{}, groups[:12], []Bars{{Name: "a", Values: vals}, {Name: "b", Values: vals[1:]}}))
	m := regexp.MustCompile(`<svg width="([0-9.]+)pt"`).FindStringSubmatch(b.String())
	require.Len(t, m, 2)
	assert.LessOrEqual(t, atof(t, m[1]), 14.0*72, "at most 14 inches wide")
}

// TestLinesIdenticalSeries checks that equal series share a legend entry.
func TestLinesIdenticalSeries(t *testing.T) {
	iv := func(xs ...float64) stats.Interval { return stats.MeanCI(xs, Level) }
	pts := []Point{{iv(1, 2), iv(3, 4)}, {iv(2, 3), iv(5, 6)}}
	svg := svgText(t, func(b *bytes.Buffer) error {
		return WriteLines(b, FormatSVG, Axes{}, []Series{{"a", pts}, {"b", pts}, {"c", pts[:1]}})
	})
	assert.Contains(t, svg, "a = b (identical)")
	assert.Contains(t, svg, "|c")
}

func atof(t *testing.T, s string) float64 {
	t.Helper()
	var f float64
	_, err := fmt.Sscan(s, &f)
	require.NoError(t, err)
	return f
}
