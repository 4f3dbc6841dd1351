package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/reports"
	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/scenarios/library"
)

func newRun() *cobra.Command {
	var (
		seed      uint64
		format    string
		traceFile string
		htmlFile  string
		budget    durationFlag
		allowInc  bool
	)
	cmd := &cobra.Command{
		Use:   "run SCENARIO",
		Short: "Run one seed of a scenario and print the verdict of each check",
		Long: `run runs one seed of a scenario (a built-in name from 'dsim list', or a path to a
YAML file) and prints each check's verdict, the statistics, the trace fingerprint,
the simulated time, the number of events and the wall time. The same scenario and
seed always give the same run and the same fingerprint.

Exit status: 0 every check held, 1 a check was violated (or inconclusive, unless
allowed), 2 bad input or usage.`,
		Example: `  dsim run echo-faults --seed 1
  dsim run my-scenario.yaml --seed 8812 --trace run.jsonl --html run.html
  dsim run echo-calm --format json`,
		Args: exactArgs(1, "a scenario name or file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return fmt.Errorf("--format %q: want text or json", format)
			}
			s, err := library.Load(args[0])
			if err != nil {
				return err
			}
			o, err := scenarios.Run(s, seed, scenarios.RunOptions{
				Trace: traceFile != "" || htmlFile != "", CheckBudget: budget.d, AllowInconclusive: allowInc})
			if err != nil {
				return err
			}
			o.File = args[0]
			if traceFile != "" {
				if err := writeFile(traceFile, o.World.WriteTraceJSONL); err != nil {
					return err
				}
			}
			if htmlFile != "" {
				if err := writeFile(htmlFile, func(w io.Writer) error {
					return reports.WriteHTML(w, o, reports.HTMLOptions{})
				}); err != nil {
					return err
				}
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				err = reports.WriteJSON(out, o)
			} else {
				err = reports.WriteText(out, o)
			}
			if err != nil {
				return err
			}
			if !o.Passed {
				return errViolated
			}
			return nil
		},
	}
	cmd.Flags().Uint64Var(&seed, "seed", 1, "root seed of the run")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&traceFile, "trace", "", "write the whole trace to this file as JSON Lines")
	cmd.Flags().StringVar(&htmlFile, "html", "", "write a self-contained HTML report to this file")
	cmd.Flags().Var(&budget, "budget", "wall-clock budget of each budgeted check, e.g. 30s (default: the scenario's)")
	cmd.Flags().BoolVar(&allowInc, "allow-inconclusive", false, "let inconclusive checks pass")
	return cmd
}

// writeFile creates path and fills it with write, reporting errors with the
// path.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
