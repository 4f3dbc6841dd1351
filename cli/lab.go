package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/labs"
)

// labLong is the lab command's help.
const labLong = `lab runs the graded labs. A lab is a protocol a student writes in parts, in a
Go module of its own that 'lab init' writes: the protocol's servers with
TODOs, a README that teaches the protocol and the tools, and a command of its
own, this program with the student's protocol added. 'lab test' grades it in tiers:
run (fixed seeds, calm and lossy networks), search (every order of events of
a small configuration, within bounds) and unreliable (seed sweeps with
crashes, partitions and random faults), with points per test, a score, a
hint for each failure, and each failing run saved with the command that
replays it and an HTML report.`

// newCmdLab builds the lab command and its subcommands.
func newCmdLab(f *factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "lab",
		Short: "Graded labs: list them, write a lab's skeleton, grade it",
		Long:  labLong,
		Example: f.examples("lab list", "lab list raft", "lab test --dir ~/raft-lab --tier run",
			"lab test raft --variant commit-old-term"),
	}
	cmd.AddCommand(newCmdLabList(f), newCmdLabInit(f), newCmdLabTest(f))
	return cmd
}

// newCmdLabList builds lab list.
func newCmdLabList(f *factory) *cobra.Command {
	return &cobra.Command{
		Use:   "list [LAB]",
		Short: "List the labs, or one lab's parts and tests",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return listLabs(cmd.OutOrStdout())
			}
			l, err := labs.Find(args[0])
			if err != nil {
				return err
			}
			return listLab(cmd.OutOrStdout(), l)
		},
	}
}

// listLabs prints a line per lab.
func listLabs(out io.Writer) error {
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LAB\tPARTS\tPOINTS\tWHAT")
	for _, l := range labs.All() {
		var parts []string
		for _, p := range l.Parts {
			parts = append(parts, p.Name)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", l.Name, strings.Join(parts, ", "), l.Max(nil), l.Summary)
	}
	return tw.Flush()
}

// listLab prints a lab's parts and tests.
func listLab(out io.Writer, l *labs.Lab) error {
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s: %s\n\nPART\tFILES\tWHAT\n", l.Name, l.Title)
	for _, p := range l.Parts {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", p.Name, strings.Join(p.Files, " "), p.Summary)
	}
	fmt.Fprintln(tw, "\nTIER\tTEST\tPART\tPOINTS\tSCENARIO\tSEEDS")
	for _, t := range l.Tests {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%d-%d\n", t.Tier, t.Name, t.Part, t.Points, t.Scenario, t.Seeds.First, t.Seeds.Last)
	}
	fmt.Fprintf(tw, "\ntotal\t\t\t%d\n", l.Max(nil))
	return tw.Flush()
}

// labInitOptions is what lab init was asked to do.
type labInitOptions struct {
	Module, DSim string
	Solution     bool
}

// newCmdLabInit builds lab init.
func newCmdLabInit(f *factory) *cobra.Command {
	opts := &labInitOptions{}
	cmd := &cobra.Command{
		Use:   "init LAB DIR",
		Short: "Write a lab's skeleton module in DIR, for a student to fill in",
		Long: f.sprintf(`init writes lab LAB's module in DIR (which must be empty): the files the
student fills in, with TODO(lab) comments where the solution goes, the files
given whole, the README, and the lab's command, which grades the module
('go run ./cmd/COMMAND lab test', or '$0 lab test --dir DIR') and runs it.

The module requires dsim. --dsim DIR points it at a checkout of dsim's source
(a replace directive), which is needed unless this program was built from a
published version of dsim. --solution writes the reference solution instead,
for a teacher.`),
		Args: exactArgs(2, "a lab name and a directory"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLabInit(cmd.OutOrStdout(), f, args[0], args[1], opts)
		},
	}
	cmd.Flags().StringVar(&opts.DSim, "dsim", "", "a checkout of dsim's source for the module to use (a replace directive)")
	cmd.Flags().StringVar(&opts.Module, "module", "", "the module path (default: the lab's command name)")
	cmd.Flags().BoolVar(&opts.Solution, "solution", false, "write the reference solution, not the skeleton")
	return cmd
}

// runLabInit writes the module and says what to do next.
func runLabInit(out io.Writer, f *factory, name, dir string, opts *labInitOptions) error {
	l, err := labs.Find(name)
	if err != nil {
		return err
	}
	iopts := labs.InitOptions{Module: opts.Module, Solution: opts.Solution, Version: dsimVersion()}
	if opts.DSim != "" {
		if iopts.DSim, err = filepath.Abs(opts.DSim); err != nil {
			return err
		}
		if _, err := os.Stat(filepath.Join(iopts.DSim, "go.mod")); err != nil {
			return fmt.Errorf("--dsim %s: not a checkout of dsim (%w)", opts.DSim, err)
		}
	} else if iopts.Version == "" {
		return errors.New("this program was built from dsim's source, not a published version: " +
			"give --dsim with the path of that source, for the lab's module to use")
	}
	files, err := labs.Init(l, dir, iopts)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "wrote lab %s in %s: %s\n\nnext:\n  cd %s\n  go mod tidy\n  go run ./cmd/%s lab test    # or: %s lab test --dir %s\n",
		l.Name, dir, strings.Join(files, " "), dir, l.Command, f.name, dir)
	return nil
}

// dsimVersion returns the published version of dsim this program was
// built with, or "" if it was built from source.
func dsimVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	m := info.Main
	for _, dep := range info.Deps {
		if dep.Path == modulePath {
			m = *dep
		}
	}
	if m.Path != modulePath || m.Replace != nil || m.Version == "" || m.Version == "(devel)" {
		return ""
	}
	return m.Version
}

// labTestOptions is what lab test was asked to do.
type labTestOptions struct {
	Variant, Dir, Out   string
	Tiers, Parts, Tests []string
}

// newCmdLabTest builds lab test.
func newCmdLabTest(f *factory) *cobra.Command {
	opts := &labTestOptions{}
	cmd := &cobra.Command{
		Use:   "test [LAB]",
		Short: "Grade a lab: the student's module, or dsim's own protocol (and its bug-zoo variants)",
		Long: f.sprintf(`test grades a lab and prints each test's points, what failed, a hint and
the command that replays the failing run, and the score. Each failing run is
saved in --out: TEST.yaml, the scenario, and TEST-seed-N.html, its report.

In a lab's own command ('go run ./cmd/COMMAND lab test') it grades the
student's code. With LAB it grades dsim's own protocol of that lab, in a
bug-zoo variant with --variant: what a student who made that mistake would
get. Otherwise it grades the lab module in --dir (default: the current
directory): it builds the module's command with go build and runs its
'lab test'.

--tier, --part and --test grade only some tests. Exit status: 0 every test
graded passed, 1 some test failed, 2 bad input or usage (the module does not
build), 130 or 143 interrupted.`),
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runLabTest(cmd, f, args, opts)
		},
	}
	cmd.Flags().StringVar(&opts.Variant, "variant", "", "with LAB: grade this bug-zoo variant of dsim's protocol")
	cmd.Flags().StringVar(&opts.Dir, "dir", ".", "the lab module to grade, without LAB")
	cmd.Flags().StringVar(&opts.Out, "out", "lab-runs", "where failing runs are saved (\"\": not saved)")
	cmd.Flags().StringSliceVar(&opts.Tiers, "tier", nil, "grade only these tiers: run, search, unreliable")
	cmd.Flags().StringSliceVar(&opts.Parts, "part", nil, "grade only the tests of these parts")
	cmd.Flags().StringSliceVar(&opts.Tests, "test", nil, "grade only these tests")
	registerChoices(cmd, "tier", "run", "search", "unreliable")
	return cmd
}

// runLabTest grades what opts and args say.
func runLabTest(cmd *cobra.Command, f *factory, args []string, opts *labTestOptions) error {
	switch {
	case f.lab != nil:
		if len(args) == 1 && args[0] != f.lab.Name || opts.Variant != "" {
			return fmt.Errorf("this command grades lab %s, its own code: give no LAB and no --variant", f.lab.Name)
		}
		p, ok := f.catalog.Protocol(f.lab.Protocol)
		if !ok {
			return fmt.Errorf("lab %s: this command has no protocol %q", f.lab.Name, f.lab.Protocol)
		}
		return gradeLab(cmd, f, f.lab, labs.Subject{Protocol: p}, opts)
	case len(args) == 1:
		l, err := labs.Find(args[0])
		if err != nil {
			return err
		}
		sub, err := l.BuiltinSubject(opts.Variant)
		if err != nil {
			return err
		}
		return gradeLab(cmd, f, l, sub, opts)
	case opts.Variant != "":
		return errors.New("--variant grades dsim's own protocol: give the LAB")
	}
	return gradeModule(cmd, opts)
}

// gradeLab grades sub and fails with ErrFailed unless every test passed.
func gradeLab(cmd *cobra.Command, f *factory, l *labs.Lab, sub labs.Subject, opts *labTestOptions) error {
	gopts := labs.Options{Parts: opts.Parts, Tests: opts.Tests, Out: opts.Out, Command: f.name,
		Progress: cmd.OutOrStdout(), Context: cmd.Context(), Saved: f.saveLabReport(cmd.Context())}
	for _, t := range opts.Tiers {
		tier, err := labs.ParseTier(t)
		if err != nil {
			return err
		}
		gopts.Tiers = append(gopts.Tiers, tier)
	}
	res, err := labs.Grade(l, sub, gopts)
	switch {
	case err != nil:
		return err // an interruption wraps *Interrupted, for its exit status
	case !res.Full():
		return ErrFailed
	}
	return nil
}

// saveLabReport returns the hook that writes a failing run's HTML report,
// as the run command's --html does.
func (f *factory) saveLabReport(ctx context.Context) func(*labs.Failure) error {
	return func(fl *labs.Failure) error {
		html := fmt.Sprintf("%s-seed-%d.html", strings.TrimSuffix(fl.Scenario, ".yaml"), fl.Seed)
		ro := &runOptions{f: f, Ctx: ctx, Out: io.Discard, ErrOut: io.Discard, Scenario: fl.Scenario,
			Seed: fl.Seed, SeedGiven: true, PathFile: fl.Path, HTMLFile: html}
		if err := runRun(ro); err != nil && !errors.Is(err, ErrFailed) {
			return fmt.Errorf("report of %s: %w", fl.Test, err)
		}
		fl.Report = html
		return nil
	}
}

// gradeModule builds the command of the lab module in opts.Dir and runs its
// lab test with the same options, passing its output and exit status on.
func gradeModule(cmd *cobra.Command, opts *labTestOptions) error {
	l, err := labOfModule(opts.Dir)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "dsim-lab-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, l.Command)
	build := exec.CommandContext(cmd.Context(), "go", "build", "-mod=mod", "-o", bin, "./cmd/"+l.Command)
	build.Dir, build.Stdout, build.Stderr = opts.Dir, cmd.ErrOrStderr(), cmd.ErrOrStderr()
	if err := build.Run(); err != nil {
		return fmt.Errorf("the lab module in %s does not build (%w): fix what go build says above", opts.Dir, err)
	}
	args := []string{"lab", "test", "--out", opts.Out}
	for _, f := range []struct {
		flag   string
		values []string
	}{{"--tier", opts.Tiers}, {"--part", opts.Parts}, {"--test", opts.Tests}} {
		if len(f.values) > 0 {
			args = append(args, f.flag, strings.Join(f.values, ","))
		}
	}
	run := exec.CommandContext(cmd.Context(), bin, args...)
	run.Dir, run.Stdout, run.Stderr = opts.Dir, cmd.OutOrStdout(), cmd.ErrOrStderr()
	return childStatus(run.Run())
}

// labOfModule finds which lab the module in dir is: the one whose command
// it has.
func labOfModule(dir string) (*labs.Lab, error) {
	for _, l := range labs.All() {
		if st, err := os.Stat(filepath.Join(dir, "cmd", l.Command)); err == nil && st.IsDir() {
			return l, nil
		}
	}
	return nil, fmt.Errorf("%s is not a lab module (no cmd/COMMAND of a lab; see lab init)", dir)
}

// childStatus maps the exit of a graded module's command to this one's:
// 1 stays a failed grading (it printed why); anything else is an error.
func childStatus(err error) error {
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == exitFailed {
		return ErrFailed
	}
	if err != nil {
		return fmt.Errorf("the lab's command: %w", err)
	}
	return nil
}
