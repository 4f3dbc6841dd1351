package detmath

import "math/rand/v2"

// The rightmost layers' edges of the ziggurats (math/rand/v2's re and rn).
const (
	re = 7.69711747013104972
	rn = 3.442619855899
)

// ExpFloat64 returns an exponentially distributed float64 with rate 1
// (mean 1) in (0, +math.MaxFloat64], drawn from src: what
// rand.New(src).ExpFloat64() returns on amd64, the same bits on every
// architecture. Divide by a rate for another; gonum's
// distuv.Exponential{Rate: λ, Src: src}.Rand() is ExpFloat64(src)/λ.
//
// The method is Marsaglia and Tsang's ziggurat (2000) with math/rand/v2's
// tables: one 64-bit draw picks a layer and a point, accepted at once about
// 98.9% of the time; otherwise a rejection test against Exp, or the tail
// beyond re drawn through Log.
func ExpFloat64(src rand.Source) float64 {
	for {
		u := src.Uint64()
		j := uint32(u)
		i := uint8(u >> 32)
		x := float64(j) * float64(we[i])
		if j < ke[i] {
			return x
		}
		if i == 0 {
			return re - Log(float01(src))
		}
		if fe[i]+float32(float32(float01(src))*(fe[i-1]-fe[i])) < float32(Exp(-x)) {
			return x
		}
	}
}

// NormFloat64 returns a standard normal float64 (mean 0, standard
// deviation 1) drawn from src: what rand.New(src).NormFloat64() returns on
// amd64, the same bits on every architecture. For mean μ and deviation σ
// write float64(NormFloat64(src)*σ) + μ, which is what gonum's
// distuv.Normal{Mu: μ, Sigma: σ, Src: src}.Rand() returns on amd64.
//
// The method is Marsaglia and Tsang's ziggurat with math/rand/v2's tables,
// as for ExpFloat64, with Marsaglia's tail method beyond rn.
func NormFloat64(src rand.Source) float64 {
	for {
		u := src.Uint64()
		j := int32(u) // possibly negative
		i := u >> 32 & 0x7F
		x := float64(j) * float64(wn[i])
		if absInt32(j) < kn[i] {
			return x
		}
		if i == 0 {
			return normTail(src, j > 0)
		}
		if fn[i]+float32(float32(float01(src))*(fn[i-1]-fn[i])) < float32(Exp(-.5*x*x)) {
			return x
		}
	}
}

// normTail draws from the normal distribution's tail beyond rn (or below
// -rn), by Marsaglia's method.
func normTail(src rand.Source, positive bool) float64 {
	var x float64
	for {
		x = float64(-Log(float01(src)) * (1.0 / rn))
		y := -Log(float01(src))
		if y+y >= x*x {
			break
		}
	}
	if positive {
		return rn + x
	}
	return -rn - x
}

func absInt32(i int32) uint32 {
	if i < 0 {
		return uint32(-i)
	}
	return uint32(i)
}

// float01 is rand.Rand.Float64 on src: a uniform float64 in [0, 1) with 53
// random bits.
func float01(src rand.Source) float64 {
	return float64(src.Uint64()<<11>>11) / (1 << 53)
}
