package cli

import (
	"encoding/json"
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
