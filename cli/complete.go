package cli

import (
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/scenarios/library"
)

// Shell completion: cobra's completion command writes the script for a
// shell, and the script asks the program itself (its hidden __complete
// command) for candidates, which these functions provide.

// completeScenario completes a command's one scenario argument.
func (f *factory) completeScenario(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	return f.completeScenarios(cmd, args, toComplete)
}

// completeScenarios completes scenario arguments: the catalog's names, with
// their protocols, and YAML files and directories under the path typed so
// far.
func (f *factory) completeScenarios(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	if !library.IsPath(toComplete) {
		for _, name := range f.catalog.Names() {
			if strings.HasPrefix(name, toComplete) {
				out = append(out, cobra.CompletionWithDesc(name, f.scenarioSummary(name)))
			}
		}
	}
	files := yamlFiles(toComplete)
	directive := cobra.ShellCompDirectiveNoFileComp
	if slices.ContainsFunc(files, func(s string) bool { return strings.HasSuffix(s, "/") }) {
		directive |= cobra.ShellCompDirectiveNoSpace // a directory is completed further
	}
	return append(out, files...), directive
}

// scenarioSummary describes a named scenario for completion: its protocol
// and the first line of its description.
func (f *factory) scenarioSummary(name string) string {
	s, err := f.catalog.Load(name)
	if err != nil {
		return ""
	}
	desc, _, _ := strings.Cut(strings.TrimSpace(s.Description), "\n")
	return s.Protocol.Name + ": " + desc
}

// yamlFiles lists the YAML files and directories whose paths start with
// prefix (hidden ones only when prefix asks for them).
func yamlFiles(prefix string) []cobra.Completion {
	dir, base := filepath.Split(prefix)
	entries, err := os.ReadDir(cmp.Or(dir, "."))
	if err != nil {
		return nil
	}
	var out []cobra.Completion
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, base) || (strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".")) {
			continue
		}
		switch {
		case e.IsDir():
			out = append(out, dir+name+"/")
		case strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml"):
			out = append(out, dir+name)
		}
	}
	return out
}

// completeProtocol completes a command's one protocol argument.
func (f *factory) completeProtocol(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []cobra.Completion
	for _, p := range f.catalog.Protocols() {
		if strings.HasPrefix(p.Name, toComplete) {
			out = append(out, cobra.CompletionWithDesc(p.Name, p.Summary))
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// protocolNames returns the catalog's protocol names, sorted.
func (f *factory) protocolNames() []string {
	var names []string
	for _, p := range f.catalog.Protocols() {
		names = append(names, p.Name)
	}
	return names
}

// completeChecks completes --checks: the checks of the protocol of the
// scenario given as the first argument, or, before it is given, of every
// protocol.
func (f *factory) completeChecks(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var names []string
	for _, p := range f.catalog.Protocols() {
		for _, c := range p.Checks {
			names = append(names, c.Name)
		}
	}
	if len(args) > 0 {
		if s, err := f.catalog.Load(args[0]); err == nil {
			names = nil
			for _, c := range s.Protocol.Checks {
				names = append(names, c.Name)
			}
		}
	}
	slices.Sort(names)
	return completeList(slices.Compact(names), toComplete), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// completeList completes the last item of a comma-separated list: the
// candidates that start with it and are not in the list already, each
// after the items typed before it.
func completeList(candidates []string, toComplete string) []cobra.Completion {
	done := strings.Split(toComplete, ",")
	last := done[len(done)-1]
	done = done[:len(done)-1]
	head := strings.Join(append(slices.Clone(done), ""), ",")
	var out []cobra.Completion
	for _, c := range candidates {
		if strings.HasPrefix(c, last) && !slices.Contains(done, c) {
			out = append(out, head+c)
		}
	}
	return out
}
