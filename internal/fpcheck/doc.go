// Package fpcheck finds floating-point code whose result may differ between
// architectures, so that the code on dsim's simulation paths keeps giving
// the same run for the same seed on amd64, arm64 and anything else Go
// compiles for. Its test runs it over sim/, protocols/ and scenarios/ (the
// code that turns floats into times, choices and orders) and fails on any
// finding that is not on the test's allowlist of report-only expressions.
//
// Two kinds of code are found:
//
//   - Fusable multiply-adds. The Go specification lets a compiler compute
//     x*y + z with one rounding instead of two, and the compilers for arm64,
//     ppc64, s390x and riscv64 (and amd64 with GOAMD64=v3) do, so the last
//     bit of the result depends on the architecture: then a time truncated
//     to whole nanoseconds, or a comparison, comes out differently. An
//     explicit conversion rounds and so prevents the fusion:
//     float64(x*y) + z. The check flags every + or - (and += or -=) of
//     floating-point type one of whose operands, under parentheses and unary
//     signs, is an unconverted product; a local variable assigned such a
//     product (the compiler fuses across statements, "t := x*y; r := t + z",
//     as the specification allows); or a call of a function of the same
//     package that returns one (the compiler fuses across inlining).
//   - Calls whose result is not the same everywhere: math's elementary
//     functions (Exp, Log, Pow, Erf and the others have assembly on some
//     architectures, and their Go code is compiled with fusion on others),
//     math/rand/v2's ExpFloat64, NormFloat64 and Zipf (built on them), and
//     anything in gonum's stat/distuv and mathext. Package sim/detmath has
//     the functions and variates that give the same bits everywhere.
//
// Exact operations are left alone: +, -, *, / and conversions round
// correctly on every architecture, and so do math.Sqrt, math.FMA, Floor,
// Ceil, Trunc, Round, Abs, Max, Min, Mod, Frexp, Ldexp and Modf.
//
// The check is syntactic, with types: it follows a product through a local
// variable or one call, not through fields, slices or several calls. What
// it cannot see, review and the cross-architecture test (scripts/cross-arch.sh,
// which compares amd64 and arm64 runs) catch.
//
// Use:
//
//	findings, err := fpcheck.Check("../..", "./sim/...", "./protocols/...")
//	for _, f := range findings {
//		fmt.Println(f)
//	}
package fpcheck
