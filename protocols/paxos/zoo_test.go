package paxos_test

import (
	"flag"
	"fmt"
	"testing"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/dsimtest"
	"github.com/dsimlab/dsim/protocols/paxos"
)

var (
	zooBudget = flag.Int("zoo", 20, "seed budget of TestBugZoo per variant")
	zooAll    = flag.Bool("zoo-all", false, "TestBugZoo: run the whole budget and report each variant's detection rate")
)

// zoo pairs each bug variant with the library scenario that exposes it.
var zoo = []struct {
	variant  paxos.Variant
	scenario string
}{
	{paxos.IgnoreAccepted, "paxos-leader-crash"},
	{paxos.NoSync, "paxos-leader-crash"},
	{paxos.AcceptLower, "paxos-nemesis"},
	{paxos.QuorumFloor, "paxos-partition"},
	{paxos.LocalReads, "paxos-calm"},
	{paxos.NoDedup, "paxos-lossy"},
}

// safetyChecks are the protocol's safety checks, any of which may catch a
// variant.
var safetyChecks = []string{checker.LinearizabilityCheck, checker.PaxosAgreementCheck,
	checker.PaxosValidityCheck, checker.PaxosPrefixCheck}

// TestBugZoo sweeps each variant's scenario from seed 1 and asserts a
// safety violation turns up within the seed budget; then it sweeps the same
// seeds with the correct protocol and asserts every check holds.
func TestBugZoo(t *testing.T) {
	seeds := fmt.Sprintf("1-%d", *zooBudget)
	hunt := []dsimtest.Option{dsimtest.ExpectAnyViolation(safetyChecks...)}
	if *zooAll {
		hunt = append(hunt, dsimtest.EverySeed())
	}
	cleared := map[string]bool{}
	for _, z := range zoo {
		t.Run(string(z.variant), func(t *testing.T) {
			dsimtest.Sweep(t, load(t, z.scenario, z.variant), seeds, hunt...)
		})
		if cleared[z.scenario] {
			continue
		}
		cleared[z.scenario] = true
		t.Run("correct/"+z.scenario, func(t *testing.T) {
			dsimtest.Sweep(t, load(t, z.scenario, paxos.Correct), seeds)
		})
	}
}
