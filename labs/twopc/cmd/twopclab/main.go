// Command twopclab is dsim with your two-phase commit added, as the
// scenario protocol "twopc-lab": `go run ./cmd/twopclab lab test` grades
// it, and every other dsim subcommand (run, sweep, debug, explore, ...)
// runs it, so the replay lines the grading prints work as they are.
package main

import (
	"os"

	"github.com/dsimlab/dsim/cli"
	twopclab "github.com/dsimlab/dsim/labs/twopc"
	"github.com/dsimlab/dsim/protocols"
)

func main() {
	os.Exit(cli.Main(cli.Config{Name: "go run ./cmd/twopclab", Lab: "twopc",
		Protocols: []protocols.Protocol{twopclab.Protocol()}}))
}
