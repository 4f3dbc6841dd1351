package fpcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
)

// listed is what go list says of one package.
type listed struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	Export     string
	DepOnly    bool
}

// Check loads the packages the go list patterns name, from the module at
// dir, type-checks their non-test files and returns every finding, with
// file names relative to dir.
func Check(dir string, patterns ...string) ([]Finding, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("module directory: %w", err)
	}
	pkgs, err := goList(dir, patterns)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	imp := exportImporter(fset, pkgs)
	var out []Finding
	for _, p := range pkgs {
		if p.DepOnly {
			continue
		}
		files, info, err := typeCheck(fset, imp, p)
		if err != nil {
			return nil, err
		}
		for _, f := range CheckFiles(fset, files, info) {
			if rel, err := filepath.Rel(dir, f.Pos.Filename); err == nil {
				f.Pos.Filename = filepath.ToSlash(rel)
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// goList runs go list -export -deps -json on the patterns, which builds
// the export data the importer reads.
func goList(dir string, patterns []string) ([]listed, error) {
	cmd := exec.Command("go", append([]string{"list", "-export", "-deps", "-json"}, patterns...)...)
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list %v: %w", patterns, err)
	}
	var pkgs []listed
	for dec := json.NewDecoder(bytes.NewReader(out)); ; {
		var p listed
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			return pkgs, nil
		} else if err != nil {
			return nil, fmt.Errorf("reading go list's output: %w", err)
		}
		pkgs = append(pkgs, p)
	}
}

// exportImporter imports packages from the export data go list built.
func exportImporter(fset *token.FileSet, pkgs []listed) types.Importer {
	export := map[string]string{}
	for _, p := range pkgs {
		export[p.ImportPath] = p.Export
	}
	return importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		file, ok := export[path]
		if !ok || file == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(file)
	})
}

// typeCheck parses and type-checks one package's non-test files.
func typeCheck(fset *token.FileSet, imp types.Importer, p listed) ([]*ast.File, *types.Info, error) {
	var files []*ast.File
	for _, name := range p.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, nil, fmt.Errorf("parsing %s: %w", p.ImportPath, err)
		}
		files = append(files, f)
	}
	info := newInfo()
	conf := types.Config{Importer: imp}
	if _, err := conf.Check(p.ImportPath, fset, files, info); err != nil {
		return nil, nil, fmt.Errorf("type-checking %s: %w", p.ImportPath, err)
	}
	return files, info, nil
}

// CheckSource type-checks one file of Go source (importing only the
// standard library) and returns its findings: the way to try the check on
// a snippet.
func CheckSource(name, src string) ([]Finding, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", name, err)
	}
	info := newInfo()
	conf := types.Config{Importer: importer.Default()}
	if _, err := conf.Check("snippet", fset, []*ast.File{f}, info); err != nil {
		return nil, fmt.Errorf("type-checking %s: %w", name, err)
	}
	return CheckFiles(fset, []*ast.File{f}, info), nil
}

func newInfo() *types.Info {
	return &types.Info{
		Types: map[ast.Expr]types.TypeAndValue{},
		Defs:  map[*ast.Ident]types.Object{},
		Uses:  map[*ast.Ident]types.Object{},
	}
}
