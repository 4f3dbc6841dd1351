package fpcheck

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
)

// Finding is one expression whose floating-point result may differ between
// architectures.
type Finding struct {
	Pos  token.Position // where the expression starts
	Func string         // the enclosing function ("T.Method" for a method), "" outside any
	Expr string         // the expression, as gofmt prints it
	Why  string         // what may differ, and what to do about it
}

// String formats f as file:line:column: in Func: Expr: Why.
func (f Finding) String() string {
	return fmt.Sprintf("%s: in %s: %s: %s", f.Pos, f.Func, f.Expr, f.Why)
}

// The reasons a finding gives.
const (
	whyFused    = "the product may be fused into a multiply-add (write float64(x*y) to round it first)"
	whyVariable = "the variable holds an unrounded product that may be fused into this multiply-add (assign float64(x*y))"
	whyInlined  = "the function returns an unrounded product that may be fused into this multiply-add once inlined (return float64(x*y))"
	whyCall     = "may differ between architectures (use sim/detmath)"
)

// CheckFiles runs the check over one type-checked package: files and the
// types.Info (Types, Defs and Uses) the type checker filled.
func CheckFiles(fset *token.FileSet, files []*ast.File, info *types.Info) []Finding {
	c := &checker{fset: fset, info: info, productFuncs: map[types.Object]bool{}}
	for _, f := range files {
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil && c.returnsProduct(fd) {
				c.productFuncs[info.Defs[fd.Name]] = true
			}
		}
	}
	for _, f := range files {
		for _, d := range f.Decls {
			c.decl(d)
		}
	}
	return c.out
}

// checker holds one package's state while it is checked.
type checker struct {
	fset         *token.FileSet
	info         *types.Info
	productFuncs map[types.Object]bool // functions that return an unrounded product
	productVars  map[types.Object]bool // the current function's variables assigned one
	fn           string                // the current function's name
	out          []Finding
}

// decl checks one top-level declaration.
func (c *checker) decl(d ast.Decl) {
	c.fn, c.productVars = "", map[types.Object]bool{}
	if fd, ok := d.(*ast.FuncDecl); ok {
		c.fn = funcName(fd)
	}
	ast.Inspect(d, c.collectVars)
	ast.Inspect(d, c.visit)
}

// funcName is fd's name, with its receiver's type for a method.
func funcName(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return fd.Name.Name
	}
	t := fd.Recv.List[0].Type
	if s, ok := t.(*ast.StarExpr); ok {
		t = s.X
	}
	if g, ok := t.(*ast.IndexExpr); ok {
		t = g.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name + "." + fd.Name.Name
	}
	return fd.Name.Name
}

// returnsProduct reports whether some return statement of fd returns an
// unrounded floating-point product.
func (c *checker) returnsProduct(fd *ast.FuncDecl) bool {
	found := false
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		if _, ok := n.(*ast.FuncLit); ok {
			return false
		}
		if r, ok := n.(*ast.ReturnStmt); ok && len(r.Results) == 1 && c.isProduct(r.Results[0]) {
			found = true
		}
		return !found
	})
	return found
}
