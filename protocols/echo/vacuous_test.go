package echo_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/protocols/echo"
	"github.com/dsimlab/dsim/scenarios"
)

// TestANetworkThatAnswersNothingIsNotAPass: with every message dropped no
// ping is answered, so the echo check has nothing to check: inconclusive,
// vacuously, not the pass it used to be.
func TestANetworkThatAnswersNothingIsNotAPass(t *testing.T) {
	src := "name: v\nprotocol: echo\nnodes: 1\nclients: 2\nnetwork: {drop: 1.0}\nworkload: {ops: 10}\nduration: 1s\n"
	s, err := scenarios.Parse("v.yaml", []byte(src), []protocols.Protocol{echo.Protocol()})
	require.NoError(t, err)
	o, err := scenarios.Run(s, 1, scenarios.RunOptions{})
	require.NoError(t, err)
	require.Len(t, o.Checks, 1)
	assert.Equal(t, checker.Inconclusive, o.Checks[0].Verdict)
	assert.True(t, o.Checks[0].Vacuous)
	assert.Equal(t, "nothing to check: 10 pings, none answered", o.Checks[0].Detail)
	assert.False(t, o.Passed)
}
