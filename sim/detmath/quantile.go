package detmath

import "math"

// NormalQuantile returns the quantile of the standard normal distribution
// at p (its inverse CDF), the same bits on every architecture: gonum's
// mathext.NormalQuantile on this package's Log, so the bits of gonum's on
// amd64. It panics if p is outside [0, 1], as gonum's does; 0 and 1 give
// -Inf and +Inf.
//
// The method is Wichura's algorithm AS241 (1988): rational approximations
// of degree 7 in the centre (|p−½| ≤ 0.425) and, in the tails, in
// r = √(−log min(p, 1−p)), with a second pair beyond r = 5; relative error
// about 1e-16.
func NormalQuantile(p float64) float64 {
	switch {
	case p < 0 || 1 < p:
		panic("detmath: quantile out of bounds")
	case p == 1:
		return math.Inf(1)
	case p == 0:
		return math.Inf(-1)
	}
	dp := p - 0.5
	if math.Abs(dp) <= 0.425 {
		z := 0.180625 - float64(dp*dp)
		return float64(dp*horner(&zQSA, z)) / horner(&zQSB, z)
	}
	q := p
	if p >= 0.5 {
		q = 1 - p
	}
	r := math.Sqrt(-Log(q))
	var z1, z2 float64
	if r <= 5.0 {
		z1, z2 = horner(&zQIA, r-1.6), horner(&zQIB, r-1.6)
	} else {
		z1, z2 = horner(&zQTA, r-5), horner(&zQTB, r-5)
	}
	if p < 0.5 {
		return -z1 / z2
	}
	return z1 / z2
}

// horner evaluates the polynomial with coefficients c (highest degree
// first) at z, rounding every product.
func horner(c *[8]float64, z float64) float64 {
	v := c[0]
	for _, ci := range c[1:] {
		v = float64(v*z) + ci
	}
	return v
}

// The coefficients of AS241, as gonum's mathext has them.
var (
	zQSA = [8]float64{2509.0809287301226727, 33430.575583588128105, 67265.770927008700853, 45921.953931549871457, 13731.693765509461125, 1971.5909503065514427, 133.14166789178437745, 3.387132872796366608}
	zQSB = [8]float64{5226.495278852854561, 28729.085735721942674, 39307.89580009271061, 21213.794301586595867, 5394.1960214247511077, 687.1870074920579083, 42.313330701600911252, 1.0}
	zQIA = [8]float64{7.7454501427834140764e-4, 0.0227238449892691845833, 0.24178072517745061177, 1.27045825245236838258, 3.64784832476320460504, 5.7694972214606914055, 4.6303378461565452959, 1.42343711074968357734}
	zQIB = [8]float64{1.05075007164441684324e-9, 5.475938084995344946e-4, 0.0151986665636164571966, 0.14810397642748007459, 0.68976733498510000455, 1.6763848301838038494, 2.05319162663775882187, 1.0}
	zQTA = [8]float64{2.01033439929228813265e-7, 2.71155556874348757815e-5, 0.0012426609473880784386, 0.026532189526576123093, 0.29656057182850489123, 1.7848265399172913358, 5.4637849111641143699, 6.6579046435011037772}
	zQTB = [8]float64{2.04426310338993978564e-15, 1.4215117583164458887e-7, 1.8463183175100546818e-5, 7.868691311456132591e-4, 0.0148753612908506148525, 0.13692988092273580531, 0.59983220655588793769, 1.0}
)
