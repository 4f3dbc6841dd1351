package register_test

import (
	"testing"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/dsimtest"

	"github.com/dsimlab/dsim/examples/register"
)

// opts tell dsimtest about the register, its scenarios and its command.
var opts = []dsimtest.Option{
	dsimtest.Protocols(register.Protocol()),
	dsimtest.Scenarios(register.Scenarios, "scenarios"),
	dsimtest.Command("go run ./cmd/regsim"),
}

// TestCorrect sweeps every scenario over 200 seeds (10 with -short).
func TestCorrect(t *testing.T) {
	for _, name := range []string{"calm", "lossy", "crashes"} {
		t.Run(name, func(t *testing.T) {
			dsimtest.Sweep(t, name, "1-200", opts...)
		})
	}
}

// TestPlantedBugs requires each planted bug to be caught, by the check
// that should catch it, within 20 seeds.
func TestPlantedBugs(t *testing.T) {
	zoo := []struct{ variant, scenario, check string }{
		{register.StaleRead, "lossy", checker.LinearizabilityCheck},
		{register.NoSync, "crashes", register.DurableCheck},
	}
	for _, z := range zoo {
		t.Run(z.variant, func(t *testing.T) {
			s := dsimtest.Load(t, z.scenario, opts...).WithParam("variant", z.variant)
			dsimtest.Sweep(t, s, "1-20", dsimtest.ExpectViolation(z.check))
		})
	}
}

// TestGolden pins the runs of calm's first 20 seeds. After a deliberate
// change, rewrite the file with go test -run TestGolden -dsimtest.update.
func TestGolden(t *testing.T) {
	dsimtest.Sweep(t, "calm", "1-20", append(opts, dsimtest.Golden("testdata/calm.golden"))...)
}
