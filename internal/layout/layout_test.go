package layout

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/dsimlab/dsim/"

// terminal are the packages that know terminals, flags and progress bars:
// only the command may import them.
var terminal = []string{"github.com/spf13/cobra", "github.com/spf13/pflag", "github.com/schollz/progressbar",
	"golang.org/x/term"}

// rules says, for each pattern of packages, which import paths (prefixes)
// none of them may depend on, directly or not.
var rules = []struct {
	pattern string
	forbid  []string
}{
	{"./sim/...", append([]string{module}, terminal...)},
	{"./stats/...", append([]string{module}, terminal...)},
	{"./checker/...", append([]string{module + "protocols", module + "scenarios", module + "reports", module + "runner",
		module + "studies", module + "cli", module + "cmd", module + "dsimtest", "gopkg.in/yaml.v3"}, terminal...)},
	{"./protocols/...", append([]string{module + "scenarios", module + "reports", module + "runner", module + "studies",
		module + "cli", module + "cmd", module + "dsimtest", "gopkg.in/yaml.v3", "gonum.org/v1/plot"}, terminal...)},
	{"./scenarios", append([]string{module + "protocols/", module + "reports", module + "runner", module + "studies",
		module + "cli", module + "cmd", module + "dsimtest"}, terminal...)},
	{"./runner/...", append([]string{module + "reports", module + "studies", module + "cli", module + "cmd", module + "dsimtest"}, terminal...)},
	{"./reports/...", append([]string{module + "studies", module + "cli", module + "cmd", module + "dsimtest"}, terminal...)},
	{"./studies/...", append([]string{module + "cli", module + "cmd", module + "dsimtest"}, terminal...)},
	{"./debugger/...", append([]string{module + "studies", module + "cli", module + "cmd", module + "dsimtest"}, terminal...)},
	{"./dsimtest/...", append([]string{module + "cli", module + "cmd", module + "studies"}, terminal...)},
	{"./tracediff", append([]string{module}, terminal...)},
	{"./shrink", append([]string{module + "reports", module + "runner", module + "studies", module + "fuzz", module + "cli",
		module + "cmd", module + "dsimtest"}, terminal...)},
	{"./explore", append([]string{module + "protocols/", module + "reports", module + "runner", module + "studies",
		module + "shrink", module + "fuzz", module + "cli", module + "cmd", module + "dsimtest"}, terminal...)},
	{"./fuzz", append([]string{module + "reports", module + "studies", module + "cli", module + "cmd", module + "dsimtest"}, terminal...)},
	{"./labs", append([]string{module + "studies", module + "cli", module + "cmd", module + "dsimtest", module + "debugger"}, terminal...)},
	{"./labs/paxos", studentCode},
	{"./labs/raft", studentCode},
	{"./labs/twopc", studentCode},
}

// studentCode is the rule of a lab's student code (labs/NAME, not its
// command): what a protocol may import, and not the lab machinery.
var studentCode = append([]string{module + "scenarios", module + "reports", module + "runner", module + "studies",
	module + "cli", module + "cmd", module + "dsimtest", module + "labs", "gopkg.in/yaml.v3", "gonum.org/v1/plot"}, terminal...)

// allowed are exceptions to the rules: packages a pattern's packages may
// import although a forbidden prefix matches them. The kernel's own leaf,
// sim/detmath (floating point that is the same on every architecture), is
// part of the kernel.
var allowed = map[string][]string{"./sim/...": {module + "sim/detmath"}}

// TestImportRules lists every package's dependencies with go list and
// fails on any that a rule forbids, naming the package and the import.
func TestImportRules(t *testing.T) {
	for _, r := range rules {
		t.Run(strings.TrimPrefix(r.pattern, "./"), func(t *testing.T) {
			pkgs := goList(t, "-f", "{{.ImportPath}}", r.pattern)
			require.NotEmpty(t, pkgs, "no packages match %s", r.pattern)
			for _, pkg := range pkgs {
				for _, dep := range goList(t, "-deps", pkg) {
					for _, bad := range r.forbid {
						assert.False(t, dep != pkg && strings.HasPrefix(dep, bad) && !slices.Contains(allowed[r.pattern], dep),
							"%s imports %s", pkg, dep)
					}
				}
			}
		})
	}
}

// TestTheRulesCanFail checks that a forbidden import is found: the command
// depends on the scenario loader, which no protocol may.
func TestTheRulesCanFail(t *testing.T) {
	deps := goList(t, "-deps", module+"cmd/dsim")
	assert.Contains(t, deps, module+"scenarios")
	assert.Contains(t, deps, "github.com/spf13/cobra")
}

// goList runs go list from the module's root and returns its lines.
func goList(t *testing.T, args ...string) []string {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list"}, args...)...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	require.NoError(t, err, "go list %v", args)
	return strings.Fields(string(out))
}
