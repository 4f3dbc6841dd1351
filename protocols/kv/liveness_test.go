package kv_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols/kv"
	"github.com/dsimlab/dsim/sim"
)

// TestCheckLiveness runs the liveness check on histories after a fault at
// 10s, with a 1s bound: each verdict, and the operations it counts.
func TestCheckLiveness(t *testing.T) {
	s := int64(time.Second)
	done := func(call, ret int64) checker.Operation {
		return checker.Operation{Call: call, Return: ret, Outcome: checker.OK}
	}
	pending := checker.Operation{Call: 10 * s, Outcome: checker.Unknown}
	fault := kv.Faults{Last: sim.Time(10 * s), N: 1}
	for _, tc := range []struct {
		name   string
		hist   []checker.Operation
		end    int64
		want   checker.Verdict
		detail string
	}{
		{"completed", []checker.Operation{pending, done(10*s, 10*s+s/2)}, 20 * s, checker.Holds,
			"1 of 2 operations pending within 1s after the last fault (at 10s) completed in that time, the first 500ms after it"},
		{"nothing pending", []checker.Operation{done(s, 2*s), done(12*s, 13*s)}, 20 * s, checker.Holds,
			"no operation was pending within 1s after the last fault (at 10s)"},
		{"ended early", []checker.Operation{pending}, 10*s + s/2, checker.Inconclusive,
			"the run ended 500ms after the last fault (at 10s), before the 1s bound, with 1 operations pending and none completed"},
		{"too late", []checker.Operation{pending, done(10*s, 12*s)}, 20 * s, checker.Violated,
			"none of 2 operations pending within 1s after the last fault (at 10s) completed in that time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := kv.CheckLiveness(tc.hist, fault, time.Second, sim.Time(tc.end))
			assert.Equal(t, checker.Liveness, r.Kind)
			assert.Equal(t, tc.want, r.Verdict)
			assert.Equal(t, tc.detail, r.Detail)
		})
	}
	r := kv.CheckLiveness([]checker.Operation{pending}, kv.Faults{}, time.Second, sim.Time(20*s))
	assert.Equal(t, "no operation was pending within 1s after the start", r.Detail, "no fault: counted from the start")
}
