package twopc

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
)

var (
	libraryDir = flag.String("library", filepath.Join("..", "..", "scenarios", "library"), "directory of the library scenarios")
	sweep      = flag.Int("sweep", 0, "seeds per sweep in the sweep tests (0: each test's modest default)")
)

// table is the protocol table the tests load scenarios against.
func table() []protocols.Protocol {
	return []protocols.Protocol{Protocol(), ThreePhaseProtocol()}
}

// load loads library scenario name, with params overriding its params
// (for example the variant), by editing the YAML before parsing it.
func load(t testing.TB, name string, params map[string]string) *scenarios.Scenario {
	t.Helper()
	path := filepath.Join(*libraryDir, name+".yaml")
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	if len(params) > 0 {
		data, err = withParams(data, params)
		require.NoError(t, err)
	}
	s, err := scenarios.Parse(path, data, table())
	require.NoError(t, err)
	return s
}

// withParams sets params in a scenario's YAML text.
func withParams(data []byte, params map[string]string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	root := doc.Content[0]
	var ps *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "params" {
			ps = root.Content[i+1]
		}
	}
	if ps == nil {
		ps = &yaml.Node{Kind: yaml.MappingNode}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: "params"}, ps)
	}
	for _, k := range slices.Sorted(maps.Keys(params)) {
		set := false
		for i := 0; i+1 < len(ps.Content); i += 2 {
			if ps.Content[i].Value == k {
				ps.Content[i+1].Value = params[k]
				set = true
			}
		}
		if !set {
			ps.Content = append(ps.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k},
				&yaml.Node{Kind: yaml.ScalarNode, Value: params[k]})
		}
	}
	return yaml.Marshal(&doc)
}

// run runs one seed of s.
func run(t testing.TB, s *scenarios.Scenario, seed uint64) *scenarios.Outcome {
	t.Helper()
	o, err := scenarios.Run(s, seed, scenarios.RunOptions{})
	require.NoError(t, err)
	return o
}

// describe formats an outcome's checks and stats for failure messages.
func describe(o *scenarios.Outcome) string {
	s := fmt.Sprintf("%s seed %d (fingerprint %s):", o.Scenario, o.Seed, o.Fingerprint)
	for _, c := range o.Checks {
		s += "\n  " + c.String()
	}
	for _, st := range o.Stats {
		s += fmt.Sprintf("\n  %s: %v %s", st.Name, st.Value, st.Unit)
	}
	return s
}

// mustRead returns the YAML text of library scenario name.
func mustRead(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(*libraryDir, name+".yaml"))
	require.NoError(t, err)
	return data
}
