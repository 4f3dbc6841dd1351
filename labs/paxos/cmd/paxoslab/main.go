// Command paxoslab is dsim with your Multi-Paxos added, as the scenario
// protocol "paxos-lab": `go run ./cmd/paxoslab lab test` grades it, and
// every other dsim subcommand (run, sweep, debug, explore, ...) runs it,
// so the replay lines the grading prints work as they are.
package main

import (
	"os"

	"github.com/dsimlab/dsim/cli"
	paxoslab "github.com/dsimlab/dsim/labs/paxos"
	"github.com/dsimlab/dsim/protocols"
)

func main() {
	os.Exit(cli.Main(cli.Config{Name: "go run ./cmd/paxoslab", Lab: "paxos",
		Protocols: []protocols.Protocol{paxoslab.Protocol()}}))
}
