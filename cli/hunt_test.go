package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunSwarmNamesTheMixAndReplays(t *testing.T) {
	out, stderr, status := dsim(t, Config{}, "run", "paxos-nemesis", "--seed", "5", "--swarm")
	require.Equal(t, 0, status, stderr)
	assert.Contains(t, out, "swarm        ")
	assert.Contains(t, out, "replay       dsim run paxos-nemesis --seed 5 --swarm\n")
	again, _, _ := dsim(t, Config{}, "run", "paxos-nemesis", "--seed", "5", "--swarm")
	assert.Equal(t, fingerprintLine(out), fingerprintLine(again), "a swarm seed replays")
	plain, _, _ := dsim(t, Config{}, "run", "paxos-nemesis", "--seed", "5")
	assert.NotEqual(t, fingerprintLine(out), fingerprintLine(plain))
	assert.NotContains(t, plain, "swarm ")

	js, _, status := dsim(t, Config{}, "run", "paxos-nemesis", "--seed", "5", "--swarm", "--format", "json")
	require.Equal(t, 0, status)
	var doc struct {
		Swarm  map[string]any `json:"swarm"`
		Replay string         `json:"replay"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &doc))
	require.NotNil(t, doc.Swarm)
	assert.NotEmpty(t, doc.Swarm["text"])
	assert.Contains(t, doc.Swarm, "in_flight")
	assert.Equal(t, "dsim run paxos-nemesis --seed 5 --swarm", doc.Replay)
}

func TestSweepSwarmReplayLinesCarryTheFlag(t *testing.T) {
	out, _, status := dsim(t, Config{}, "sweep", "twopc-calm", "--seeds", "1-6", "--swarm", "--format", "json")
	require.Equal(t, 0, status, out)
	bad, _, status := dsim(t, Config{}, "sweep", "threepc-partition-anomaly", "--seeds", "1-20", "--swarm", "--online", "--format", "json")
	require.Equal(t, 1, status)
	var doc struct {
		Failing []struct{ Replay string } `json:"failing"`
	}
	require.NoError(t, json.Unmarshal([]byte(bad), &doc))
	require.NotEmpty(t, doc.Failing)
	assert.Contains(t, doc.Failing[0].Replay, "--seed")
	assert.Contains(t, doc.Failing[0].Replay, " --swarm --online")
}

func TestRunOnlinePointsAtTheEvent(t *testing.T) {
	out, _, status := dsim(t, Config{}, "run", "threepc-partition-anomaly", "--online")
	require.Equal(t, 1, status)
	assert.Contains(t, out, "online       atomicity violated at event ")
	assert.Contains(t, out, "where the run stopped")
	assert.Contains(t, out, "--online\n")
}

// TestSwarmFailuresShrink shrinks a swarm sweep's failing seed and a
// shrink --swarm of it: each minimal scenario is the seed's mix made small,
// and fails when run without --swarm.
func TestSwarmFailuresShrink(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "nosync.yaml")
	lib, err := os.ReadFile("../scenarios/library/paxos-leader-crash.yaml")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(file, []byte(strings.Replace(string(lib), "protocol: paxos\n",
		"protocol: paxos\nparams: {variant: acceptor-no-sync}\n", 1)), 0o644))

	out, stderr, status := dsim(t, Config{}, "sweep", file, "--seeds", "4", "--swarm", "--shrink", dir)
	assert.Equal(t, 1, status, stderr)
	m := regexp.MustCompile(`dsim run (\S+seed-4-shrunk.yaml) --seed (\d+)`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	_, _, status = dsim(t, Config{}, "run", m[1], "--seed", m[2])
	assert.Equal(t, 1, status, "the sweep's minimal scenario fails without --swarm")

	small := filepath.Join(dir, "small.yaml")
	out, stderr, status = dsim(t, Config{}, "shrink", file, "--seed", "4", "--swarm", "--out", small)
	require.Equal(t, 0, status, stderr)
	m = regexp.MustCompile(`dsim run \S+ --seed (\d+)`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	_, _, status = dsim(t, Config{}, "run", small, "--seed", m[1])
	assert.Equal(t, 1, status, "shrink --swarm's minimal scenario fails without --swarm")
}
