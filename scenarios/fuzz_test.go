package scenarios_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/scenarios/library"
)

// FuzzParse feeds the loader arbitrary text: it must never panic, and a
// scenario it accepts must build without panicking. The seed corpus is the
// built-in library plus this package's test scenario. Run it with
// `go test ./scenarios -fuzz FuzzParse -fuzztime 30s`.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("library", "*.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(good))
	tables := append(library.Protocols(), table...)
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := scenarios.Parse("fuzz.yaml", data, tables)
		if err != nil {
			return
		}
		if s.Duration > 1e9 || s.Nodes > 20 || s.Clients > 20 || s.Workload.Ops > 1000 {
			return // valid, but too big to build on every fuzz input
		}
		_, _, _, _ = scenarios.Build(s, 1, false)
	})
}
