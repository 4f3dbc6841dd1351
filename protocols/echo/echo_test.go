package echo_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

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
