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
)

// This file is the compare command and all it needs of package lb: the
// comparison, its plots and the balancer names completion offers.

// compareOptions is what the compare command was asked to compare.
type compareOptions struct {
	f   *factory
	Out io.Writer

	Scenario  string
	Seeds     string   // --seeds A-B
	Balancers []string // balancer specs, or nil for all
	PNGFile   string
	SVGFile   string
	Format    string
}

// compareLong is the compare command's help.
const compareLong = `compare runs a load-balancing scenario under each balancer with the same seeds:
common random numbers, so every balancer sees the same arrivals, keys, request
sizes and faults, and differences between rows are the algorithms', not noise.
It prints latency mean and percentiles, load spread, failures, cache hit ratio
and keys moved per membership change, each as a mean over seeds with its 95%
Student-t confidence interval, and the paired difference from the first row.

Balancer specs: random, round-robin, weighted-round-robin, least-connections,
power-of-d (or power-of-d:3), join-shortest-queue, peak-ewma (or peak-ewma:1s),
consistent-hash (or consistent-hash:ring|rendezvous|jump|bounded-load|maglev,
which compares the hashing algorithms).

--png FILE or --svg FILE also draws the latency CDF per balancer (FILE), the
per-server load bars (FILE with -load before the extension) and, when some
balancer hashes keys, the keys moved per membership change (-moved).`

// newCmdCompare builds the compare command; runF, if not nil, is called
// with the parsed options instead of comparing.
func newCmdCompare(f *factory, runF func(*compareOptions) error) *cobra.Command {
	opts := &compareOptions{f: f}
	cmd := &cobra.Command{
		Use:   "compare SCENARIO --seeds A-B",
		Short: "Compare load balancers and hashing algorithms on one workload",
		Long:  compareLong,
		Example: f.examples("compare lb-load-80 --seeds 1-10",
			"compare lb-affinity --seeds 1-20 --balancers consistent-hash:ring,consistent-hash:maglev,consistent-hash:jump --png affinity.png",
			"compare lb-heavy-tail --seeds 1-10 --balancers random,power-of-d,join-shortest-queue --format json"),
		Args:              exactArgs(1, "an lb scenario name or file"),
		ValidArgsFunction: f.completeScenario,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Out, opts.Scenario = cmd.OutOrStdout(), args[0]
			if runF != nil {
				return runF(opts)
			}
			return runCompare(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Seeds, "seeds", "", "seed range A-B (inclusive); every balancer runs every seed (required)")
	cmd.Flags().StringSliceVar(&opts.Balancers, "balancers", nil, "comma-separated balancer specs (default: all, random first)")
	cmd.Flags().StringVar(&opts.PNGFile, "png", "", "draw the plots as PNG files named after this one")
	cmd.Flags().StringVar(&opts.SVGFile, "svg", "", "draw the plots as SVG files named after this one")
	addFormatFlag(cmd, &opts.Format)
	_ = cmd.RegisterFlagCompletionFunc("balancers", completeBalancers)
	return cmd
}

// runCompare runs the comparison and prints its table.
func runCompare(opts *compareOptions) error {
	if opts.PNGFile != "" && opts.SVGFile != "" {
		return fmt.Errorf("--png and --svg: give one of them")
	}
	if opts.Seeds == "" {
		return fmt.Errorf("--seeds is required, e.g. --seeds 1-10")
	}
	r, err := runner.ParseSeeds(opts.Seeds)
	if err != nil {
		return err
	}
	s, err := opts.f.catalog.Load(opts.Scenario)
	if err != nil {
		return err
	}
	t, err := lb.CompareScenario(s, opts.Balancers, slices.Collect(r.All()))
	if err != nil {
		return err
	}
	if err := writePlots(t, opts.PNGFile, opts.SVGFile); err != nil {
		return err
	}
	if opts.Format == formatJSON {
		enc := json.NewEncoder(opts.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(t)
	}
	return t.WriteText(opts.Out)
}

// writePlots draws the comparison's plots next to the file the user named.
func writePlots(t *lb.Table, pngFile, svgFile string) error {
	file, format := pngFile, "png"
	if svgFile != "" {
		file, format = svgFile, "svg"
	}
	if file == "" {
		return nil
	}
	ext := filepath.Ext(file)
	base := strings.TrimSuffix(file, ext)
	type plot struct {
		path string
		draw func(*lb.Table, io.Writer, string) error
	}
	plots := []plot{{file, lb.PlotLatencyCDF}, {base + "-load" + ext, lb.PlotServerLoad}}
	if slices.ContainsFunc(t.Rows, func(r lb.Row) bool { return r.KeysMoved.N > 0 }) {
		plots = append(plots, plot{base + "-moved" + ext, lb.PlotKeysMoved})
	}
	for _, p := range plots {
		if err := writeFile(p.path, func(w io.Writer) error { return p.draw(t, w, format) }); err != nil {
			return err
		}
	}
	return nil
}

// completeBalancers completes --balancers: every balancer name, and
// consistent-hash with each hashing algorithm, after the specs already
// given before the last comma.
func completeBalancers(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	specs := lb.CompareOrder()
	for _, h := range chash.Names() {
		specs = append(specs, lb.NameConsistentHash+":"+h)
	}
	return completeList(specs, toComplete), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}
