// Command dsim runs deterministic simulations of distributed systems and
// checks what they did. Run `dsim --help` for the subcommands.
//
// It is cli.Main with no protocols beyond the built-in ones: package cli
// builds this whole command, and a program of one's own adds its protocols
// and scenarios to it in a main of one line (see `go doc ./cli`).
package main

import (
	"os"

	"github.com/dsimlab/dsim/cli"
)

func main() { os.Exit(cli.Main(cli.Config{})) }
