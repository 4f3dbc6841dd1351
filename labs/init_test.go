package labs_test

import (
	"bytes"
	"errors"
	"go/format"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/labs"
)

func TestStrip(t *testing.T) {
	tests := []struct {
		name, in, want, err string
	}{
		{name: "no markers", in: "a\nb\n", want: "a\nb\n"},
		{name: "a solution", in: "f() {\n\t// TODO(lab): x\n\t//lab:solution\n\tx()\n\t//lab:end\n}\n",
			want: "f() {\n\t// TODO(lab): x\n}\n"},
		{name: "a skeleton section", in: "\t//lab:solution\n\treturn x\n\t//lab:skeleton\n\t// return 0\n\t//lab:end\n",
			want: "\treturn 0\n"},
		{name: "two regions", in: "//lab:solution\na\n//lab:end\nb\n//lab:solution\nc\n//lab:end\n", want: "b\n"},
		{name: "unclosed", in: "a\n//lab:solution\nb\n", err: "line 2: //lab:solution without //lab:end"},
		{name: "nested", in: "//lab:solution\n//lab:solution\n//lab:end\n", err: "line 2: //lab:solution out of place"},
		{name: "end alone", in: "//lab:end\n", err: "line 1: //lab:end out of place"},
		{name: "skeleton alone", in: "//lab:skeleton\n", err: "line 1: //lab:skeleton out of place"},
		{name: "unknown marker", in: "//lab:solutoin\n", err: "line 1: //lab:solutoin out of place"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := labs.Strip([]byte(tc.in))
			if tc.err != "" {
				assert.EqualError(t, err, tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
}

// TestFilesOfTheSkeleton checks what lab init writes: every student-facing
// file keeps its TODOs and loses its solution, the files the student does
// not write are the reference's, imports that only the solution used are
// gone, the command imports the student's module, and go.mod requires
// dsim (replaced by a checkout when asked).
func TestFilesOfTheSkeleton(t *testing.T) {
	for _, l := range labs.All() {
		t.Run(l.Name, func(t *testing.T) {
			files, err := l.Files(labs.InitOptions{DSim: "/src/dsim"})
			require.NoError(t, err)
			byName := map[string]string{}
			for _, f := range files {
				byName[f.Name] = string(f.Data)
				assert.NotContains(t, string(f.Data), "//lab:", f.Name)
				if strings.HasSuffix(f.Name, ".go") {
					formatted, err := format.Source(f.Data)
					require.NoError(t, err, f.Name)
					assert.Equal(t, string(formatted), string(f.Data), "%s is gofmt'ed", f.Name)
				}
			}
			assert.Contains(t, byName, "README.md")
			assert.Contains(t, byName["cmd/"+l.Command+"/main.go"], `"`+l.Command+`"`)
			assert.NotContains(t, byName["cmd/"+l.Command+"/main.go"], "dsim/labs/")
			assert.Contains(t, byName["go.mod"], "module "+l.Command+"\n")
			assert.Contains(t, byName["go.mod"], "require github.com/dsimlab/dsim v0.0.0\n")
			assert.Contains(t, byName["go.mod"], "replace github.com/dsimlab/dsim => /src/dsim\n")
			for _, p := range l.Parts {
				for _, name := range p.Files {
					ref, err := os.ReadFile(filepath.Join(l.Name, name))
					require.NoError(t, err)
					assert.Contains(t, string(ref), "//lab:solution", "%s has a solution to strip", name)
					assert.Contains(t, byName[name], "TODO(lab)", name)
					assert.Less(t, len(byName[name]), len(ref), name)
				}
			}
		})
	}
}

// TestSolutionFilesAreTheReference: lab init --solution writes the
// reference as it is, but for the command's import of the module (gofmt
// sorts it among the others).
func TestSolutionFilesAreTheReference(t *testing.T) {
	for _, l := range labs.All() {
		t.Run(l.Name, func(t *testing.T) {
			files, err := l.Files(labs.InitOptions{Solution: true, Module: "example.com/mylab"})
			require.NoError(t, err)
			for _, f := range files {
				ref, err := os.ReadFile(filepath.Join(l.Name, filepath.FromSlash(f.Name)))
				if errors.Is(err, os.ErrNotExist) {
					assert.Contains(t, []string{"go.mod", ".gitignore"}, f.Name)
					continue
				}
				require.NoError(t, err)
				want := bytes.ReplaceAll(ref, []byte(`"github.com/dsimlab/dsim/labs/`+l.Name+`"`), []byte(`"example.com/mylab"`))
				if strings.HasSuffix(f.Name, ".go") {
					want, err = format.Source(want) // the import's new path sorts elsewhere
					require.NoError(t, err)
				}
				assert.Equal(t, string(want), string(f.Data), f.Name)
			}
		})
	}
}

func TestInitRefusesADirectoryInUse(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "mine.go"), nil, 0o644))
	_, err := labs.Init(labs.Raft(), dir, labs.InitOptions{})
	assert.ErrorIs(t, err, labs.ErrNotEmpty)
}

// TestSkeletonScoresZero writes each lab's skeleton with lab init, builds
// its command against this checkout, and grades it as a student would
// (its lab test): the untouched skeleton compiles, runs, and scores zero,
// exit status 1. The 2PC lab's reference, written with --solution, scores
// full marks the same way, exit status 0.
func TestSkeletonScoresZero(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	sum, err := os.ReadFile(filepath.Join(root, "go.sum"))
	require.NoError(t, err)
	cases := []struct {
		lab      string
		solution bool
		score    string
		status   int
	}{
		{"raft", false, "score: 0/100 ", 1},
		{"twopc", false, "score: 0/100 ", 1},
		{"paxos", false, "score: 0/100 ", 1},
		{"twopc", true, "score: 100/100 ", 0},
	}
	for _, tc := range cases {
		name := tc.lab
		if tc.solution {
			name += "-solution"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			l, err := labs.Find(tc.lab)
			require.NoError(t, err)
			dir := t.TempDir()
			_, err = labs.Init(l, dir, labs.InitOptions{DSim: root, Solution: tc.solution})
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "go.sum"), sum, 0o644))
			bin := filepath.Join(dir, l.Command)
			build := exec.Command("go", "build", "-o", bin, "./cmd/"+l.Command)
			build.Dir, build.Env = dir, append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOWORK=off")
			out, err := build.CombinedOutput()
			require.NoError(t, err, "the module builds:\n%s", out)
			run := exec.Command(bin, "lab", "test", "--out", "")
			run.Dir = dir
			out, err = run.Output()
			status := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				status = ee.ExitCode()
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tc.status, status, "%s", out)
			assert.Contains(t, string(out), tc.score)
		})
	}
}
