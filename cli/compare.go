package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/protocols/chash"
	"github.com/dsimlab/dsim/protocols/lb"
	"github.com/dsimlab/dsim/runner"
	"github.com/dsimlab/dsim/studies"
)

// This file is the compare command: a study of one scenario under several
// cases with the same seeds (package studies), either the balancers of an
// lb scenario or the values of any protocol parameter.

// compareOptions is what the compare command was asked to compare.
type compareOptions struct {
	f   *factory
	Cmd *cobra.Command
	Out io.Writer

	Scenario  string
	Seeds     string   // --seeds A-B
	Balancers []string // balancer specs, or nil for all
	Vary      string   // --vary PARAM=V1,V2,...
	Jobs      int
	PNGFile   string
	SVGFile   string
	Format    string
}

// compareLong is the compare command's help; "$0" is the program's name.
const compareLong = `compare runs one scenario under several cases with the same seeds: common
random numbers, so every case sees the same arrivals, keys, faults and network
draws, and differences between rows are the cases', not noise. Each figure is a
mean over the seeds with its 95% Student-t confidence interval, and some also
show the paired difference from the first row. Seeds run in parallel (--jobs);
the table is the same for any number of jobs.

--vary PARAM=V1,V2,... compares values of one protocol parameter on any
scenario, e.g. --vary variant=correct,no-dedup on paxos-nemesis, tabulating
the protocol's statistics and the pass rate of each check.

On an lb scenario, without --vary, it compares load balancers (--balancers, or
all of them): latency mean and percentiles, load spread, failures, cache hit
ratio and keys moved per membership change. Balancer specs: random,
round-robin, weighted-round-robin, least-connections, power-of-d (or
power-of-d:3), join-shortest-queue, peak-ewma (or peak-ewma:1s), consistent-hash
(or consistent-hash:ring|rendezvous|jump|bounded-load|maglev, which compares
the hashing algorithms). --png FILE or --svg FILE also draws the latency CDF
per balancer (FILE), the per-server load bars (FILE with -load before the
extension) and, when some balancer hashes keys, the keys moved per membership
change (-moved).`

// newCmdCompare builds the compare command; runF, if not nil, is called
// with the parsed options instead of comparing.
func newCmdCompare(f *factory, runF func(*compareOptions) error) *cobra.Command {
	opts := &compareOptions{f: f}
	cmd := &cobra.Command{
		Use:   "compare SCENARIO --seeds A-B [--balancers SPECS | --vary PARAM=V1,V2]",
		Short: "Compare balancers, or values of a protocol parameter, over the same seeds",
		Long:  f.sprintf(compareLong),
		Example: f.examples("compare lb-load-80 --seeds 1-10",
			"compare lb-affinity --seeds 1-20 --balancers consistent-hash:ring,consistent-hash:maglev,consistent-hash:jump --png affinity.png",
			"compare paxos-nemesis --seeds 1-50 --vary variant=correct,no-dedup,quorum-floor",
			"compare echo-faults --seeds 1-20 --vary interval=1ms,5ms --format json"),
		Args:              exactArgs(1, "a scenario name or file"),
		ValidArgsFunction: f.completeScenario,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Cmd, opts.Out, opts.Scenario = cmd, cmd.OutOrStdout(), args[0]
			if runF != nil {
				return runF(opts)
			}
			return runCompare(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Seeds, "seeds", "", "seed range A-B (inclusive); every case runs every seed (required)")
	cmd.Flags().StringSliceVar(&opts.Balancers, "balancers", nil, "comma-separated balancer specs, for an lb scenario (default: all, random first)")
	cmd.Flags().StringVar(&opts.Vary, "vary", "", "compare values of one protocol parameter, e.g. variant=correct,no-dedup")
	cmd.Flags().IntVar(&opts.Jobs, "jobs", 0, "runs side by side (default: all cores)")
	cmd.Flags().StringVar(&opts.PNGFile, "png", "", "draw a balancer comparison's plots as PNG files named after this one")
	cmd.Flags().StringVar(&opts.SVGFile, "svg", "", "draw a balancer comparison's plots as SVG files named after this one")
	addFormatFlag(cmd, &opts.Format)
	_ = cmd.RegisterFlagCompletionFunc("balancers", completeBalancers)
	_ = cmd.RegisterFlagCompletionFunc("vary", f.completeVary)
	return cmd
}

// runCompare runs the study asked for and prints its table.
func runCompare(opts *compareOptions) error {
	seeds, err := opts.check()
	if err != nil {
		return err
	}
	s, err := opts.f.catalog.Load(opts.Scenario)
	if err != nil {
		return err
	}
	var t *studies.Table
	if opts.Vary != "" {
		param, values, _ := strings.Cut(opts.Vary, "=")
		if t, err = studies.Vary(opts.Cmd.Context(), s, param, strings.Split(values, ","), seeds, opts.Jobs); err != nil {
			return fmt.Errorf("--vary: %w", err)
		}
	} else {
		b, err := studies.CompareBalancers(opts.Cmd.Context(), s, opts.Balancers, seeds, opts.Jobs)
		if err != nil {
			return fmt.Errorf("%w (compare other scenarios with --vary PARAM=V1,V2)", err)
		}
		if err := writePlots(b, opts.PNGFile, opts.SVGFile); err != nil {
			return err
		}
		t = b.Table
	}
	if opts.Format == formatJSON {
		enc := json.NewEncoder(opts.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(t)
	}
	return t.WriteText(opts.Out)
}

// check checks the flags against each other and returns the seeds.
func (opts *compareOptions) check() ([]uint64, error) {
	switch {
	case opts.PNGFile != "" && opts.SVGFile != "":
		return nil, fmt.Errorf("--png and --svg: give one of them")
	case opts.Vary != "" && len(opts.Balancers) > 0:
		return nil, fmt.Errorf("--vary and --balancers: give one of them (--vary balancer=... on an lb scenario)")
	case opts.Vary != "" && (opts.PNGFile != "" || opts.SVGFile != ""):
		return nil, fmt.Errorf("--png and --svg draw balancer comparisons, not --vary")
	case opts.Vary != "" && !strings.Contains(opts.Vary, "="):
		return nil, fmt.Errorf("--vary %q: want PARAM=V1,V2,..., e.g. variant=correct,no-dedup", opts.Vary)
	case opts.Jobs < 0:
		return nil, fmt.Errorf("--jobs %d: want at least 1", opts.Jobs)
	case opts.Seeds == "":
		return nil, fmt.Errorf("--seeds is required, e.g. --seeds 1-10")
	}
	r, err := runner.ParseSeeds(opts.Seeds)
	if err != nil {
		return nil, err
	}
	if n := r.Count(); n > maxCompareSeeds {
		return nil, fmt.Errorf("--seeds %s: %d seeds, more than the %d a comparison keeps per case", opts.Seeds, n, maxCompareSeeds)
	}
	return slices.Collect(r.All()), nil
}

// maxCompareSeeds bounds a comparison, which keeps every seed's figures.
const maxCompareSeeds = 1_000_000

// writePlots draws the comparison's plots next to the file the user named.
func writePlots(b *studies.Balancers, pngFile, svgFile string) error {
	file, format := pngFile, studies.FormatPNG
	if svgFile != "" {
		file, format = svgFile, studies.FormatSVG
	}
	if file == "" {
		return nil
	}
	ext := filepath.Ext(file)
	base := strings.TrimSuffix(file, ext)
	for _, p := range b.Plots() {
		if err := writeFile(base+p.Suffix+ext, func(w io.Writer) error { return p.Draw(w, format) }); err != nil {
			return err
		}
	}
	return nil
}

// completeBalancers completes --balancers: every balancer name, and
// consistent-hash with each hashing algorithm, after the specs already
// given before the last comma.
func completeBalancers(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	specs := studies.BalancerOrder()
	for _, h := range chash.Names() {
		specs = append(specs, lb.NameConsistentHash+":"+h)
	}
	return completeList(specs, toComplete), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// completeVary completes --vary with the scenario's protocol's parameters,
// as PARAM=, and after the = with the parameter's choices.
func (f *factory) completeVary(_ *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	none := cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
	if len(args) == 0 {
		return nil, none
	}
	s, err := f.catalog.Load(args[0])
	if err != nil {
		return nil, none
	}
	name, values, hasValues := strings.Cut(toComplete, "=")
	var out []cobra.Completion
	for _, p := range s.Protocol.Params {
		switch {
		case !hasValues && strings.HasPrefix(p.Name, name):
			out = append(out, p.Name+"=")
		case hasValues && p.Name == name:
			for _, c := range completeList(p.Choices, values) {
				out = append(out, name+"="+c)
			}
		}
	}
	return out, none
}
