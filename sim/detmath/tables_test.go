package detmath

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTablesAreRandsTables checks that ziggurat_tables.go holds math/rand/v2's
// tables verbatim, reading them from the Go installation's source.
func TestTablesAreRandsTables(t *testing.T) {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Skipf("no go command to find the standard library's source: %v", err)
	}
	dir := filepath.Join(strings.TrimSpace(string(out)), "src", "math", "rand", "v2")
	var std strings.Builder
	for _, name := range []string{"exp.go", "normal.go"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Skipf("no standard library source: %v", err)
		}
		std.Write(b)
	}
	ours, err := os.ReadFile("ziggurat_tables.go")
	require.NoError(t, err)
	for _, name := range []string{"ke", "we", "fe", "kn", "wn", "fn"} {
		re := regexp.MustCompile(`(?s)var ` + name + ` = \[\d+\]\w+\{.*?\n\}`)
		want := re.FindString(std.String())
		require.NotEmpty(t, want, "table %s not found in %s", name, dir)
		assert.Equal(t, want, re.FindString(string(ours)), "table %s differs from math/rand/v2's", name)
	}
}
