package studies

import (
	"fmt"

	"github.com/dsimlab/dsim/protocols/echo"
	"github.com/dsimlab/dsim/scenarios"
)

// Demo runs the built-in demonstration, the embedded echo-demo scenario,
// with one seed: one server and three clients pinging it over a lossy,
// duplicating, reordering network while the server is cut off from two
// clients, crashes and restarts, and a client pauses. It returns the run
// and the echo check of its history.
func Demo(seed uint64) (*scenarios.Outcome, echo.Result, error) {
	s, err := Catalog().Load("echo-demo")
	if err != nil {
		return nil, echo.Result{}, fmt.Errorf("demo: %w", err)
	}
	o, err := scenarios.Run(s, seed, scenarios.RunOptions{})
	if err != nil {
		return nil, echo.Result{}, fmt.Errorf("demo: %w", err)
	}
	return o, echo.Check(o.World.History()), nil
}
