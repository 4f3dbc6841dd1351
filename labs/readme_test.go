package labs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/labs"
)

// TestREADMEsListTheTests keeps each lab's README true: its table of tests
// is the lab's (Lab.WriteTable), and it names every part's files.
func TestREADMEsListTheTests(t *testing.T) {
	for _, l := range labs.All() {
		t.Run(l.Name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(l.Name, "README.md"))
			require.NoError(t, err)
			var table strings.Builder
			require.NoError(t, l.WriteTable(&table))
			assert.Contains(t, string(data), table.String(), "the README's table of tests; this is the lab's:\n%s", table.String())
			for _, p := range l.Parts {
				for _, f := range p.Files {
					assert.Contains(t, string(data), "`"+f+"`", "the README names %s", f)
				}
			}
		})
	}
}
