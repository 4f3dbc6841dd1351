package detmath

import "math"

// The constants of math.Exp's amd64 assembly (exp_amd64.s).
const (
	log2e    = 1.4426950408889634073599246810018920                  // 1/ln 2
	ln2U     = 0.69314718055966295651160180568695068359375           // upper half of ln 2
	ln2L     = 0.28235290563031577122588448175013436025525412068e-12 // lower half of ln 2
	overflow = 7.09782712893384e+02
)

// expTaylor are the Taylor coefficients 1/n! for n = 9 down to 3, then
// 1/2 and 1, the order in which the polynomial is evaluated.
var expTaylor = [...]float64{
	2.4801587301587301587e-5, 1.9841269841269841270e-4, 1.3888888888888888889e-3,
	8.3333333333333333333e-3, 4.1666666666666666667e-2, 1.6666666666666666667e-1,
	0.5, 1.0,
}

// Exp returns e**x, the same bits on every architecture: those of
// math.Exp on amd64 with FMA. Special cases are as for math.Exp: Exp(+Inf)
// = +Inf, Exp(NaN) = NaN, Exp(-Inf) = 0; very large x overflow to +Inf and
// very negative x underflow to 0.
//
// The method is Shibata's ("Efficient evaluation methods of elementary
// functions suitable for SIMD computation", 2010): x = k·ln 2 + r with k
// an integer, r/16 goes into a Taylor polynomial of degree 9, the result
// is squared back up four times as y·(y+2) (which maps e^a−1 to e^2a−1),
// and scaled by 2^k.
func Exp(x float64) float64 {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 1):
		return x
	case math.IsInf(x, -1):
		return 0
	case x > overflow:
		return math.Inf(1)
	}
	kf := math.RoundToEven(float64(log2e * x)) // CVTSD2SL: round to nearest even
	if kf < math.MinInt32 {
		return 0 // the conversion's "integer indefinite", which underflows
	}
	r := math.FMA(-kf, ln2U, x)
	r = math.FMA(-kf, ln2L, r)
	r = float64(r * 0.0625)
	p := expTaylor[0]
	for _, c := range expTaylor[1:] {
		p = math.FMA(p, r, c)
	}
	y := float64(p * r) // e^r' − 1 for r' = r/16
	for range 3 {
		y = float64(y * float64(y+2))
	}
	y = math.FMA(y, float64(y+2), 1)
	return scale(y, int(kf))
}

// scale returns y·2^k as the assembly does: one multiplication by a power
// of two, or two when the result is subnormal.
func scale(y float64, k int) float64 {
	e := k + 0x3FF
	switch {
	case e >= 0x7FF:
		return math.Inf(1)
	case e > 0:
		return float64(y * math.Float64frombits(uint64(e)<<52))
	case e < -52:
		return 0
	}
	y = float64(y * math.Float64frombits(uint64(e+0x3FE)<<52))
	return float64(y * math.Float64frombits(1<<52))
}
