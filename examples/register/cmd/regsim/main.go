// Command regsim is dsim with the register protocol and its scenarios
// added: `regsim run calm --seed 1`, `regsim sweep scenarios/lossy.yaml
// --seeds 1-1000`, `regsim list register`, and every other dsim command.
package main

import (
	"os"

	"github.com/dsimlab/dsim/cli"
	"github.com/dsimlab/dsim/protocols"

	"github.com/dsimlab/dsim/examples/register"
)

func main() {
	os.Exit(cli.Main(cli.Config{Name: "regsim", Protocols: []protocols.Protocol{register.Protocol()},
		Scenarios: register.Scenarios, ScenarioDir: "scenarios"}))
}
