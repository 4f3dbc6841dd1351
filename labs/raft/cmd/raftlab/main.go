// Command raftlab is dsim with your Raft added, as the scenario protocol
// "raft-lab": `go run ./cmd/raftlab lab test` grades it, and every other
// dsim subcommand (run, sweep, debug, explore, ...) runs it, so the replay
// lines the grading prints work as they are.
package main

import (
	"os"

	"github.com/dsimlab/dsim/cli"
	raftlab "github.com/dsimlab/dsim/labs/raft"
	"github.com/dsimlab/dsim/protocols"
)

func main() {
	os.Exit(cli.Main(cli.Config{Name: "go run ./cmd/raftlab", Lab: "raft",
		Protocols: []protocols.Protocol{raftlab.Protocol()}}))
}
