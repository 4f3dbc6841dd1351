package main

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/runner"
	"github.com/dsimlab/dsim/scenarios/library"
	"github.com/dsimlab/dsim/studies"
)

func newCompare() *cobra.Command {
	var (
		seedsFlag string
		balancers string
		pngFile   string
		svgFile   string
		format    string
	)
	cmd := &cobra.Command{
		Use:   "compare SCENARIO --seeds A-B",
		Short: "Compare load balancers and hashing algorithms on one workload",
		Long: `compare runs a load-balancing scenario under each balancer with the same seeds:
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
balancer hashes keys, the keys moved per membership change (-moved).`,
		Example: `  dsim compare lb-load-80 --seeds 1-10
  dsim compare lb-affinity --seeds 1-20 --balancers consistent-hash:ring,consistent-hash:maglev,consistent-hash:jump --png affinity.png
  dsim compare lb-heavy-tail --seeds 1-10 --balancers random,power-of-d,join-shortest-queue --format json`,
		Args: exactArgs(1, "an lb scenario name or file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return fmt.Errorf("--format %q: want text or json", format)
			}
			if pngFile != "" && svgFile != "" {
				return fmt.Errorf("--png and --svg: give one of them")
			}
			if seedsFlag == "" {
				return fmt.Errorf("--seeds is required, e.g. --seeds 1-10")
			}
			r, err := runner.ParseSeeds(seedsFlag)
			if err != nil {
				return err
			}
			s, err := library.Load(args[0])
			if err != nil {
				return err
			}
			var specs []string
			if balancers != "" {
				specs = strings.Split(balancers, ",")
			}
			b, err := studies.CompareBalancers(cmd.Context(), s, specs, slices.Collect(r.All()), 0)
			if err != nil {
				return err
			}
			if err := writePlots(b, pngFile, svgFile); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(b.Table)
			}
			return b.Table.WriteText(out)
		},
	}
	cmd.Flags().StringVar(&seedsFlag, "seeds", "", "seed range A-B (inclusive); every balancer runs every seed")
	cmd.Flags().StringVar(&balancers, "balancers", "", "comma-separated balancer specs (default: all, random first)")
	cmd.Flags().StringVar(&pngFile, "png", "", "draw the plots as PNG files named after this one")
	cmd.Flags().StringVar(&svgFile, "svg", "", "draw the plots as SVG files named after this one")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

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
