package tracediff_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/tracediff"
)

func ev(seq int, msg string) string {
	return `{"seq":` + string(rune('0'+seq)) + `,"t":5,"kind":"send","node":"n1","peer":"n2","msg":"` + msg + `"}`
}

func TestDiff(t *testing.T) {
	common := []string{ev(0, "a"), ev(1, "b"), ev(2, "c"), ev(3, "d")}
	tests := []struct {
		name string
		a, b string
		want *tracediff.Divergence
	}{
		{"the same", strings.Join(common, "\n") + "\n", strings.Join(common, "\n") + "\n", nil},
		{"the same, one without the last newline", strings.Join(common, "\n") + "\n", strings.Join(common, "\n"), nil},
		{"both empty", "", "", nil},
		{"a message differs",
			strings.Join(append(common, ev(4, "x"), ev(5, "y")), "\n"),
			strings.Join(append(common, ev(4, "z"), ev(5, "y")), "\n"),
			&tracediff.Divergence{Line: 5, A: ev(4, "x"), B: ev(4, "z"), Fields: []string{"msg"},
				Before: common[2:], AfterA: []string{ev(5, "y")}, AfterB: []string{ev(5, "y")}}},
		{"the first trace ends",
			strings.Join(common[:2], "\n") + "\n",
			strings.Join(common, "\n") + "\n",
			&tracediff.Divergence{Line: 3, B: ev(2, "c"), EndA: true, Before: common[:2], AfterB: []string{ev(3, "d")}}},
		{"the second trace ends at once", common[0], "",
			&tracediff.Divergence{Line: 1, A: ev(0, "a"), EndB: true}},
		{"not JSON", "abc\n", "abd\n", &tracediff.Divergence{Line: 1, A: "abc", B: "abd"}},
		{"a field only one has", `{"a":1}`, `{"a":1,"b":2}`, &tracediff.Divergence{Line: 1, A: `{"a":1}`, B: `{"a":1,"b":2}`, Fields: []string{"b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := tracediff.Diff(strings.NewReader(tt.a), strings.NewReader(tt.b), 2)
			require.NoError(t, err)
			assert.Equal(t, tt.want, d)
		})
	}
}

func TestDiffReadsLongLinesWhole(t *testing.T) {
	long := strings.Repeat("x", 200_000)
	d, err := tracediff.Diff(strings.NewReader(long+"a\n"), strings.NewReader(long+"b\n"), 1)
	require.NoError(t, err)
	require.NotNil(t, d)
	assert.Equal(t, 1, d.Line)
	assert.Len(t, d.A, 200_001)
}

func TestDivergenceWriteText(t *testing.T) {
	d := &tracediff.Divergence{Line: 7, A: ev(6, "x"), B: ev(6, "z"), Fields: []string{"msg"},
		Before: []string{ev(5, "c")}, AfterA: []string{ev(7, "y")}}
	var buf bytes.Buffer
	require.NoError(t, d.WriteText(&buf, "a.jsonl", "b.jsonl"))
	assert.Equal(t, "the traces part at line 7 (they differ in msg)\n--- a.jsonl\n+++ b.jsonl\n"+
		"  "+ev(5, "c")+"\n- "+ev(6, "x")+"\n- "+ev(7, "y")+"\n+ "+ev(6, "z")+"\n", buf.String())
	ended := &tracediff.Divergence{Line: 2, B: ev(1, "b"), EndA: true}
	buf.Reset()
	require.NoError(t, ended.WriteText(&buf, "a", "b"))
	assert.Contains(t, buf.String(), "- (a ends here)\n+ "+ev(1, "b"))
	assert.Contains(t, ended.String(), "the first trace ends")
}
