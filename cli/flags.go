package cli

import (
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios"
)

// The flags several commands share are defined here, once, and added to a
// command by the add* helpers (as gh's AddJSONFlags does): the same name,
// type, help text, validation and completion everywhere.

// Output formats of --format.
const (
	formatText  = "text"
	formatJSON  = "json"
	formatJUnit = "junit" // JUnit XML, for CI systems
)

// addFormatFlag adds --format text|json to cmd, checked as it is parsed;
// more names other formats the command writes too (formatJUnit).
func addFormatFlag(cmd *cobra.Command, format *string, more ...string) {
	*format = formatText
	choices := append([]string{formatText, formatJSON}, more...)
	cmd.Flags().Var(&choiceFlag{value: format, choices: choices}, "format", "output format: "+orList(choices))
	registerChoices(cmd, "format", choices...)
}

// checkFlags are the flags of every command that judges checks.
type checkFlags struct {
	// Budget, if positive, is the wall-clock budget of each budgeted check
	// (linearizability); running out of it is inconclusive.
	Budget time.Duration
	// AllowInconclusive lets inconclusive checks pass.
	AllowInconclusive bool
	// Memory, if positive, is the heap in bytes the process may reach
	// while a budgeted check runs (checker.SetMemoryLimit).
	Memory uint64
}

// addCheckFlags adds --budget and --allow-inconclusive to cmd; def says
// what the budget is when the flag is not given.
func addCheckFlags(cmd *cobra.Command, c *checkFlags, def string) {
	cmd.Flags().Var((*durationFlag)(&c.Budget), "budget",
		"wall-clock budget of each budgeted check, e.g. 30s (default: "+def+")")
	cmd.Flags().BoolVar(&c.AllowInconclusive, "allow-inconclusive", false,
		"let inconclusive checks pass (exit 0 when a budget runs out)")
	cmd.Flags().Var((*byteSizeFlag)(&c.Memory), "check-memory",
		"heap the process may reach while a budgeted check runs, e.g. 2GiB; beyond it the check is inconclusive (default 4GiB)")
}

// apply sets the process's memory limit for checks, and lets the garbage
// collector work harder as the heap nears it (unless GOMEMLIMIT chose a
// limit already), so that garbage does not count against a check.
func (c checkFlags) apply() {
	if c.Memory == 0 {
		return
	}
	checker.SetMemoryLimit(c.Memory)
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(min(c.Memory, math.MaxInt64)))
	}
}

// runOptions returns the scenario run options the flags ask for.
func (c checkFlags) runOptions() scenarios.RunOptions {
	return scenarios.RunOptions{CheckBudget: c.Budget, AllowInconclusive: c.AllowInconclusive}
}

// addChecksFlag adds --checks a,b to cmd, which runs a scenario given as
// its first argument, and completes the scenario protocol's check names.
func addChecksFlag(f *factory, cmd *cobra.Command, checks *[]string) {
	cmd.Flags().StringSliceVar(checks, "checks", nil,
		"run only these checks, comma-separated (default: the scenario's; see list PROTOCOL)")
	_ = cmd.RegisterFlagCompletionFunc("checks", f.completeChecks)
}

// selectChecks makes s run only the named checks, in the order given, if
// the --checks flag named any; each must be a check of s's protocol.
func selectChecks(s *scenarios.Scenario, names []string, given bool) error {
	if !given {
		return nil
	}
	if len(names) == 0 {
		return fmt.Errorf("--checks: name at least one check of protocol %s (%s)", s.Protocol.Name, checkNames(s.Protocol))
	}
	var picked []string
	for _, name := range names {
		if !slices.ContainsFunc(s.Protocol.Checks, func(c protocols.CheckInfo) bool { return c.Name == name }) {
			return fmt.Errorf("--checks: protocol %s has no check %q (want one of %s)", s.Protocol.Name, name, checkNames(s.Protocol))
		}
		if !slices.Contains(picked, name) {
			picked = append(picked, name)
		}
	}
	s.Checks = picked
	return nil
}

// checkNames lists a protocol's checks for a message.
func checkNames(p *protocols.Protocol) string {
	var names []string
	for _, c := range p.Checks {
		names = append(names, c.Name)
	}
	return strings.Join(names, ", ")
}

// durationFlag is a pflag.Value for a non-negative Go duration, with an
// error message that shows the expected form.
type durationFlag time.Duration

func (d *durationFlag) String() string {
	if *d == 0 {
		return ""
	}
	return time.Duration(*d).String()
}

func (d *durationFlag) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil || v < 0 {
		return fmt.Errorf("%q is not a duration (want e.g. 30s, 2m)", s)
	}
	*d = durationFlag(v)
	return nil
}

func (d *durationFlag) Type() string { return "duration" }

// byteSizeFlag is a pflag.Value for a number of bytes: 1024, 512MiB, 4GiB
// (also KiB, and KB, MB, GB for powers of ten).
type byteSizeFlag uint64

var byteUnits = []struct {
	suffix string
	scale  uint64
}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}, {"", 1}}

func (b *byteSizeFlag) String() string {
	if *b == 0 {
		return ""
	}
	return strconv.FormatUint(uint64(*b), 10)
}

func (b *byteSizeFlag) Set(s string) error {
	for _, u := range byteUnits {
		num, ok := strings.CutSuffix(strings.TrimSpace(s), u.suffix)
		if !ok {
			continue
		}
		n, err := strconv.ParseUint(strings.TrimSpace(num), 10, 64)
		if err != nil || n == 0 || n > math.MaxUint64/u.scale {
			break
		}
		*b = byteSizeFlag(n * u.scale)
		return nil
	}
	return fmt.Errorf("%q is not a size (want e.g. 512MiB, 4GiB)", s)
}

func (b *byteSizeFlag) Type() string { return "size" }

// choiceFlag is a pflag.Value for a string that must be one of choices.
type choiceFlag struct {
	value   *string
	choices []string
}

func (c *choiceFlag) String() string { return *c.value }

func (c *choiceFlag) Set(s string) error {
	if !slices.Contains(c.choices, s) {
		return fmt.Errorf("want %s", orList(c.choices))
	}
	*c.value = s
	return nil
}

func (c *choiceFlag) Type() string { return "string" }

// orList joins choices as "a, b or c".
func orList(choices []string) string {
	if len(choices) < 2 {
		return strings.Join(choices, "")
	}
	return strings.Join(choices[:len(choices)-1], ", ") + " or " + choices[len(choices)-1]
}

// registerChoices completes flag name of cmd with a fixed list.
func registerChoices(cmd *cobra.Command, name string, choices ...string) {
	_ = cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(choices, cobra.ShellCompDirectiveNoFileComp))
}

// exactArgs is cobra.ExactArgs with a message that says what the argument
// is and where help is.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			return fmt.Errorf("%s takes %s (got %d arguments); see %s --help", cmd.Name(), what, len(args), cmd.CommandPath())
		}
		return nil
	}
}
