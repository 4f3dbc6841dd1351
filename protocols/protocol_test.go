package protocols_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
)

// TestVariantParam: the variants are the choices, the first the default.
func TestVariantParam(t *testing.T) {
	type variant string
	p := protocols.VariantParam([]variant{"correct", "sloppy"})
	assert.Equal(t, "variant", p.Name)
	assert.Equal(t, protocols.String, p.Kind)
	assert.Equal(t, "correct", p.Default)
	assert.Equal(t, []string{"correct", "sloppy"}, p.Choices)
	assert.Equal(t, "correct", protocols.NewParams([]protocols.Param{p}, nil).String("variant"))
}

func TestCheckNames(t *testing.T) {
	p := protocols.Protocol{Checks: []protocols.CheckInfo{{Name: "b"}, {Name: "a"}}}
	assert.Equal(t, []string{"b", "a"}, p.CheckNames())
	assert.Empty(t, protocols.Protocol{}.CheckNames())
}

func TestReportFailed(t *testing.T) {
	held := checker.Result{Check: "a", Verdict: checker.Holds}
	violated := checker.Result{Check: "b", Verdict: checker.Violated}
	unsure := checker.Result{Check: "c", Verdict: checker.Inconclusive}
	r := protocols.Report{Checks: []checker.Result{held, violated, unsure}}
	assert.Equal(t, []checker.Result{violated, unsure}, r.Failed())
	assert.Empty(t, protocols.Report{Checks: []checker.Result{held}}.Failed())
}
