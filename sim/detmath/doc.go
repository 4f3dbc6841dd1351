// Package detmath is floating-point arithmetic that gives the same bits on
// every architecture: the elementary functions and random variates dsim's
// simulation paths need, for which math, math/rand/v2 and gonum's
// distributions do not promise it.
//
// Why they do not: the Go specification lets a compiler fuse x*y + z into
// one multiply-add with a single rounding, and the compilers for arm64,
// ppc64, s390x and riscv64 (and for amd64 with GOAMD64=v3) do, also inside
// the standard library and gonum; and math.Exp and math.Log have assembly
// versions on some architectures (Exp on amd64 and arm64, Log on amd64)
// that compute other bits than the Go code the rest use. math.Exp's amd64
// assembly even takes a different path on processors with and without FMA.
// One ulp is enough to move a latency truncated to whole nanoseconds, or a
// rejection test in a ziggurat, and the run diverges from there.
//
// What this package does about it:
//
//   - Exp is the algorithm of math.Exp's amd64 assembly on a processor with
//     FMA (Shibata's, from SLEEF), with its fused steps written as math.FMA,
//     which rounds once on every architecture (in hardware or in software),
//     and every other product rounded by an explicit float64 conversion,
//     which the specification says prevents fusion.
//   - Log is the algorithm of math.Log (fdlibm's) as amd64's assembly
//     computes it, every product rounded explicitly.
//   - Pow is math.Pow's Go code on this Exp and Log.
//   - NormalQuantile is gonum's mathext.NormalQuantile (Wichura's AS241) on
//     this Log, every Horner step rounded explicitly.
//   - ExpFloat64, NormFloat64 and Zipf are math/rand/v2's (the Marsaglia–Tsang
//     ziggurats with Go's tables, and Hörmann–Derflinger's rejection
//     inversion) on these functions, drawing the same numbers from the source
//     in the same order.
//
// On amd64, where Go rounds every operation and this machine's processors
// have FMA, each function returns exactly what its counterpart in math,
// math/rand/v2 or gonum returns (the tests check it on millions of
// arguments), so moving dsim onto this package changed no fingerprint there;
// on every other architecture it returns the same bits as on amd64, which
// the counterparts do not. Exact operations need nothing: +, -, *, /,
// conversions, math.Sqrt, math.FMA, Floor, Ceil, Trunc, Abs and Frexp round
// correctly everywhere.
//
// The latency samplers of package sim, the balancers' service times, the
// workload generator's gaps and keys, MapReduce's worker speeds, the
// φ-accrual detector's threshold and the nemesis draw through this package.
// A protocol of your own whose floats reach its behaviour (a timer, a
// choice, an order) should too:
//
//	gap := time.Duration(detmath.ExpFloat64(ctx.Rand()) / rate * float64(time.Second))
//	jitter := detmath.Exp(float64(detmath.NormFloat64(ctx.Rand()) * sigma))
//
// and should write x*y + z as float64(x*y) + z. The test in internal/fpcheck
// finds the expressions in dsim's own code that do not.
package detmath
