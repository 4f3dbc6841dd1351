package echo_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/protocols/echo"
	"github.com/dsimlab/dsim/sim"
)

func TestCheckPassesAndFails(t *testing.T) {
	good := []sim.Operation{
		{Input: echo.Ping{Seq: 1}, Output: echo.Pong{Seq: 1}, Returned: true},
		{Input: echo.Ping{Seq: 2}, Return: sim.Never}, // lost: unknown, not wrong
	}
	r := echo.Check(good)
	assert.True(t, r.Holds())
	assert.Equal(t, echo.Result{Pings: 2, Answered: 1}, r)

	bad := append(good, sim.Operation{Input: echo.Ping{Seq: 3}, Output: echo.Pong{Seq: 4}, Returned: true})
	r = echo.Check(bad)
	assert.False(t, r.Holds())
	assert.Equal(t, 1, r.Wrong)
	assert.Contains(t, r.String(), "violated")
}

func TestDemoHoldsAndIsDeterministic(t *testing.T) {
	w1, r1, err := echo.Demo(5)
	require.NoError(t, err)
	w2, r2, err := echo.Demo(5)
	require.NoError(t, err)
	assert.True(t, r1.Holds())
	assert.Equal(t, r1, r2)
	assert.Equal(t, w1.Fingerprint(), w2.Fingerprint())
	assert.Less(t, r1.Answered, r1.Pings, "the demo's faults lose some pings")
}
