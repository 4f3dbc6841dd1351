// Package library holds dsim's built-in scenarios, embedded in the binary so
// `dsim run NAME` works from any directory, and the explicit table of
// protocols the scenario loader knows.
package library

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/detector"
	"github.com/dsimlab/dsim/protocols/echo"
	"github.com/dsimlab/dsim/protocols/lb"
	"github.com/dsimlab/dsim/protocols/mapreduce"
	"github.com/dsimlab/dsim/protocols/paxos"
	"github.com/dsimlab/dsim/protocols/pbkv"
	"github.com/dsimlab/dsim/protocols/snapshot"
	"github.com/dsimlab/dsim/protocols/transport"
	"github.com/dsimlab/dsim/protocols/twopc"
	"github.com/dsimlab/dsim/scenarios"
)

//go:embed *.yaml
var files embed.FS

// ErrUnknown is returned by Load for a name that is neither a built-in
// scenario nor a readable file.
var ErrUnknown = errors.New("unknown scenario")

// Protocols returns every protocol dsim knows, sorted by name. This is the
// table scenario files are validated against; a new protocol adds one line
// here.
func Protocols() []protocols.Protocol {
	table := []protocols.Protocol{
		echo.Protocol(),
		lb.Protocol(),
		snapshot.Protocol(),
		pbkv.Protocol(),
		paxos.Protocol(),
		mapreduce.Protocol(),
		detector.Protocol(),
		transport.Protocol(),
		transport.RPCProtocol(),
		twopc.Protocol(),
		twopc.ThreePhaseProtocol(),
	}
	slices.SortFunc(table, func(a, b protocols.Protocol) int { return strings.Compare(a.Name, b.Name) })
	return table
}

// Names returns the names of the built-in scenarios, sorted.
func Names() []string {
	entries, _ := fs.ReadDir(files, ".")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return names
}

// Source returns the YAML text of a built-in scenario.
func Source(name string) ([]byte, error) {
	data, err := files.ReadFile(name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("%w %q (see dsim list)", ErrUnknown, name)
	}
	return data, nil
}

// Load loads a scenario by built-in name (e.g. "echo-calm") or by path to a
// YAML file. A name with a path separator or a .yaml/.yml suffix is a path.
func Load(nameOrPath string) (*scenarios.Scenario, error) {
	if isPath(nameOrPath) {
		if _, err := os.Stat(nameOrPath); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUnknown, err)
		}
		return scenarios.Load(nameOrPath, Protocols())
	}
	data, err := Source(nameOrPath)
	if err != nil {
		return nil, err
	}
	return scenarios.Parse(path.Join("library", nameOrPath+".yaml"), data, Protocols())
}

func isPath(s string) bool {
	return strings.ContainsAny(s, `/\`) || strings.HasSuffix(s, ".yaml") || strings.HasSuffix(s, ".yml")
}
