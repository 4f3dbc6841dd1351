package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/protocols"
)

// listOptions is what the list command was asked to show.
type listOptions struct {
	f   *factory
	Out io.Writer

	Protocol string // one protocol's params and checks, or "" for everything
	Verbose  bool   // every protocol's params and checks
}

// listLong is the list command's help.
const listLong = `list prints the named scenarios with their protocols and descriptions, then the
protocols with one line each. With --verbose it also lists each protocol's
parameters (with defaults and choices) and checks, which is what a scenario
file's params: and checks: (and the --checks flag of run and sweep) accept.
Given a PROTOCOL, it lists that protocol's parameters and checks only.`

// newCmdList builds the list command; runF, if not nil, is called with the
// parsed options instead of listing.
func newCmdList(f *factory, runF func(*listOptions) error) *cobra.Command {
	opts := &listOptions{f: f}
	cmd := &cobra.Command{
		Use:     "list [PROTOCOL]",
		Short:   "List the scenarios and the protocols, or one protocol's parameters and checks",
		Long:    listLong,
		Example: f.examples("list", "list --verbose", "list paxos"),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return fmt.Errorf("list takes at most one protocol name (got %d arguments); see %s --help", len(args), cmd.CommandPath())
			}
			return nil
		},
		ValidArgsFunction: f.completeProtocol,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Out = cmd.OutOrStdout()
			if len(args) == 1 {
				opts.Protocol = args[0]
			}
			if runF != nil {
				return runF(opts)
			}
			return runList(opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Verbose, "verbose", "v", false, "also list each protocol's parameters and checks")
	return cmd
}

// runList prints the catalog, or one protocol.
func runList(opts *listOptions) error {
	if opts.Protocol != "" {
		p, ok := opts.f.catalog.Protocol(opts.Protocol)
		if !ok {
			return fmt.Errorf("unknown protocol %q (want one of %s)", opts.Protocol, strings.Join(opts.f.protocolNames(), ", "))
		}
		tw := tabwriter.NewWriter(opts.Out, 2, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "%s\t%s\n", p.Name, p.Summary)
		listProtocol(tw, p)
		return tw.Flush()
	}
	tw := tabwriter.NewWriter(opts.Out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCENARIO\tPROTOCOL\tDESCRIPTION")
	for _, name := range opts.f.catalog.Names() {
		s, err := opts.f.catalog.Load(name)
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", name, s.Protocol.Name, oneLine(s.Description))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(opts.Out)
	tw = tabwriter.NewWriter(opts.Out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROTOCOL\tSUMMARY")
	for _, p := range opts.f.catalog.Protocols() {
		fmt.Fprintf(tw, "%s\t%s\n", p.Name, p.Summary)
		if opts.Verbose {
			listProtocol(tw, p)
		}
	}
	return tw.Flush()
}

// listProtocol writes one protocol's parameters and checks.
func listProtocol(tw *tabwriter.Writer, p protocols.Protocol) {
	for _, prm := range p.Params {
		doc := prm.Doc
		if len(prm.Choices) > 0 {
			doc += " (" + strings.Join(prm.Choices, ", ") + ")"
		}
		fmt.Fprintf(tw, "  param %s\t%s (default %v)\n", prm.Name, doc, prm.Default)
	}
	for _, c := range p.Checks {
		def := ""
		if c.Default {
			def = " (default)"
		}
		fmt.Fprintf(tw, "  check %s\t%s%s\n", c.Name, c.Summary, def)
	}
}

// oneLine folds a possibly multi-line description onto one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
