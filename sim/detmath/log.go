package detmath

import "math"

// The constants of math.Log (log.go and log_amd64.s).
const (
	hSqrt2 = 7.07106781186547524401e-01 // √2/2
	ln2Hi  = 6.93147180369123816490e-01 // 0x3fe62e42fee00000
	ln2Lo  = 1.90821492927058770002e-10 // 0x3dea39ef35793c76
	lg1    = 6.666666666666735130e-01   // 0x3FE5555555555593
	lg2    = 3.999999999940941908e-01   // 0x3FD999999997FA04
	lg3    = 2.857142874366239149e-01   // 0x3FD2492494229359
	lg4    = 2.222219843214978396e-01   // 0x3FCC71C51D8E78AF
	lg5    = 1.818357216161805012e-01   // 0x3FC7466496CB03DE
	lg6    = 1.531383769920937332e-01   // 0x3FC39A09D078C69F
	lg7    = 1.479819860511658591e-01   // 0x3FC2F112DF3E5244
)

// Log returns the natural logarithm of x, the same bits on every
// architecture: those of math.Log on amd64. Special cases are as for
// math.Log: Log(+Inf) = +Inf, Log(0) = -Inf, Log(x < 0) = NaN, Log(NaN) =
// NaN.
//
// The method is fdlibm's: x = 2^k·(1+f) with √2/2 < 1+f ≤ √2, and
// log(1+f) = f − f²/2 + s·(f²/2 + R(s²)) for s = f/(2+f), R a polynomial of
// degree 14. As in amd64's assembly, 1+f is taken from x's bits directly
// and doubled when it is at most √2/2 (math's Go code doubles it when it is
// below).
func Log(x float64) float64 {
	bits := math.Float64bits(x)
	switch {
	case bits&^(1<<63) == 0:
		return math.Inf(-1)
	case int64(bits) < 0:
		return math.NaN()
	case bits >= 0x7FF0000000000000:
		return x // +Inf or NaN
	}
	f1 := math.Float64frombits(bits&(1<<52-1) | 0x3FE0000000000000) // in [0.5, 1)
	k := float64(int(bits>>52&0x7FF) - 0x3FE)
	if f1 <= hSqrt2 {
		k--
		f1 = float64(f1 * 2)
	}
	f := f1 - 1
	s := f / (2 + f)
	s2 := float64(s * s)
	s4 := float64(s2 * s2)
	t1 := float64(s2 * (lg1 + float64(s4*(lg3+float64(s4*(lg5+float64(s4*lg7)))))))
	t2 := float64(s4 * (lg2 + float64(s4*(lg4+float64(s4*lg6)))))
	r := t1 + t2
	hfsq := float64(float64(0.5*f) * f)
	return float64(k*ln2Hi) - ((hfsq - (float64(s*(hfsq+r)) + float64(k*ln2Lo))) - f)
}
