package cli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/dsimlab/dsim/reports"
	"github.com/dsimlab/dsim/runner"
)

// mergeLong is the merge command's help; "$0" is the program's name.
const mergeLong = `merge combines the results of a sweep's shards, run on several machines,
into the summary the whole sweep would have printed on one: the same counts,
the same per-check verdicts, the same failing seeds with their replay commands,
and the same digest.

Each FILE is what one shard wrote: its summary as JSON ('$0 sweep ... --shard
I/N --format json > shard-I.json') or its --out file of runs, as JSON Lines
('--out shard-I.jsonl', which a killed shard leaves with every run it
finished); the two kinds mix. merge checks that the files are shards of one
sweep (the same scenario, seed range and program version, as each file
records them), that no shard is given twice, and that every shard is there
and complete; --allow-partial merges what there is anyway, and says so.

Exit status: 0 every run passed, 1 some run failed, 2 bad input (files that
are not shards of one sweep, or a shard missing or incomplete).`

// mergeOptions is what the merge command was asked to do.
type mergeOptions struct {
	f            *factory
	Out          io.Writer
	Files        []string
	Format       string
	AllowPartial bool
}

// newCmdMerge builds the merge command.
func newCmdMerge(f *factory) *cobra.Command {
	opts := &mergeOptions{f: f}
	cmd := &cobra.Command{
		Use:   "merge FILE...",
		Short: "Combine the shards of a sweep into the summary of the whole",
		Long:  f.sprintf(mergeLong),
		Example: f.examples("merge shard-0.json shard-1.json shard-2.json shard-3.json",
			"merge results/*.jsonl --format junit > junit.xml"),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return fmt.Errorf("merge takes the files of a sweep's shards (got none); see %s --help", cmd.CommandPath())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Out, opts.Files = cmd.OutOrStdout(), args
			return runMerge(opts)
		},
	}
	addFormatFlag(cmd, &opts.Format, formatJUnit)
	cmd.Flags().BoolVar(&opts.AllowPartial, "allow-partial", false, "merge even if a shard is missing or incomplete")
	return cmd
}

// shardPart is what one file holds: a shard's summary or its runs.
type shardPart struct {
	file                   string
	scenario, seeds, shard string
	version                string
	report                 *reports.SweepReport // a summary, or
	runs                   []reports.RunRecord  // a journal's runs
	complete               bool                 // every seed of the shard ran
}

// runMerge reads the parts, checks them, and prints the whole.
func runMerge(opts *mergeOptions) error {
	var parts []*shardPart
	for _, file := range opts.Files {
		p, err := readPart(file)
		if err != nil {
			return err
		}
		parts = append(parts, p)
	}
	partial, err := checkParts(parts, opts.AllowPartial)
	if err != nil {
		return err
	}
	sum, err := mergeParts(parts)
	if err != nil {
		return err
	}
	sum.Interrupted = sum.Interrupted || partial // the summary says it is not the whole sweep
	if err := writeSweep(opts.Out, sum, opts.Format, opts.f.reportOptions()); err != nil {
		return err
	}
	if !sum.Report().AllPassed {
		return ErrFailed
	}
	return nil
}

// readPart reads one shard's file, telling a summary from a journal by
// its first JSON value.
func readPart(file string) (*shardPart, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var head struct {
		Journal *int `json:"dsim_sweep"`
		Schema  *int `json:"schema_version"`
	}
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&head); err != nil {
		return nil, fmt.Errorf("%s: not a sweep's JSON summary or --out file: %w", file, err)
	}
	switch {
	case head.Journal != nil:
		return readJournalPart(file, data)
	case head.Schema != nil:
		return readReportPart(file, data)
	}
	return nil, fmt.Errorf("%s: not a sweep's JSON summary (no schema_version) or --out file (no dsim_sweep)", file)
}

// readReportPart reads a sweep's JSON summary.
func readReportPart(file string, data []byte) (*shardPart, error) {
	var r reports.SweepReport
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if r.SchemaVersion != reports.SchemaVersion {
		return nil, fmt.Errorf("%s: schema_version %d (this program reads %d)", file, r.SchemaVersion, reports.SchemaVersion)
	}
	if r.Seeds == "" {
		return nil, fmt.Errorf("%s: the summary does not say which seeds it covers (written by a dsim older than merge?)", file)
	}
	return &shardPart{file: file, scenario: strings.Join(r.Scenarios, ","), seeds: r.Seeds, shard: r.Shard,
		version: r.Version, report: &r, complete: !r.Interrupted}, nil
}

// readJournalPart reads a sweep's --out file: its header and every whole
// run line (a line a kill cut short is dropped, a seed given twice counts
// once).
func readJournalPart(file string, data []byte) (*shardPart, error) {
	br := bufio.NewReader(bytes.NewReader(data))
	first, _ := br.ReadBytes('\n')
	var h journalHeader
	if err := json.Unmarshal(first, &h); err != nil || h.Version != 1 {
		return nil, fmt.Errorf("%s: not a sweep's --out file (its first line should name the sweep)", file)
	}
	seeds, err := shardSeeds(h.Seeds, h.Shard)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	p := &shardPart{file: file, scenario: h.Scenario, seeds: h.Seeds, shard: h.Shard, version: h.Tool}
	seen := map[uint64]bool{}
	for n := 2; ; n++ {
		line, err := br.ReadBytes('\n')
		if err != nil { // io.EOF: the end, or a last line cut short
			break
		}
		var rec reports.RunRecord
		if err := json.Unmarshal(line, &rec); err != nil {
			return nil, fmt.Errorf("%s:%d: not a run record: %w", file, n, err)
		}
		if !seeds.Contains(rec.Seed) {
			return nil, fmt.Errorf("%s:%d: seed %d is not one of the shard's", file, n, rec.Seed)
		}
		if !seen[rec.Seed] {
			seen[rec.Seed] = true
			p.runs = append(p.runs, rec)
		}
	}
	p.complete = uint64(len(p.runs)) == seeds.Count()
	if len(p.runs) > 0 {
		p.scenario = p.runs[0].Scenario // its name, as a summary gives it, not the file the user typed
	}
	return p, nil
}

// shardSeeds parses a range and a shard.
func shardSeeds(seeds, shard string) (runner.Seeds, error) {
	s, err := runner.ParseSeeds(seeds)
	if err == nil {
		err = s.SetShard(shard)
	}
	return s, err
}

// checkParts checks that the parts are shards of one sweep, each given
// once, and that every shard is there and whole: unless allowPartial, it
// is an error if not; with it, partial says so.
func checkParts(parts []*shardPart, allowPartial bool) (partial bool, err error) {
	first := parts[0]
	for _, p := range parts[1:] {
		for _, f := range []struct{ what, a, b string }{
			{"scenario", first.scenario, p.scenario}, {"seeds", first.seeds, p.seeds}, {"version", first.version, p.version}} {
			if f.a != f.b {
				return false, fmt.Errorf("%s and %s are not shards of one sweep: %s %q and %q", first.file, p.file, f.what, f.a, f.b)
			}
		}
	}
	missing, err := missingShards(parts)
	if err != nil {
		return false, err
	}
	if len(missing) > 0 && !allowPartial {
		return false, fmt.Errorf("shard %s of seeds %s missing (--allow-partial merges what there is)", strings.Join(missing, ", "), first.seeds)
	}
	for _, p := range parts {
		if !p.complete && !allowPartial {
			return false, fmt.Errorf("%s: the shard did not run every seed (interrupted?); resume it, or --allow-partial", p.file)
		}
		partial = partial || !p.complete
	}
	return partial || len(missing) > 0, nil
}

// missingShards returns the shards "I/N" none of the parts is, and an
// error if two parts are the same shard or the parts split the range
// differently.
func missingShards(parts []*shardPart) ([]string, error) {
	of, have := uint64(0), map[uint64]string{}
	for _, p := range parts {
		i, n, err := parseShard(p.shard)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p.file, err)
		}
		if of != 0 && n != of {
			return nil, fmt.Errorf("%s is a shard of %d, but %s one of %d", p.file, n, parts[0].file, of)
		}
		of = n
		if prev, ok := have[i]; ok {
			return nil, fmt.Errorf("%s and %s are the same shard, %s: merging both would count its runs twice", prev, p.file, cmpShard(p.shard))
		}
		have[i] = p.file
	}
	var missing []string
	for i := range of {
		if _, ok := have[i]; !ok {
			missing = append(missing, fmt.Sprintf("%d/%d", i, of))
		}
	}
	return missing, nil
}

// parseShard reads "I/N", or "" as 0/1 (the whole range).
func parseShard(shard string) (i, n uint64, err error) {
	if shard == "" {
		return 0, 1, nil
	}
	a, b, _ := strings.Cut(shard, "/")
	i, err1 := strconv.ParseUint(a, 10, 64)
	n, err2 := strconv.ParseUint(b, 10, 64)
	if err := errors.Join(err1, err2); err != nil || i >= n {
		return 0, 0, fmt.Errorf("shard %q is not I/N", shard)
	}
	return i, n, nil
}

// cmpShard names a shard for a message.
func cmpShard(shard string) string {
	if shard == "" {
		return "the whole range"
	}
	return shard
}

// mergeParts adds the parts into one sweep over their range.
func mergeParts(parts []*shardPart) (*reports.Sweep, error) {
	sum := &reports.Sweep{Seeds: parts[0].seeds, Version: parts[0].version}
	for _, p := range parts {
		if p.report != nil {
			if err := sum.AddReport(*p.report); err != nil {
				return nil, fmt.Errorf("%s: %w", p.file, err)
			}
			if p.report.WallNS != nil {
				sum.Elapsed = max(sum.Elapsed, time.Duration(*p.report.WallNS)) // the shards ran side by side
			}
			continue
		}
		for _, r := range p.runs {
			sum.AddRecord(r)
		}
	}
	return sum, nil
}
