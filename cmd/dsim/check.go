package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/checker"
)

func newCheck() *cobra.Command {
	var (
		model  string
		budget = durationFlag{d: 0}
	)
	cmd := &cobra.Command{
		Use:   "check HISTORY",
		Short: "Check a history file for linearizability with porcupine",
		Long: `check reads a history file (the JSON format of package checker: a version, a
model and a list of operations with call and return times, inputs, outputs and
ok/unknown outcomes) and checks it for linearizability against the register or
key-value model. Operations with unknown outcomes may or may not have taken
effect. Running out of --budget is inconclusive, which fails unless
--allow-inconclusive is given.

Exit status: 0 linearizable, 1 not linearizable (or inconclusive), 2 bad input.`,
		Example: "  dsim check history.json\n  dsim check history.json --model kv --budget 1m",
		Args:    exactArgs(1, "a history file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			ops, fileModel, err := checker.ReadHistory(f)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			if model == "" {
				model = fileModel
			} else if fileModel != "" && model != fileModel {
				return fmt.Errorf("--model %s, but %s is a %s history", model, args[0], fileModel)
			}
			m, err := checker.ModelByName(model)
			if err != nil {
				return fmt.Errorf("--model: %w", err)
			}
			res, err := checker.CheckLinearizable(m, ops, budget.d)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %d operations\n%s\n", args[0], len(ops), res.Result)
			allow, _ := cmd.Flags().GetBool("allow-inconclusive")
			if res.Verdict == checker.Holds || (res.Verdict == checker.Inconclusive && allow) {
				return nil
			}
			return errViolated
		},
	}
	cmd.Flags().StringVar(&model, "model", "", "register or kv (default: the file's model)")
	cmd.Flags().Var(&budget, "budget", "wall-clock budget, e.g. 30s (default: none)")
	cmd.Flags().Bool("allow-inconclusive", false, "exit 0 when the budget runs out")
	return cmd
}
