package reports

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden reports under testdata")

// TestGolden pins the text, JSON and HTML reports of echo-faults seed 1,
// wall times omitted, byte for byte. A deliberate change of the reports or
// of the kernel regenerates them with `go test ./reports -update`; review
// the diff like code.
func TestGolden(t *testing.T) {
	o := runScenario(t, "echo-faults", 1)
	text, js, page := render(t, o)
	for _, tc := range []struct {
		file string
		got  []byte
	}{
		{"echo-faults-1.txt", text},
		{"echo-faults-1.json", js},
		{"echo-faults-1.html", page},
	} {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join("testdata", tc.file)
			if *update {
				require.NoError(t, os.MkdirAll("testdata", 0o755))
				require.NoError(t, os.WriteFile(path, tc.got, 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err, "run `go test ./reports -update` to create the golden files")
			require.Equal(t, string(want), string(tc.got), "report changed; rerun with -update if that is intended")
		})
	}
}

// TestDeterministic runs the same seed twice and renders both runs: the
// reports are byte-identical with wall times omitted, and with them the
// wall time is the last line of the text and the only extra part.
func TestDeterministic(t *testing.T) {
	a, b := runScenario(t, "echo-faults", 7), runScenario(t, "echo-faults", 7)
	ta, ja, ha := render(t, a)
	tb, jb, hb := render(t, b)
	require.Equal(t, string(ta), string(tb))
	require.Equal(t, string(ja), string(jb))
	require.Equal(t, string(ha), string(hb))

	other := runScenario(t, "echo-faults", 8)
	tc, _, _ := render(t, other)
	require.NotEqual(t, string(ta), string(tc), "another seed gives another report")

	var full bytes.Buffer
	require.NoError(t, WriteText(&full, a))
	require.True(t, strings.HasPrefix(full.String(), string(ta)), "the wall line is appended after everything else")
	rest := strings.TrimPrefix(full.String(), string(ta))
	require.Equal(t, 1, strings.Count(rest, "\n"), "one extra line")
	require.Contains(t, rest, "wall")
	require.Contains(t, rest, a.Wall.String())

	var withWall bytes.Buffer
	require.NoError(t, WriteJSON(&withWall, a))
	require.Contains(t, withWall.String(), `"wall_ns"`)
	require.NotContains(t, string(ja), `"wall_ns"`)
	var htmlWall bytes.Buffer
	require.NoError(t, WriteHTML(&htmlWall, a, HTMLOptions{}))
	require.Contains(t, htmlWall.String(), "wall time")
	require.NotContains(t, string(ha), "wall time")
}
