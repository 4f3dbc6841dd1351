package cli

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryJSONNamesItsSchemaVersion runs each command that writes JSON:
// every document says which version of its schema it follows, so that a
// program reading it can refuse one it does not know.
func TestEveryJSONNamesItsSchemaVersion(t *testing.T) {
	dir := t.TempDir()
	summary, _, _ := dsim(t, Config{}, "sweep", "echo-calm", "--seeds", "1-2", "--format", "json")
	tests := []struct {
		name  string
		args  []string
		field string
	}{
		{"run", []string{"run", "echo-calm", "--format", "json"}, "schema_version"},
		{"sweep", []string{"sweep", "echo-calm", "--seeds", "1-2", "--format", "json"}, "schema_version"},
		{"merge", []string{"merge", writeTemp(t, dir, "all.json", summary), "--format", "json"}, "schema_version"},
		{"shrink", []string{"shrink", "twopc-blocking", "--other-seeds", "0", "--out", filepath.Join(dir, "s.yaml"), "--format", "json"}, "schema_version"},
		{"compare", []string{"compare", "lb-load-50", "--seeds", "1-2", "--format", "json"}, "schema"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, status := dsim(t, Config{}, tt.args...)
			require.Contains(t, []int{0, 1}, status, stderr)
			var doc map[string]any
			require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
			assert.Equal(t, float64(1), doc[tt.field])
		})
	}
}
