package lb

import (
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/dsimlab/dsim/sim/detmath"
)

// sizer draws request sizes, in nanoseconds of work at speed 1, from a
// client's workload stream: gonum's distributions' draws, computed through
// sim/detmath so that they are the same on every architecture (gonum's
// Rand is compiled with fused multiply-adds on arm64 and calls math.Exp).
type sizer struct {
	kind string
	mean float64
	exp  distuv.Exponential
	logn distuv.LogNormal
	par  distuv.Pareto
	norm distuv.Normal
}

func newSizer(svc Service, src interface{ Uint64() uint64 }) sizer {
	mean := float64(svc.Mean)
	z := sizer{kind: svc.Kind, mean: mean}
	switch svc.Kind {
	case ServiceExponential:
		z.exp = distuv.Exponential{Rate: 1 / mean, Src: src}
	case ServiceLogNormal:
		// mean = exp(mu + sigma²/2)
		z.logn = distuv.LogNormal{Mu: detmath.Log(mean) - svc.Sigma*svc.Sigma/2, Sigma: svc.Sigma, Src: src}
	case ServicePareto:
		// mean = alpha·xm/(alpha−1)
		z.par = distuv.Pareto{Xm: mean * (svc.Alpha - 1) / svc.Alpha, Alpha: svc.Alpha, Src: src}
	case ServiceNormal:
		z.norm = distuv.Normal{Mu: mean, Sigma: float64(svc.StdDev), Src: src}
	}
	return z
}

// maxRedraws bounds the redraws of a truncated normal size; past it (a
// mean many deviations below zero) the size is the smallest positive one.
const maxRedraws = 1000

func (z *sizer) draw() float64 {
	switch z.kind {
	case ServiceLogNormal: // z.logn.Rand()
		return detmath.Exp(float64(detmath.NormFloat64(z.logn.Src)*z.logn.Sigma) + z.logn.Mu)
	case ServicePareto: // z.par.Rand()
		return z.par.Xm * detmath.Exp(detmath.ExpFloat64(z.par.Src)/z.par.Alpha)
	case ServiceConstant:
		return z.mean
	case ServiceNormal:
		for range maxRedraws {
			if x := float64(detmath.NormFloat64(z.norm.Src)*z.norm.Sigma) + z.norm.Mu; x > 0 { // z.norm.Rand()
				return x
			}
		}
		return 1
	}
	return detmath.ExpFloat64(z.exp.Src) / z.exp.Rate // z.exp.Rand()
}
