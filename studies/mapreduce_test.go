package studies_test

import (
	"bytes"
	"context"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/studies"
)

var (
	paper      = flag.Bool("paper", false, "TestPaperExperiment: run the paper-sized experiment and write its table and plot")
	paperSeeds = flag.Int("paper-seeds", 30, "seeds per case of the paper-sized experiment")
	paperOut   = flag.String("paper-out", os.TempDir(), "directory for mapreduce-paper.txt and mapreduce-progress.png")
)

// smallPaper is the default cluster (eight workers) with a straggler.
const smallPaper = `
name: mapreduce-small
protocol: mapreduce
params: {stragglers: 1, straggler_factor: 5, linger: 0s}
nodes: 8
duration: 1h
`

// TestPaperExperiment reproduces the three cases of the MapReduce paper's
// sort experiment. By default it runs a small cluster on a few seeds and
// checks the shape of the result; with -paper it runs the mapreduce-paper
// scenario over -paper-seeds seeds and writes the table and the progress
// plot:
//
//	go test ./studies -run TestPaperExperiment -paper -paper-out /tmp
func TestPaperExperiment(t *testing.T) {
	opts := studies.PaperOptions{Scenario: parse(t, smallPaper), Seeds: studies.SeedRange(1, 8), Kill: 2}
	if *paper {
		opts = studies.PaperOptions{Seeds: studies.SeedRange(1, uint64(*paperSeeds))}
	}
	res, err := studies.MapReducePaper(context.Background(), opts)
	require.NoError(t, err)
	tab := res.Table
	require.Len(t, tab.Rows, 3)
	for _, r := range tab.Rows {
		passed, _ := tab.Cell(r.Case, "passed")
		assert.Equal(t, 1.0, passed.Mean.Mean, "%s: every run's checks hold", r.Case)
		assert.Equal(t, len(tab.Seeds), passed.Mean.N)
	}
	slow := func(row int) float64 { return tab.Rows[row].Cells[tab.Column("job time")].VsFirst.Mean }
	assert.Zero(t, slow(0), "normal against itself")
	// The direction of both effects, as in the paper: without backup
	// tasks a straggler holds up the end of the job, and killed workers'
	// work is done again.
	assert.Greater(t, slow(1), 0.0, "no backup tasks: slower on average")
	assert.Greater(t, slow(2), 0.0, "killed workers: slower on average")
	if *paper {
		assert.Greater(t, tab.Rows[1].Cells[tab.Column("job time")].VsFirst.Lo, 0.0, "no backup tasks: slower with confidence")
	}
	killed := []string{"w1", "w5"}
	if *paper {
		killed = []string{"w1", "w9", "w17", "w26", "w34", "w42"} // 200 of 1746, as a share of 50
	}
	assert.Equal(t, killed, res.Killed, "spread over the workers")

	var table bytes.Buffer
	require.NoError(t, res.WriteText(&table))
	t.Logf("\n%s", table.String())
	for _, r := range tab.Rows {
		assert.Contains(t, table.String(), r.Case)
	}
	assert.Contains(t, table.String(), "1283 s (+44%)", "the paper's figures beside ours")
	var img bytes.Buffer
	require.NoError(t, res.PlotProgress(&img, studies.FormatPNG))
	_, err = png.Decode(bytes.NewReader(img.Bytes()))
	require.NoError(t, err)
	var again bytes.Buffer
	require.NoError(t, res.PlotProgress(&again, studies.FormatPNG))
	assert.Equal(t, img.Bytes(), again.Bytes(), "the plot is deterministic")
	assert.Error(t, res.PlotProgress(&again, "gif"))

	if *paper {
		tablePath := filepath.Join(*paperOut, "mapreduce-paper.txt")
		plotPath := filepath.Join(*paperOut, "mapreduce-progress.png")
		require.NoError(t, os.WriteFile(tablePath, table.Bytes(), 0o644))
		require.NoError(t, os.WriteFile(plotPath, img.Bytes(), 0o644))
		t.Logf("wrote %s and %s", tablePath, plotPath)
	}
}

func TestPaperRejects(t *testing.T) {
	ctx := context.Background()
	for name, o := range map[string]studies.PaperOptions{
		"not mapreduce": {Scenario: load(t, "echo-calm")},
		"too many":      {Scenario: parse(t, smallPaper), Kill: 9},
	} {
		_, err := studies.MapReducePaper(ctx, o)
		assert.ErrorIs(t, err, studies.ErrBadStudy, name)
	}
}
