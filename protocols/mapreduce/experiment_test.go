package mapreduce

import (
	"bytes"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var (
	paper      = flag.Bool("paper", false, "TestPaperExperiment: run the paper-sized experiment and write its table and plot")
	paperSeeds = flag.Int("paper-seeds", 30, "seeds per case of the paper-sized experiment")
	paperOut   = flag.String("paper-out", os.TempDir(), "directory for mapreduce-paper.txt and mapreduce-progress.png")
)

func seedRange(n int) []uint64 {
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = uint64(i + 1)
	}
	return seeds
}

// TestPaperExperiment reproduces the three cases of the paper's sort
// experiment. By default it runs a small cluster on a few seeds and checks
// the shape of the result; with -paper it runs PaperConfig over
// -paper-seeds seeds and writes the table and the progress plot:
//
//	go test ./protocols/mapreduce -run TestPaperExperiment -paper -paper-out /tmp
func TestPaperExperiment(t *testing.T) {
	e := Experiment{Config: DefaultConfig(), Seeds: seedRange(8), Kill: 2}
	e.Config.Stragglers, e.Config.StragglerFactor, e.Config.Linger = 1, 5, 0
	if *paper {
		e = Experiment{Config: PaperConfig(), Seeds: seedRange(*paperSeeds)}
	}
	res, err := RunExperiment(e)
	require.NoError(t, err)
	require.Len(t, res.Cases, 3)
	for _, c := range res.Cases {
		assert.Equal(t, len(e.Seeds), c.Passed, "%s: every run's checks hold", c.Name)
		assert.Len(t, c.Times, len(e.Seeds))
	}
	assert.Zero(t, res.Cases[0].Slowdown.Mean, "normal against itself")
	// The direction of both effects, as in the paper: without backup
	// tasks a straggler holds up the end of the job, and killed workers'
	// work is done again.
	assert.Greater(t, res.Cases[1].Slowdown.Mean, 0.0, "no backup tasks: slower on average")
	assert.Greater(t, res.Cases[2].Slowdown.Mean, 0.0, "killed workers: slower on average")
	if *paper {
		assert.Greater(t, res.Cases[1].Slowdown.Lo, 0.0, "no backup tasks: slower with confidence")
	}

	var table bytes.Buffer
	require.NoError(t, res.WriteTable(&table))
	t.Logf("\n%s", table.String())
	for _, c := range res.Cases {
		assert.Contains(t, table.String(), c.Name)
	}
	var img bytes.Buffer
	require.NoError(t, res.PlotProgress(&img, FormatPNG))
	_, err = png.Decode(bytes.NewReader(img.Bytes()))
	require.NoError(t, err)
	var again bytes.Buffer
	require.NoError(t, res.PlotProgress(&again, FormatPNG))
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
