package detmath

import (
	"math"
	"math/rand/v2"
)

// Zipf draws Zipf-distributed integers: the same values from the same
// source as math/rand/v2's Zipf on amd64, on every architecture.
type Zipf struct {
	src          rand.Source
	imax         float64
	v            float64
	q            float64
	s            float64
	oneminusQ    float64
	oneminusQinv float64
	hxm          float64
	hx0minusHxm  float64
}

// NewZipf returns a generator of values k in [0, imax] with P(k)
// proportional to (v + k)**(-s), drawn from src, or nil unless s > 1 and
// v >= 1 (as rand.NewZipf).
//
// The method is Hörmann and Derflinger's rejection-inversion (1996), as
// math/rand/v2 implements it.
func NewZipf(src rand.Source, s, v float64, imax uint64) *Zipf {
	if s <= 1.0 || v < 1 {
		return nil
	}
	z := &Zipf{src: src, imax: float64(imax), v: v, q: s}
	z.oneminusQ = 1.0 - z.q
	z.oneminusQinv = 1.0 / z.oneminusQ
	z.hxm = z.h(z.imax + 0.5)
	z.hx0minusHxm = z.h(0.5) - Exp(float64(Log(z.v)*(-z.q))) - z.hxm
	z.s = 1 - z.hinv(z.h(1.5)-Exp(float64(-z.q*Log(z.v+1.0))))
	return z
}

func (z *Zipf) h(x float64) float64 {
	return float64(Exp(float64(z.oneminusQ*Log(z.v+x))) * z.oneminusQinv)
}

func (z *Zipf) hinv(x float64) float64 {
	return Exp(float64(z.oneminusQinv*Log(float64(z.oneminusQ*x)))) - z.v
}

// Uint64 returns the next value.
func (z *Zipf) Uint64() uint64 {
	var k float64
	for {
		r := float01(z.src)
		ur := z.hxm + float64(r*z.hx0minusHxm)
		x := z.hinv(ur)
		k = math.Floor(x + 0.5)
		if k-x <= z.s {
			break
		}
		if ur >= z.h(k+0.5)-Exp(float64(-Log(k+z.v)*z.q)) {
			break
		}
	}
	return uint64(k)
}
