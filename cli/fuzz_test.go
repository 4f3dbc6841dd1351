package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fuzzState reads a corpus's fuzz.json.
func fuzzState(t *testing.T, dir string) (next, runs uint64) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "fuzz.json"))
	require.NoError(t, err)
	var st struct{ Next, Runs uint64 }
	require.NoError(t, json.Unmarshal(data, &st))
	return st.Next, st.Runs
}

func TestFuzzKeepsAShrunkScenarioPerSignatureAndCarriesOn(t *testing.T) {
	dir := t.TempDir()
	file := zooScenario(t, dir, "twopc-partition", "unilateral-abort")
	corpus := filepath.Join(dir, "corpus")
	out, stderr, status := dsim(t, Config{}, "fuzz", file, "--corpus", corpus, "--runs", "12", "--jobs", "2")
	assert.Equal(t, 1, status, stderr)
	assert.Contains(t, out, "fuzzing "+file+" into "+corpus+" from seed 1 (0 runs and 0 groups so far)")
	assert.Regexp(t, `(?m)^new    [0-9a-f]{16}  seed \d+, \d+ events: twopc atomicity violated: `, out)
	assert.Regexp(t, `(?m)^  replay  dsim run \S+ --seed \d+ --swarm$`, out, "a group's seed replays with the mix it drew")
	m := regexp.MustCompile(`(?m)^  shrunk  dsim run (\S+minimal.yaml) --seed (\d+)`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	_, _, status = dsim(t, Config{}, "run", m[1], "--seed", m[2])
	assert.Equal(t, 1, status, "the shrunk scenario fails")
	next, runs := fuzzState(t, corpus)
	assert.Equal(t, []uint64{13, 12}, []uint64{next, runs})

	out, _, _ = dsim(t, Config{}, "fuzz", file, "--corpus", corpus, "--runs", "3", "--jobs", "1")
	assert.Contains(t, out, "from seed 13 (12 runs and 1 groups so far)")
	next, runs = fuzzState(t, corpus)
	assert.Equal(t, []uint64{16, 15}, []uint64{next, runs})

	_, stderr, status = dsim(t, Config{}, "fuzz", "echo-calm", "--corpus", corpus, "--runs", "1")
	assert.Equal(t, 2, status)
	assert.Contains(t, stderr, "the corpus is another scenario's")
}

func TestFuzzStopsOnASignalAndKeepsTheCorpus(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus")
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(300*time.Millisecond, func() { cancel(&Interrupted{Signal: syscall.SIGTERM}) })
	var out, errOut bytes.Buffer
	status := Run(ctx, Config{}, []string{"fuzz", "echo-faults", "--corpus", corpus, "--jobs", "2", "--progress-every", "0"}, &out, &errOut)
	assert.Equal(t, 143, status, errOut.String())
	assert.Contains(t, out.String(), "no failure found")
	next, runs := fuzzState(t, corpus)
	assert.Positive(t, runs)
	assert.LessOrEqual(t, next, runs+1, "every seed below next ran")

	again, _, status := dsim(t, Config{}, "fuzz", "echo-faults", "--corpus", corpus, "--runs", "2")
	assert.Equal(t, 0, status, "nothing fails: exit 0")
	assert.Contains(t, again, "from seed "+strconv.FormatUint(next, 10))
}
