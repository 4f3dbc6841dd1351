package fpcheck

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"math"
	"strings"
)

// collectVars records the local variables assigned an unrounded product
// (x := a*b, x = a*b, var x = a*b, x *= a).
func (c *checker) collectVars(n ast.Node) bool {
	switch s := n.(type) {
	case *ast.AssignStmt:
		if s.Tok == token.MUL_ASSIGN && len(s.Lhs) == 1 && c.isFloat(s.Lhs[0]) && !c.isPowerOfTwo(s.Rhs[0]) {
			c.markVar(s.Lhs[0])
		}
		if (s.Tok == token.ASSIGN || s.Tok == token.DEFINE) && len(s.Lhs) == len(s.Rhs) {
			for i, r := range s.Rhs {
				if c.isProduct(r) {
					c.markVar(s.Lhs[i])
				}
			}
		}
	case *ast.ValueSpec:
		for i, v := range s.Values {
			if i < len(s.Names) && c.isProduct(v) {
				c.markVar(s.Names[i])
			}
		}
	}
	return true
}

// markVar records the local variable e names, if it names one.
func (c *checker) markVar(e ast.Expr) {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return
	}
	obj := c.info.Defs[id]
	if obj == nil {
		obj = c.info.Uses[id]
	}
	if v, ok := obj.(*types.Var); ok && v.Parent() != nil && v.Parent() != v.Pkg().Scope() {
		c.productVars[v] = true
	}
}

// visit checks every sum and call under n.
func (c *checker) visit(n ast.Node) bool {
	switch e := n.(type) {
	case *ast.BinaryExpr:
		if (e.Op == token.ADD || e.Op == token.SUB) && c.isFloat(e) {
			c.sum(e, e.X, e.Y)
		}
	case *ast.AssignStmt:
		if (e.Tok == token.ADD_ASSIGN || e.Tok == token.SUB_ASSIGN) && len(e.Lhs) == 1 && c.isFloat(e.Lhs[0]) {
			c.sum(e, e.Lhs[0], e.Rhs[0])
		}
	case *ast.CallExpr:
		if why := c.unportableCall(e); why != "" {
			c.report(e, why)
		}
	}
	return true
}

// sum reports the sum n of x and y if either operand may be fused into it.
func (c *checker) sum(n ast.Node, x, y ast.Expr) {
	for _, op := range []ast.Expr{x, y} {
		op = stripSigns(op)
		switch {
		case c.isProduct(op):
			c.report(n, whyFused)
			return
		case c.isProductVar(op):
			c.report(n, whyVariable)
			return
		case c.isProductCall(op):
			c.report(n, whyInlined)
			return
		}
	}
}

// stripSigns removes parentheses and unary + and - around e: -(x*y) + z
// fuses as well as x*y + z.
func stripSigns(e ast.Expr) ast.Expr {
	for {
		switch u := e.(type) {
		case *ast.ParenExpr:
			e = u.X
		case *ast.UnaryExpr:
			if u.Op != token.SUB && u.Op != token.ADD {
				return e
			}
			e = u.X
		default:
			return e
		}
	}
}

// isProduct reports whether e is a floating-point product computed at run
// time, not rounded by a conversion, and inexact. A constant product is
// folded, never fused; a product by a power of two is exact (short of
// overflow and underflow, which these paths never near), so fused and
// unfused sums agree.
func (c *checker) isProduct(e ast.Expr) bool {
	b, ok := stripSigns(e).(*ast.BinaryExpr)
	if !ok || b.Op != token.MUL || !c.isFloat(b) {
		return false
	}
	return c.info.Types[b].Value == nil && !c.isPowerOfTwo(b.X) && !c.isPowerOfTwo(b.Y)
}

// isPowerOfTwo reports whether e is a constant ±2^k.
func (c *checker) isPowerOfTwo(e ast.Expr) bool {
	v := c.info.Types[e].Value
	if v == nil {
		return false
	}
	f, _ := constant.Float64Val(constant.ToFloat(v))
	frac, _ := math.Frexp(math.Abs(f))
	return frac == 0.5
}

func (c *checker) isProductVar(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && c.productVars[c.info.Uses[id]]
}

func (c *checker) isProductCall(e ast.Expr) bool {
	call, ok := e.(*ast.CallExpr)
	return ok && c.productFuncs[calleeObject(c.info, call)]
}

// isFloat reports whether e has a floating-point type (named or not).
func (c *checker) isFloat(e ast.Expr) bool {
	t := c.info.Types[e].Type
	if t == nil {
		return false
	}
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&types.IsFloat != 0
}

// report records a finding at n.
func (c *checker) report(n ast.Node, why string) {
	var sb strings.Builder
	_ = printerConfig.Fprint(&sb, c.fset, n)
	c.out = append(c.out, Finding{Pos: c.fset.Position(n.Pos()), Func: c.fn, Expr: sb.String(), Why: why})
}
