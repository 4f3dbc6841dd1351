package detmath

import (
	"flag"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/digests.golden")

// digestCases are the functions the golden digests pin: each fills a hash
// with the bits of many results, from arguments drawn from a fixed PCG.
var digestCases = []struct {
	name string
	n    int
	one  func(r *rand.Rand) float64
}{
	{"Exp", 200000, func(r *rand.Rand) float64 { return Exp(-750 + float64(r.Float64()*1460)) }},
	{"Exp/small", 200000, func(r *rand.Rand) float64 { return Exp(NormFloat64(r)) }},
	{"Exp2", 200000, func(r *rand.Rand) float64 { return Exp2(-1080 + float64(r.Float64()*2110)) }},
	{"Exp2/small", 200000, func(r *rand.Rand) float64 { return Exp2(float64(r.Float64()*8) - 4) }},
	{"Log", 200000, func(r *rand.Rand) float64 { return Log(math.Float64frombits(r.Uint64() >> 1)) }},
	{"Log/unit", 200000, func(r *rand.Rand) float64 { return Log(r.Float64()) }},
	{"Pow", 100000, func(r *rand.Rand) float64 { return Pow(r.Float64()*100, -20+float64(r.Float64()*40)) }},
	{"Pow/integer", 100000, func(r *rand.Rand) float64 { return Pow(r.Float64()*100, float64(r.IntN(41)-20)) }},
	{"NormalQuantile", 200000, func(r *rand.Rand) float64 { return NormalQuantile(r.Float64()) }},
	{"NormalQuantile/tail", 100000, func(r *rand.Rand) float64 { return NormalQuantile(Pow(10, -r.Float64()*300)) }},
	{"ExpFloat64", 1000000, func(r *rand.Rand) float64 { return ExpFloat64(r) }},
	{"NormFloat64", 1000000, func(r *rand.Rand) float64 { return NormFloat64(r) }},
	{"Zipf", 200000, zipfDraw(1.1, 1, 1000)},
	{"Zipf/steep", 200000, zipfDraw(2.5, 3, 1<<40)},
}

func zipfDraw(s, v float64, imax uint64) func(r *rand.Rand) float64 {
	var z *Zipf
	return func(r *rand.Rand) float64 {
		if z == nil {
			z = NewZipf(r, s, v, imax)
		}
		return float64(z.Uint64())
	}
}

// (The arguments are drawn with this package's functions and rounded
// products, so that they are the same on every architecture too.)

// TestGoldenDigests pins a digest of every function's results on many
// arguments. The digests are the same on every architecture: the
// cross-architecture test (scripts/cross-arch.sh) runs this test on arm64
// and on amd64 with GOAMD64=v3. Rewrite them with go test ./sim/detmath
// -run Golden -update only when a function deliberately changes.
func TestGoldenDigests(t *testing.T) {
	var got strings.Builder
	for _, c := range digestCases {
		r := rand.New(rand.NewPCG(1, uint64(len(c.name))))
		h := fnv.New64a()
		for range c.n {
			fmt.Fprintf(h, "%016x", math.Float64bits(c.one(r)))
		}
		fmt.Fprintf(&got, "%s %016x\n", c.name, h.Sum64())
	}
	path := filepath.Join("testdata", "digests.golden")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got.String()), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "golden file missing: run with -update")
	assert.Equal(t, string(want), got.String(), "results changed on %s; rerun with -update only if deliberate", path)
}

// TestSpecialCases checks the special values, which every architecture
// must agree on too.
func TestSpecialCases(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	tests := []struct {
		name      string
		got, want float64
	}{
		{"Exp(0)", Exp(0), 1},
		{"Exp(1)", Exp(1), math.E},
		{"Exp(+Inf)", Exp(inf), inf},
		{"Exp(-Inf)", Exp(-inf), 0},
		{"Exp(710)", Exp(710), inf},
		{"Exp(-800)", Exp(-800), 0},
		{"Exp(-1e300)", Exp(-1e300), 0},
		{"Exp(-745)", Exp(-745), 5e-324},
		{"Exp2(10)", Exp2(10), 1024},
		{"Exp2(-1)", Exp2(-1), 0.5},
		{"Exp2(+Inf)", Exp2(inf), inf},
		{"Exp2(-Inf)", Exp2(-inf), 0},
		{"Log(1)", Log(1), 0},
		{"Log(e)", Log(math.E), 1},
		{"Log(0)", Log(0), -inf},
		{"Log(-0)", Log(math.Copysign(0, -1)), -inf},
		{"Log(+Inf)", Log(inf), inf},
		{"Pow(10, -8)", Pow(10, -8), 1e-8},
		{"Pow(2, 0.5)", Pow(2, 0.5), math.Sqrt2},
		{"Pow(0, -1)", Pow(0, -1), inf},
		{"NormalQuantile(0.5)", NormalQuantile(0.5), 0},
		{"NormalQuantile(0)", NormalQuantile(0), -inf},
		{"NormalQuantile(1)", NormalQuantile(1), inf},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.got, tt.name)
	}
	for _, x := range []float64{Exp(nan), Exp2(nan), Log(nan), Log(-1), Pow(-2, 0.5), Pow(nan, 2)} {
		assert.True(t, math.IsNaN(x), "want NaN, got %v", x)
	}
	assert.Panics(t, func() { NormalQuantile(1.5) })
	assert.Nil(t, NewZipf(rand.NewPCG(1, 1), 1, 1, 10), "s must exceed 1")
}

// TestAccuracy checks the functions against math within a few ulps and the
// variates against their distributions' moments, so that a wrong constant
// cannot hide behind a digest.
func TestAccuracy(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		x := -700 + r.Float64()*1400
		assert.InEpsilon(t, math.Exp(x), Exp(x), 1e-15, "Exp(%v)", x)
		assert.InEpsilon(t, math.Exp2(x), Exp2(x), 1e-15, "Exp2(%v)", x)
		y := math.Float64frombits(r.Uint64()>>2 + 1<<60)
		assert.InEpsilon(t, math.Log(y), Log(y), 1e-15, "Log(%v)", y)
		p := r.Float64()
		assert.InDelta(t, 0, NormalQuantile(p)+NormalQuantile(1-p), 1e-9, "symmetry at %v", p)
	}
	var se, sn, sn2 float64
	const n = 1000000
	for range n {
		se += ExpFloat64(r)
		z := NormFloat64(r)
		sn, sn2 = sn+z, sn2+z*z
	}
	assert.InDelta(t, 1, se/n, 0.01, "exponential mean")
	assert.InDelta(t, 0, sn/n, 0.01, "normal mean")
	assert.InDelta(t, 1, sn2/n, 0.01, "normal variance")
}
