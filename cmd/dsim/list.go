package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/scenarios/library"
)

func newList() *cobra.Command {
	var verbose bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the built-in scenarios and the protocols",
		Long: `list prints the built-in scenarios with their descriptions, then the protocols
with one line each. With --verbose it also lists each protocol's parameters (with
defaults) and checks, which is what a scenario file's params: and checks: accept.`,
		Example: "  dsim list\n  dsim list --verbose",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SCENARIO\tPROTOCOL\tDESCRIPTION")
			for _, name := range library.Names() {
				s, err := library.Load(name)
				if err != nil {
					return err
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\n", name, s.Protocol.Name, oneLine(s.Description))
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout())
			tw = tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "PROTOCOL\tSUMMARY")
			for _, p := range library.Protocols() {
				fmt.Fprintf(tw, "%s\t%s\n", p.Name, p.Summary)
				if verbose {
					listProtocol(tw, p)
				}
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVarP(&verbose, "verbose", "v", false, "also list each protocol's parameters and checks")
	return cmd
}

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
