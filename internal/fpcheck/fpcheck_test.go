package fpcheck_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/internal/fpcheck"
)

// simulationPaths are the packages whose floats may reach a run's
// behaviour: the kernel, the protocols, the scenario loader and nemesis,
// and the checks.
var simulationPaths = []string{"./sim/...", "./protocols/...", "./scenarios/...", "./checker/..."}

// allowed are the findings on the simulation paths that are known not to
// reach a run's behaviour, each with the reason. A new entry needs a
// reason a reviewer accepts: only what feeds tests or reports, or what is
// exact although the check cannot see it.
var allowed = []struct {
	file, fn, expr, why string
}{
	{"sim/detmath/pow.go", "Pow", "math.Pow(x, y)",
		"only for math.Pow's special cases, which it computes exactly, without Exp or Log"},
	{"protocols/detector/estimator.go", "PhiAccrual.Phi", "distuv.Normal{Mu: mu, Sigma: sigma}.Survival(float64(now - p.last))",
		"Phi is for tests and explanations; the monitor decides by SuspectAt"},
	{"protocols/detector/estimator.go", "PhiAccrual.Phi", "math.Log10(s)",
		"Phi is for tests and explanations; the monitor decides by SuspectAt"},
}

// TestSimulationPathsArePortable runs the check over the simulation paths
// and fails on every finding not allowed, and on every allowance that no
// longer matches anything (so the list cannot rot).
func TestSimulationPathsArePortable(t *testing.T) {
	findings, err := fpcheck.Check("../..", simulationPaths...)
	require.NoError(t, err)
	used := make([]bool, len(allowed))
	for _, f := range findings {
		i := allowance(f)
		if i < 0 {
			t.Errorf("%s\n\tround the product (float64(x*y) + z) or use sim/detmath; if it only feeds a report, add it to allowed with the reason", f)
			continue
		}
		used[i] = true
	}
	for i, a := range allowed {
		assert.True(t, used[i], "allowed entry %s %s %q matches nothing: remove it", a.file, a.fn, a.expr)
	}
}

func allowance(f fpcheck.Finding) int {
	for i, a := range allowed {
		if f.Pos.Filename == a.file && f.Func == a.fn && f.Expr == a.expr {
			return i
		}
	}
	return -1
}

// TestCheckFindsUnportableCode runs the check on snippets it must flag and
// on snippets it must leave alone.
func TestCheckFindsUnportableCode(t *testing.T) {
	tests := []struct {
		name string
		body string // the body of func f(a, b, c float64, r *rand.Rand) float64
		want []string
	}{
		{"sum of a product", "return a*b + c", []string{"a*b + c: the product may be fused"}},
		{"difference", "return c - a*b", []string{"c - a*b: the product may be fused"}},
		{"product minus", "return a*b - c", []string{"the product may be fused"}},
		{"negated product", "return c + -(a*b)", []string{"the product may be fused"}},
		{"parenthesised", "return (a * b) + c", []string{"the product may be fused"}},
		{"compound assignment", "c += a * b; return c", []string{"c += a * b: the product may be fused"}},
		{"through a variable", "t := a * b; return t + c", []string{"t + c: the variable holds an unrounded product"}},
		{"through *=", "a *= b; return a - c", []string{"a - c: the variable holds"}},
		{"float32", "x := float32(a) * float32(b); return float64(x + 1)", []string{"x + 1: the variable holds"}},
		{"through an inlined call", "return g(a, b) + c", []string{"g(a, b) + c: the function returns an unrounded product"}},
		{"math.Exp", "return math.Exp(a)", []string{"math.Exp(a): math.Exp may differ"}},
		{"math.Pow", "return math.Pow(a, b)", []string{"math.Pow may differ"}},
		{"rand's ExpFloat64", "return r.ExpFloat64()", []string{"rand's ExpFloat64 may differ"}},
		{"rand's NormFloat64", "return r.NormFloat64() * a", []string{"rand's NormFloat64 may differ"}},
		{"rand's Zipf", "return float64(rand.NewZipf(r, 2, 1, 9).Uint64())",
			[]string{"rand's Uint64 may differ", "rand's NewZipf may differ"}},
		{"rounded product", "return float64(a*b) + c", nil},
		{"rounded variable", "t := float64(a * b); return t + c", nil},
		{"product of a sum", "return (a + b) * c", nil},
		{"quotient", "return a/b + c", nil},
		{"power of two", "return 2*a - 1 + 0.5*b", nil},
		{"constant product", "const k = 3.0 * 7; return k + a", nil},
		{"integer", "i, j := int(a), int(b); return float64(i*j + 1)", nil},
		{"comparison", "if a*b < c { return 1 }; return 0", nil},
		{"exact math", "return math.Sqrt(a) + math.Floor(b) + math.FMA(a, b, c)", nil},
		{"uniform draws", "return r.Float64() + float64(r.IntN(3))", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := fmt.Sprintf(snippet, tt.body)
			findings, err := fpcheck.CheckSource("snippet.go", src)
			require.NoError(t, err, src)
			var got []string
			for _, f := range findings {
				if f.Func == "f" {
					got = append(got, f.String())
				}
			}
			require.Len(t, got, len(tt.want), "findings: %s", strings.Join(got, "\n"))
			for i, w := range tt.want {
				assert.Contains(t, got[i], w)
			}
		})
	}
}

// snippet is the file each test's body goes into; g returns a product, so
// a call of it may fuse once inlined.
const snippet = `package snippet

import (
	"math"
	"math/rand/v2"
)

var _ = math.Pi
var _ *rand.Rand

func g(x, y float64) float64 { return x * y }

func f(a, b, c float64, r *rand.Rand) float64 {
	%s
}
`

// TestFindingNamesItsPlace checks that a finding says where it is.
func TestFindingNamesItsPlace(t *testing.T) {
	findings, err := fpcheck.CheckSource("bad.go", "package p\n\nfunc h(x, y float64) float64 {\n\treturn 1 + x*y\n}\n")
	require.NoError(t, err)
	require.Len(t, findings, 1)
	assert.Equal(t, "bad.go:4:9: in h: 1 + x*y: "+
		"the product may be fused into a multiply-add (write float64(x*y) to round it first)", findings[0].String())
}
