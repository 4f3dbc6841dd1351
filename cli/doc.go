// Package cli is the whole dsim command as a library, so that a program of
// one's own can be dsim with its own protocols added: run, sweep (jobs,
// shards, fail-fast, progress, JSON and JUnit, the determinism check),
// shrink, fuzz, merge, diff, validate, list, check, compare, demo, debug
// (a web page that steps through a run, or read-only through a trace file
// that run --trace wrote, package debugger), help,
// --version and shell completion, for the built-in protocols and scenarios
// and for the program's. The dsim command itself (cmd/dsim) is cli.Main
// with nothing added.
//
// # Finding bugs and making them small
//
// `shrink SCENARIO --seed N` makes a failing run small (package shrink)
// and writes it as a scenario file that `run` replays. `fuzz SCENARIO
// --corpus DIR` runs seeds without end and keeps each kind of failure's
// fastest seed, shrunk (package fuzz); stop it and run it again to carry
// on. `run --check-determinism` and `sweep --check-determinism SHARE` run
// seeds twice and name the first event where the traces part; `diff A B`
// does the same for two trace files (package tracediff), and `debug
// --trace FILE` steps through one in the web page, read-only: a trace sent
// without the scenario or the code that made it.
//
// # Many machines
//
// `sweep --shard I/N` runs one shard of a range, and its summary records
// the range, the shard and the program's version; `merge FILES...`
// combines the shards' JSON summaries or --out journals into the summary
// of the whole range, with the same digest and failing seeds, as text,
// JSON or JUnit XML. deploy/ holds a Kubernetes Indexed Job and a GitHub
// Actions matrix that do so.
//
// # Your own command
//
// Write your protocol against package protocols (a Protocol value: name,
// parameters, checks, Setup), then give it a main:
//
//	package main
//
//	import (
//		"os"
//
//		"github.com/dsimlab/dsim/cli"
//		"github.com/dsimlab/dsim/protocols"
//
//		"example.com/regsim/register"
//	)
//
//	func main() {
//		os.Exit(cli.Main(cli.Config{Name: "regsim", Protocols: []protocols.Protocol{register.Protocol()}}))
//	}
//
// and `regsim run calm.yaml --seed 1`, `regsim sweep calm.yaml --seeds
// 1-10000 --shard 0/4 --format json`, `regsim list register` and the rest
// work for the register protocol as dsim's do for its own. Scenario files
// name it in their protocol: field; `regsim validate` checks them against
// its parameters and checks.
//
// Config.Name is the command as its users type it ("regsim", or "go run
// ./cmd/regsim" for a command that is not installed). Help and examples
// use it, and so does every replay line the command prints (run's text and
// JSON, sweep's failing seeds): `regsim run calm.yaml --seed 17`, which
// knows the register protocol where dsim would not. A scenario given by
// name is replayed by name, a file by the path as it was typed.
//
// Config.Scenarios adds named scenarios, NAME.yaml files at the root of an
// fs.FS, typically embedded so that the command finds them from any
// directory:
//
//	//go:embed scenarios/*.yaml
//	var files embed.FS
//
//	func main() {
//		sub, _ := fs.Sub(files, "scenarios")
//		os.Exit(cli.Main(cli.Config{Name: "regsim", Protocols: []protocols.Protocol{register.Protocol()},
//			Scenarios: sub, ScenarioDir: "scenarios"}))
//	}
//
// A protocol or scenario whose name is taken already (by a built-in one,
// or twice in Config) is an error when the command starts: exit status 2
// and a message naming it.
//
// # Exit statuses
//
// 0 every check held; 1 a check failed: it was violated, or inconclusive
// (a budgeted check ran out of its --budget) unless --allow-inconclusive
// or the scenario allows it; 2 bad input or usage, with a message that
// names the file, line and field, or the flag, at fault.
//
// # Running it in a test
//
// Run runs the command in the calling process with the given arguments
// and output streams and returns the exit status, so a test can run a
// command of one's own without building it:
//
//	var out, errOut bytes.Buffer
//	status := cli.Run(ctx, cfg, []string{"sweep", "calm.yaml", "--seeds", "1-200"}, &out, &errOut)
//
// Shell completion goes through the same door (the hidden __complete
// command cobra's completion scripts call).
//
// # Commands of one's own
//
// New returns the command tree (a *cobra.Command) without running it, for
// programs that add subcommands of their own; Execute runs it with the
// exit statuses above. A subcommand fails with status 1 by returning an
// error that wraps ErrFailed, and with status 2 by returning any other.
//
//	root, err := cli.New(cfg)
//	if err != nil { ... }
//	root.AddCommand(myReportCmd)
//	os.Exit(cli.Execute(context.Background(), root, os.Args[1:], os.Stdout, os.Stderr))
//
// # Shared flags
//
// --format text|json, --budget DURATION and --allow-inconclusive mean the
// same in every command that takes them (they are defined once, in
// flags.go); run and sweep also take --checks a,b to run only some of the
// protocol's checks (`list PROTOCOL` names them). run --history FILE
// writes the run's client operations as a history file that the check
// command reads, for protocols whose clients record key-value or register
// operations (checker.KVInput, checker.RegisterInput); any other history
// is refused with exit status 2 rather than written in a form check cannot
// read.
//
// # Completion
//
// `NAME completion bash|zsh|fish|powershell` writes a completion script.
// It offers scenario names (and YAML files) where a scenario is expected,
// protocol names for list, check names for --checks, balancer specs for
// compare --balancers, text/json for --format and register/kv for check
// --model.
//
// --version prints the program's module and version, the VCS revision and
// time it was built from and whether the tree had uncommitted changes (go
// build and go install record these; go run and go test do not, and say
// so), dsim's version for a program of one's own, and the Go toolchain.
package cli
