package docs

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// block is a fenced code block of a guide.
type block struct {
	lang  string   // "go" or "yaml"
	line  int      // of its first line of code, in the guide
	lines []string // its code
}

// blocks returns the guide's fenced blocks in the given languages.
func blocks(guide string, langs ...string) []block {
	var out []block
	var cur *block
	for i, line := range strings.Split(guide, "\n") {
		switch {
		case cur == nil && strings.HasPrefix(line, "```") && slices.Contains(langs, strings.TrimPrefix(line, "```")):
			cur = &block{lang: strings.TrimPrefix(line, "```"), line: i + 2}
		case cur != nil && line == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.lines = append(cur.lines, line)
		}
	}
	return out
}

// elided reports whether a block's line stands for code left out.
func elided(line string) bool {
	t := strings.TrimSpace(line)
	return t == "// ..." || t == "# ..."
}

// pieces splits a block's lines at its elisions.
func pieces(lines []string) [][]string {
	var out [][]string
	var cur []string
	for _, l := range lines {
		if elided(l) {
			if len(cur) > 0 {
				out = append(out, cur)
			}
			cur = nil
			continue
		}
		cur = append(cur, l)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// excerpt reports whether the pieces occur in file, each as consecutive
// whole lines, in order, none overlapping the one before.
func excerpt(file []string, ps [][]string) bool {
	if len(ps) == 0 {
		return true
	}
	for i := 0; i+len(ps[0]) <= len(file); i++ {
		if slices.Equal(file[i:i+len(ps[0])], ps[0]) && excerpt(file[i+len(ps[0]):], ps[1:]) {
			return true
		}
	}
	return false
}

// source is a file of the example, as lines.
type source struct {
	path  string
	lines []string
}

// sources reads the files of dir whose names end in one of exts.
func sources(t *testing.T, dir string, exts ...string) []source {
	var out []source
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !slices.Contains(exts, filepath.Ext(path)) {
			return err
		}
		data, err := os.ReadFile(path)
		out = append(out, source{path, strings.Split(string(data), "\n")})
		return err
	})
	require.NoError(t, err)
	return out
}

// check returns why b is not an excerpt of any of srcs, or "".
func check(b block, srcs []source) string {
	ps := pieces(b.lines)
	if len(ps) == 0 {
		return "an empty block"
	}
	for _, s := range srcs {
		if excerpt(s.lines, ps) {
			return ""
		}
	}
	for _, p := range ps {
		for _, l := range p {
			found := false
			for _, s := range srcs {
				found = found || slices.Contains(s.lines, l)
			}
			if !found {
				return fmt.Sprintf("no file has the line %q", l)
			}
		}
	}
	return "every line is in some file, but not in this order in one file (elide gaps with a // ... or # ... line)"
}

// TestGuidesQuoteTheExample checks that every Go and YAML block of the
// guide and of the example's README is a verbatim excerpt of a Go or YAML
// file of examples/register.
func TestGuidesQuoteTheExample(t *testing.T) {
	example := filepath.Join("..", "examples", "register")
	srcs := map[string][]source{
		"go":   sources(t, example, ".go"),
		"yaml": sources(t, example, ".yaml"),
	}
	require.NotEmpty(t, srcs["go"])
	require.NotEmpty(t, srcs["yaml"])
	for _, tt := range []struct {
		path        string
		goes, yamls int // at least
	}{
		{"write-your-own-protocol.md", 10, 2},
		{filepath.Join(example, "README.md"), 3, 0},
	} {
		data, err := os.ReadFile(tt.path)
		require.NoError(t, err)
		count := map[string]int{}
		for _, b := range blocks(string(data), "go", "yaml") {
			count[b.lang]++
			if why := check(b, srcs[b.lang]); why != "" {
				t.Errorf("%s:%d: this %s block is not an excerpt of examples/register: %s", tt.path, b.line, b.lang, why)
			}
		}
		assert.GreaterOrEqual(t, count["go"], tt.goes, "%s shows the code", tt.path)
		assert.GreaterOrEqual(t, count["yaml"], tt.yamls, "%s shows the scenarios", tt.path)
	}
}

func TestExcerptMatching(t *testing.T) {
	file := strings.Split("package x\n\nfunc A() {\n\ta()\n\tb()\n}\n\nfunc B() {}\n", "\n")
	srcs := []source{{"x.go", file}}
	tests := []struct {
		name  string
		lines []string
		why   string // "" when it is an excerpt
	}{
		{"whole lines in order", []string{"func A() {", "\ta()", "\tb()", "}"}, ""},
		{"with an elision", []string{"func A() {", "\t// ...", "}", "// ...", "func B() {}"}, ""},
		{"an indented fragment", []string{"\tb()"}, ""},
		{"drifted", []string{"func A() {", "\ta(1)"}, `no file has the line "\ta(1)"`},
		{"indentation counts", []string{"a()"}, `no file has the line "a()"`},
		{"out of order", []string{"\tb()", "\ta()"}, "every line is in some file, but not in this order"},
		{"a gap needs an elision", []string{"func A() {", "}"}, "every line is in some file, but not in this order"},
		{"pieces out of order", []string{"func B() {}", "// ...", "func A() {"}, "every line is in some file, but not in this order"},
		{"empty", []string{"# ..."}, "an empty block"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			why := check(block{lines: tt.lines}, srcs)
			if tt.why == "" {
				assert.Empty(t, why)
			} else {
				assert.Contains(t, why, tt.why)
			}
		})
	}
	guide := "text\n```go\nfunc B() {}\n```\n```sh\nls\n```\n```yaml\na: 1\n```\n"
	assert.Equal(t, []block{{"go", 3, []string{"func B() {}"}}, {"yaml", 9, []string{"a: 1"}}}, blocks(guide, "go", "yaml"))
}
