package paxos_test

import (
	"cmp"
	"flag"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/dsimtest"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/paxos"
	"github.com/dsimlab/dsim/scenarios"
)

var sweep = flag.Int("sweep", 0, "seeds per library scenario in TestLibrarySweep (0: a small default)")

// libraryScenarios are the Paxos scenarios of the built-in library.
var libraryScenarios = []string{"paxos-calm", "paxos-lossy", "paxos-leader-crash", "paxos-partition",
	"paxos-nemesis", "paxos-clock-skew"}

// load loads a Paxos library scenario against a protocol table of its own,
// so these tests do not depend on the library's table.
func load(t testing.TB, name string, variant paxos.Variant) *scenarios.Scenario {
	t.Helper()
	s, err := scenarios.Load(filepath.Join("..", "..", "scenarios", "library", name+".yaml"),
		[]protocols.Protocol{paxos.Protocol()})
	require.NoError(t, err)
	if variant != paxos.Correct {
		s = s.WithParam("variant", string(variant))
	}
	return s
}

// TestLibrarySweep runs the correct protocol on every Paxos library
// scenario for a range of seeds (-sweep N; 3 by default) and asserts that
// every check, safety and liveness, holds on every seed.
func TestLibrarySweep(t *testing.T) {
	seeds := fmt.Sprintf("1-%d", cmp.Or(*sweep, 3))
	for _, name := range libraryScenarios {
		t.Run(name, func(t *testing.T) { dsimtest.Sweep(t, load(t, name, paxos.Correct), seeds) })
	}
}

// A failed linearizability check keeps porcupine's visualization and names
// the keys at fault; the other checks of the run are still reported.
func TestViolationReport(t *testing.T) {
	s := load(t, "paxos-calm", paxos.LocalReads)
	o, err := scenarios.Run(s, 1, scenarios.RunOptions{})
	require.NoError(t, err)
	require.False(t, o.Passed)
	require.Len(t, o.Checks, 5)
	lin := o.Checks[0]
	require.Equal(t, checker.LinearizabilityCheck, lin.Check)
	require.Equal(t, checker.Violated, lin.Verdict)
	require.NotEmpty(t, lin.Offending)
	require.NotNil(t, o.Visualization)
	var html strings.Builder
	require.NoError(t, o.Visualization(&html))
	require.Contains(t, html.String(), "<html")
	// Stale reads break no Paxos rule: the log itself is fine.
	for _, c := range o.Checks[1:] {
		require.Equal(t, checker.Holds, c.Verdict, c.String())
	}
}

func TestProtocolDescription(t *testing.T) {
	p := paxos.Protocol()
	require.Equal(t, "paxos", p.Name)
	var names []string
	for _, c := range p.Checks {
		names = append(names, c.Name)
		require.True(t, c.Default, c.Name)
	}
	require.Equal(t, []string{checker.LinearizabilityCheck, checker.PaxosAgreementCheck, checker.PaxosValidityCheck,
		checker.PaxosPrefixCheck, paxos.LivenessCheck}, names)
	var variants []string
	for _, v := range paxos.Variants {
		variants = append(variants, string(v))
	}
	require.Equal(t, variants, p.Params[0].Choices)

	s := load(t, "paxos-calm", paxos.Correct)
	w, inst, _, err := scenarios.Build(s, 1, false)
	require.NoError(t, err)
	require.Len(t, inst.Servers(), 5)
	require.Equal(t, "n1", w.Name(inst.Servers()[0]))
	rep := inst.Check(protocols.CheckRequest{World: w, Checks: []string{"no-such-check"}})
	require.Len(t, rep.Checks, 1)
	require.Equal(t, checker.Inconclusive, rep.Checks[0].Verdict)

	_, err = paxos.ParseVariant("sloppy")
	require.Error(t, err)
}
