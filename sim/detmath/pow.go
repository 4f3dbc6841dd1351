package detmath

import "math"

// Pow returns x**y, the same bits on every architecture: math.Pow's Go
// code on this package's Exp and Log, so the bits of math.Pow on amd64.
// Special cases are math.Pow's (which it returns for them).
//
// The method is math.Pow's: y = yi + yf with yi an integer and |yf| ≤ ½,
// x**yf = Exp(yf·Log(x)), and x**yi by repeated squaring of x's mantissa,
// the powers of two kept apart until the end.
func Pow(x, y float64) float64 {
	yi, yf := math.Modf(math.Abs(y))
	if special(x, y) || yf != 0 && x < 0 || yi >= 1<<63 {
		return math.Pow(x, y) // a constant, NaN, ±Inf, 0, x or √x: exact everywhere
	}
	a1, ae := 1.0, 0 // the result is a1·2^ae
	if yf != 0 {
		if yf > 0.5 {
			yf--
			yi++
		}
		a1 = Exp(float64(yf * Log(x)))
	}
	x1, xe := math.Frexp(x)
	for i := int64(yi); i != 0; i >>= 1 {
		if xe < -1<<12 || 1<<12 < xe {
			ae += xe // the result under- or overflows
			break
		}
		if i&1 == 1 {
			a1 = float64(a1 * x1)
			ae += xe
		}
		x1 = float64(x1 * x1)
		xe <<= 1
		if x1 < .5 {
			x1 += x1
			xe--
		}
	}
	if y < 0 {
		a1 = 1 / a1
		ae = -ae
	}
	return math.Ldexp(a1, ae)
}

// special reports whether math.Pow(x, y) is one of its special cases,
// which it computes without Exp or Log.
func special(x, y float64) bool {
	return y == 0 || x == 1 || y == 1 || math.IsNaN(x) || math.IsNaN(y) || x == 0 ||
		math.IsInf(x, 0) || math.IsInf(y, 0) || y == 0.5 || y == -0.5
}
