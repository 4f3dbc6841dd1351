package detmath

import "math"

// Exp2 returns 2**x, the same bits on every architecture: those of
// math.Exp2 on amd64 built for the baseline, which is written in Go and
// which arm64 (or amd64 with GOAMD64=v3) would otherwise compile with
// fused multiply-adds. Special cases are as for math.Exp2.
//
// The method is math.Exp2's (FreeBSD's): x = k + t with k the nearest
// integer, 2^t = e^(t·ln 2) from a rational approximation, scaled by 2^k;
// every product is rounded before it is added.
func Exp2(x float64) float64 {
	const (
		ln2Hi     = 6.93147180369123816490e-01
		ln2Lo     = 1.90821492927058770002e-10
		overflow  = 1.0239999999999999e+03
		underflow = -1.0740e+03
	)
	switch {
	case math.IsNaN(x):
		return x
	case x > overflow:
		return math.Inf(1)
	case x < underflow:
		return 0
	}
	var k int
	switch {
	case x > 0:
		k = int(x + 0.5)
	case x < 0:
		k = int(x - 0.5)
	}
	t := x - float64(k)
	return expMulti(float64(t*ln2Hi), float64(-t*ln2Lo), k)
}

// expMulti returns e^r·2^k for r = hi − lo, |r| ≤ ln(2)/2, as math's
// expmulti does, with its products rounded.
func expMulti(hi, lo float64, k int) float64 {
	const (
		p1 = 1.66666666666666657415e-01
		p2 = -2.77777777770155933842e-03
		p3 = 6.61375632143793436117e-05
		p4 = -1.65339022054652515390e-06
		p5 = 4.13813679705723846039e-08
	)
	r := hi - lo
	t := float64(r * r)
	p := p4 + float64(t*p5)
	p = p3 + float64(t*p)
	p = p2 + float64(t*p)
	p = p1 + float64(t*p)
	c := r - float64(t*p)
	y := 1 - ((lo - float64(r*c)/(2-c)) - hi)
	return math.Ldexp(y, k)
}
