//go:build amd64 && !amd64.v3

package detmath

import (
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gonum.org/v1/gonum/mathext"
)

// These tests check that each function returns exactly what its
// counterpart in math, math/rand/v2 or gonum returns on amd64 built for
// the baseline (GOAMD64=v1), where Go rounds every operation: the claim
// that moving dsim onto this package changed no amd64 fingerprint. Exp is
// compared with math.Exp's assembly only on a processor with FMA, whose
// path it reproduces.

// TestExpLogMatchMath compares Exp and Log with math's on amd64.
func TestExpLogMatchMath(t *testing.T) {
	if !cpuHasFMA() {
		t.Skip("math.Exp takes its path without FMA on this processor; Exp reproduces the path with it")
	}
	r := rand.New(rand.NewPCG(5, 6))
	args := []float64{hSqrt2, 2 * hSqrt2, hSqrt2 / 1024, 709.782712893384, -745.1, -745.2, -708.5, 1e-300, 5e-324}
	for range 500000 {
		args = append(args[:0], -750+r.Float64()*1460, r.NormFloat64(), math.Float64frombits(r.Uint64()>>1))
		for _, x := range args {
			requireSameBits(t, math.Exp(x), Exp(x), "Exp(%v)", x)
			requireSameBits(t, math.Log(x), Log(x), "Log(%v)", x)
			requireSameBits(t, math.Exp2(x), Exp2(x), "Exp2(%v)", x)
		}
	}
}

// TestPowQuantileMatch compares Pow with math.Pow and NormalQuantile with
// gonum's mathext.NormalQuantile.
func TestPowQuantileMatch(t *testing.T) {
	if !cpuHasFMA() {
		t.Skip("math.Exp takes its path without FMA on this processor")
	}
	r := rand.New(rand.NewPCG(7, 8))
	for range 300000 {
		x, y := r.Float64()*100, -20+r.Float64()*40
		requireSameBits(t, math.Pow(x, y), Pow(x, y), "Pow(%v, %v)", x, y)
		requireSameBits(t, math.Pow(10, -y), Pow(10, -y), "Pow(10, %v)", -y)
		p := r.Float64()
		requireSameBits(t, mathext.NormalQuantile(p), NormalQuantile(p), "NormalQuantile(%v)", p)
		p = math.Pow(10, -r.Float64()*300)
		requireSameBits(t, mathext.NormalQuantile(p), NormalQuantile(p), "NormalQuantile(%v)", p)
	}
}

// TestVariatesMatchRand compares ExpFloat64, NormFloat64 and Zipf with
// math/rand/v2's, drawing from two sources in the same state.
func TestVariatesMatchRand(t *testing.T) {
	if !cpuHasFMA() {
		t.Skip("math.Exp, inside rand's rejection tests, takes its path without FMA on this processor")
	}
	ours, theirs := rand.New(rand.NewPCG(9, 10)), rand.New(rand.NewPCG(9, 10))
	for i := range 2000000 {
		requireSameBits(t, theirs.ExpFloat64(), ExpFloat64(ours), "ExpFloat64, draw %d", i)
		requireSameBits(t, theirs.NormFloat64(), NormFloat64(ours), "NormFloat64, draw %d", i)
	}
	for _, p := range []struct{ s, v float64 }{{1.1, 1}, {1.5, 1}, {2.5, 3}} {
		zo, zt := NewZipf(ours, p.s, p.v, 1000), rand.NewZipf(theirs, p.s, p.v, 1000)
		for i := range 200000 {
			require.Equal(t, zt.Uint64(), zo.Uint64(), "Zipf(%v, %v), draw %d", p.s, p.v, i)
		}
	}
}

func requireSameBits(t *testing.T, want, got float64, format string, args ...any) {
	t.Helper()
	if math.Float64bits(want) != math.Float64bits(got) && !(math.IsNaN(want) && math.IsNaN(got)) {
		require.Failf(t, "different bits", format+": want %v (%#x), got %v (%#x)",
			append(args, want, math.Float64bits(want), got, math.Float64bits(got))...)
	}
}

// cpuHasFMA reports whether /proc/cpuinfo lists AVX and FMA, the test
// math.Exp's amd64 assembly makes (internal/cpu, which it reads, is not
// importable).
func cpuHasFMA() bool {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return false
	}
	flags := " " + string(b) + " "
	return strings.Contains(flags, " fma ") && strings.Contains(flags, " avx ")
}
