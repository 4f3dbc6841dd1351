// Package library holds dsim's built-in scenarios, embedded in the binary so
// `dsim run NAME` works from any directory, and the explicit table of
// protocols the scenario loader knows. A Catalog is that table and those
// scenarios together; a program of one's own extends the built-in catalog
// with its protocols and scenarios (Builtin().With(...)).
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
	"github.com/dsimlab/dsim/protocols/raft"
	"github.com/dsimlab/dsim/protocols/snapshot"
	"github.com/dsimlab/dsim/protocols/transport"
	"github.com/dsimlab/dsim/protocols/twopc"
	"github.com/dsimlab/dsim/scenarios"
)

//go:embed *.yaml
var files embed.FS

// ErrUnknown is returned by Load for a name that is neither a named scenario
// nor a readable file.
var ErrUnknown = errors.New("unknown scenario")

// ErrConflict is returned by With for a protocol or scenario whose name is
// taken already.
var ErrConflict = errors.New("name taken")

// Catalog is what a dsim command knows: protocols, by name, and named
// scenarios (YAML files). Scenario files are validated against its
// protocols. A Catalog is immutable; With returns an extended copy.
type Catalog struct {
	protocols []protocols.Protocol // sorted by name
	sources   []source             // searched in order
}

// source is one directory of named scenarios and where messages say they
// come from (e.g. "library").
type source struct {
	fsys fs.FS
	dir  string
}

// Builtin returns the catalog of every protocol and scenario dsim ships.
func Builtin() *Catalog {
	c := &Catalog{protocols: []protocols.Protocol{
		echo.Protocol(),
		lb.Protocol(),
		snapshot.Protocol(),
		pbkv.Protocol(),
		paxos.Protocol(),
		paxos.SingleProtocol(),
		raft.Protocol(),
		mapreduce.Protocol(),
		detector.Protocol(),
		transport.Protocol(),
		transport.RPCProtocol(),
		twopc.Protocol(),
		twopc.ThreePhaseProtocol(),
	}, sources: []source{{files, "library"}}}
	slices.SortFunc(c.protocols, func(a, b protocols.Protocol) int { return strings.Compare(a.Name, b.Name) })
	return c
}

// With returns a copy of c that also knows the given protocols and the
// scenarios at the root of fsys (files named NAME.yaml; fsys may be nil).
// dir names fsys in messages and replay lines, e.g. "scenarios". A protocol
// or scenario name that c knows already is an error: a user's protocol
// cannot silently replace a built-in one.
func (c *Catalog) With(ps []protocols.Protocol, fsys fs.FS, dir string) (*Catalog, error) {
	out := &Catalog{protocols: slices.Clone(c.protocols), sources: slices.Clone(c.sources)}
	for _, p := range ps {
		if p.Name == "" || p.Setup == nil {
			return nil, fmt.Errorf("protocol %q: a protocol needs a Name and a Setup", p.Name)
		}
		if _, ok := out.Protocol(p.Name); ok {
			return nil, fmt.Errorf("protocol %q: %w", p.Name, ErrConflict)
		}
		out.protocols = append(out.protocols, p)
	}
	slices.SortFunc(out.protocols, func(a, b protocols.Protocol) int { return strings.Compare(a.Name, b.Name) })
	if fsys != nil {
		extra := source{fsys, dir}
		for _, name := range extra.names() {
			if slices.Contains(c.Names(), name) {
				return nil, fmt.Errorf("scenario %q in %s: %w", name, dir, ErrConflict)
			}
		}
		out.sources = append(out.sources, extra)
	}
	return out, nil
}

// Protocols returns every protocol of the catalog, sorted by name. This is
// the table scenario files are validated against.
func (c *Catalog) Protocols() []protocols.Protocol { return slices.Clone(c.protocols) }

// Protocol returns the protocol with the given name.
func (c *Catalog) Protocol(name string) (protocols.Protocol, bool) {
	i := slices.IndexFunc(c.protocols, func(p protocols.Protocol) bool { return p.Name == name })
	if i < 0 {
		return protocols.Protocol{}, false
	}
	return c.protocols[i], true
}

// Names returns the names of the catalog's scenarios, sorted.
func (c *Catalog) Names() []string {
	var names []string
	for _, s := range c.sources {
		names = append(names, s.names()...)
	}
	slices.Sort(names)
	return names
}

func (s source) names() []string {
	entries, _ := fs.ReadDir(s.fsys, ".")
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok && !e.IsDir() {
			names = append(names, name)
		}
	}
	return names
}

// Source returns the YAML text of a named scenario and the file name
// messages give it (e.g. "library/echo-calm.yaml").
func (c *Catalog) Source(name string) ([]byte, string, error) {
	for _, s := range c.sources {
		if data, err := fs.ReadFile(s.fsys, name+".yaml"); err == nil {
			return data, path.Join(s.dir, name+".yaml"), nil
		}
	}
	return nil, "", fmt.Errorf("%w %q (see the list command)", ErrUnknown, name)
}

// Load loads a scenario by name (e.g. "echo-calm") or by path to a YAML
// file. A name with a path separator or a .yaml/.yml suffix is a path.
func (c *Catalog) Load(nameOrPath string) (*scenarios.Scenario, error) {
	if IsPath(nameOrPath) {
		if _, err := os.Stat(nameOrPath); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUnknown, err)
		}
		return scenarios.Load(nameOrPath, c.protocols)
	}
	data, file, err := c.Source(nameOrPath)
	if err != nil {
		return nil, err
	}
	return scenarios.Parse(file, data, c.protocols)
}

// IsPath reports whether a scenario argument names a file rather than a
// catalog entry: it has a path separator or a .yaml or .yml suffix.
func IsPath(s string) bool {
	return strings.ContainsAny(s, `/\`) || strings.HasSuffix(s, ".yaml") || strings.HasSuffix(s, ".yml")
}

// Protocols returns every built-in protocol, sorted by name.
func Protocols() []protocols.Protocol { return Builtin().Protocols() }

// Names returns the names of the built-in scenarios, sorted.
func Names() []string { return Builtin().Names() }

// Load loads a built-in scenario by name, or a scenario file by path,
// against the built-in protocols.
func Load(nameOrPath string) (*scenarios.Scenario, error) { return Builtin().Load(nameOrPath) }
