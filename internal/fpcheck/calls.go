package fpcheck

import (
	"go/ast"
	"go/printer"
	"go/types"
	"strings"
)

// printerConfig prints a finding's expression on one line.
var printerConfig = printer.Config{Mode: printer.RawFormat}

// unportableMath are the functions of package math whose result may differ
// between architectures: they have assembly on some (Exp on amd64 and
// arm64, Log and Hypot on amd64, Exp2 on arm64) or Go code that the
// compilers of others fuse into multiply-adds. What math has beside them is
// exact everywhere (Sqrt, FMA, Floor, Abs, Frexp, ...).
var unportableMath = setOf("Acos", "Acosh", "Asin", "Asinh", "Atan", "Atan2", "Atanh", "Cbrt", "Cos", "Cosh",
	"Erf", "Erfc", "Erfcinv", "Erfinv", "Exp", "Exp2", "Expm1", "Gamma", "Hypot", "J0", "J1", "Jn", "Lgamma",
	"Log", "Log10", "Log1p", "Log2", "Pow", "Sin", "Sincos", "Sinh", "Tan", "Tanh", "Y0", "Y1", "Yn")

// unportableRand are math/rand's functions and methods built on them.
var unportableRand = setOf("ExpFloat64", "NormFloat64", "NewZipf", "Uint64@Zipf")

// unportableCall returns why the call's result may differ between
// architectures, or "" if it may not.
func (c *checker) unportableCall(call *ast.CallExpr) string {
	fn, ok := calleeObject(c.info, call).(*types.Func)
	if !ok || fn.Pkg() == nil {
		return ""
	}
	name := fn.Name()
	if recv := fn.Signature().Recv(); recv != nil {
		name += "@" + typeName(recv.Type())
	}
	switch path := fn.Pkg().Path(); {
	case path == "math" && unportableMath[name]:
		return "math." + fn.Name() + " " + whyCall
	case (path == "math/rand/v2" || path == "math/rand") && unportableRand[strings.Replace(name, "@Rand", "", 1)]:
		return "rand's " + fn.Name() + " " + whyCall
	case strings.HasPrefix(path, "gonum.org/v1/gonum/stat/distuv") || strings.HasPrefix(path, "gonum.org/v1/gonum/mathext"):
		return "gonum's " + fn.Name() + " " + whyCall
	}
	return ""
}

// calleeObject is the function or method a call calls, or nil for a
// conversion, a built-in or a call of a function value.
func calleeObject(info *types.Info, call *ast.CallExpr) types.Object {
	fun := ast.Unparen(call.Fun)
	if ix, ok := fun.(*ast.IndexExpr); ok { // a generic function with explicit type arguments
		fun = ix.X
	}
	switch f := fun.(type) {
	case *ast.Ident:
		return info.Uses[f]
	case *ast.SelectorExpr:
		return info.Uses[f.Sel]
	}
	return nil
}

// typeName is the name of a (pointer to a) named type, or "".
func typeName(t types.Type) string {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := t.(*types.Named); ok {
		return n.Obj().Name()
	}
	return ""
}

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}
