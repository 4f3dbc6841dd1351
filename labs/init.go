package labs

import (
	"bufio"
	"bytes"
	"embed"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// templates holds each lab's module as dsim's repository has it: the
// reference solution, whose student-facing files mark the solution with
// //lab:solution ... //lab:end (see Strip), its command and its README.
//
//go:embed raft twopc paxos
var templates embed.FS

// dsimModule is dsim's module path.
const dsimModule = "github.com/dsimlab/dsim"

// InitOptions say how Init writes a lab's module.
type InitOptions struct {
	// Module is the new module's path (default: the lab's command name,
	// e.g. "raftlab").
	Module string
	// DSim, if set, is a directory holding dsim's source, which the
	// module uses instead of a published version (a replace directive).
	DSim string
	// Version is the version of dsim the module requires (default
	// v0.0.0, which needs DSim).
	Version string
	// GoVersion is the go directive of go.mod (default: 1.26.8).
	GoVersion string
	// Solution writes the reference solution instead of the skeleton,
	// for a teacher.
	Solution bool
}

// ErrNotEmpty is returned by Init for a directory that holds files already.
var ErrNotEmpty = errors.New("labs: the directory is not empty")

// Init writes the skeleton of lab l as a Go module in dir (created if need
// be; it must be empty): the student-facing files with the solution
// stripped (Strip), the files given whole, the lab's command, its README,
// go.mod and .gitignore. It returns the files written, relative to dir.
func Init(l *Lab, dir string, opts InitOptions) ([]string, error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrNotEmpty, dir)
	}
	if opts.Module == "" {
		opts.Module = l.Command
	}
	files, err := l.Files(opts)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return names, fmt.Errorf("labs: init %s: %w", l.Name, err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return names, fmt.Errorf("labs: init %s: %w", l.Name, err)
		}
		names = append(names, f.Name)
	}
	return names, nil
}

// File is one file of a lab's module: its slash-separated path in the
// module, and its contents.
type File struct {
	Name string
	Data []byte
}

// Files returns the files Init writes, sorted by name.
func (l *Lab) Files(opts InitOptions) ([]File, error) {
	if opts.Module == "" {
		opts.Module = l.Command
	}
	var files []File
	err := fs.WalkDir(templates, l.Name, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(name, "_test.go") {
			return err
		}
		data, err := templates.ReadFile(name)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(name, l.Name+"/")
		if path.Ext(name) == ".go" {
			if data, err = l.source(rel, data, opts); err != nil {
				return err
			}
		}
		files = append(files, File{Name: rel, Data: data})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("labs: %s: %w", l.Name, err)
	}
	files = append(files, File{Name: "go.mod", Data: goMod(opts)},
		File{Name: ".gitignore", Data: []byte("# failing runs the grading saved\nlab-runs/\n")})
	return files, nil
}

// source turns a Go file of the reference into the module's: the solution
// stripped (unless opts.Solution), imports of the reference's package made
// imports of the module, unused imports dropped, formatted.
func (l *Lab) source(name string, data []byte, opts InitOptions) ([]byte, error) {
	var err error
	if !opts.Solution {
		if data, err = Strip(data); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	data = bytes.ReplaceAll(data, []byte(strconv.Quote(dsimModule+"/labs/"+l.Name)), []byte(strconv.Quote(opts.Module)))
	if data, err = dropUnusedImports(data); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if data, err = format.Source(data); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return data, nil
}

// goMod returns the module's go.mod.
func goMod(opts InitOptions) []byte {
	version, goVersion := opts.Version, opts.GoVersion
	if version == "" {
		version = "v0.0.0"
	}
	if goVersion == "" {
		goVersion = "1.26.8"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "module %s\n\ngo %s\n\nrequire %s %s\n", opts.Module, goVersion, dsimModule, version)
	if opts.DSim != "" {
		fmt.Fprintf(&b, "\nreplace %s => %s\n", dsimModule, opts.DSim)
	}
	return []byte(b.String())
}

// The markers of a reference's student-facing code, each alone on its
// line (indented like the code around it).
const (
	markSolution = "//lab:solution" // the solution starts: lines up to the next marker are stripped
	markSkeleton = "//lab:skeleton" // what the skeleton has instead, commented out ("// return 0")
	markEnd      = "//lab:end"      // back to code both have
)

// Strip returns a reference file as a student gets it: every region from
// //lab:solution to //lab:end is removed, and the lines of a //lab:skeleton
// section inside it are kept, uncommented. A region is usually a function
// body below its TODO(lab) comment, and the skeleton section a return
// statement that makes the stripped function compile.
func Strip(src []byte) ([]byte, error) {
	var out bytes.Buffer
	mode, open := "", 0
	sc := bufio.NewScanner(bytes.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch mark := strings.TrimSpace(line); {
		case mark == markSolution && mode == "":
			mode, open = markSolution, n
		case mark == markSkeleton && mode == markSolution:
			mode = markSkeleton
		case mark == markEnd && mode != "":
			mode = ""
		case strings.HasPrefix(mark, "//lab:"):
			return nil, fmt.Errorf("line %d: %s out of place", n, mark)
		case mode == "":
			out.WriteString(line + "\n")
		case mode == markSkeleton:
			out.WriteString(uncomment(line) + "\n")
		}
	}
	if mode != "" {
		return nil, fmt.Errorf("line %d: %s without %s", open, markSolution, markEnd)
	}
	return out.Bytes(), sc.Err()
}

// uncomment removes the "// " after a line's indentation.
func uncomment(line string) string {
	body := strings.TrimLeft(line, " \t")
	indent := line[:len(line)-len(body)]
	body = strings.TrimPrefix(body, "//")
	return indent + strings.TrimPrefix(body, " ")
}

// dropUnusedImports removes the imports a file no longer uses once its
// solution is stripped (the Go compiler refuses them).
func dropUnusedImports(src []byte) ([]byte, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok {
				used[id.Name] = true
			}
		}
		return true
	})
	lines := strings.SplitAfter(string(src), "\n")
	for _, spec := range f.Imports {
		if name := importName(spec); name != "_" && name != "." && !used[name] {
			for l := fset.Position(spec.Pos()).Line; l <= fset.Position(spec.End()).Line; l++ {
				lines[l-1] = ""
			}
		}
	}
	return []byte(strings.Join(lines, "")), nil
}

// importName is the name an import is used by: its own, or the last
// element of its path (before a major version suffix like /v2).
func importName(spec *ast.ImportSpec) string {
	if spec.Name != nil {
		return spec.Name.Name
	}
	p, _ := strconv.Unquote(spec.Path.Value)
	elems := strings.Split(p, "/")
	last := elems[len(elems)-1]
	if len(elems) > 1 && len(last) > 1 && last[0] == 'v' && strings.Trim(last[1:], "0123456789") == "" {
		last = elems[len(elems)-2]
	}
	return last
}
