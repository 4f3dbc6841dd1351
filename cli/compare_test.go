package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCompareTableAndPlots(t *testing.T) {
	dir := t.TempDir()
	out, stderr, status := dsim(t, Config{}, "compare", "lb-affinity", "--seeds", "1-2",
		"--balancers", "random,consistent-hash:maglev", "--png", filepath.Join(dir, "cmp.png"))
	require.Equal(t, 0, status, stderr)
	assert.Contains(t, out, "random")
	assert.Contains(t, out, "consistent-hash:maglev")
	for _, f := range []string{"cmp.png", "cmp-load.png", "cmp-moved.png"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err, f)
		assert.True(t, bytes.HasPrefix(data, []byte("\x89PNG")), "%s is a PNG", f)
	}
	js, _, status := dsim(t, Config{}, "compare", "lb-load-50", "--seeds", "1-2", "--balancers", "random,join-shortest-queue", "--format", "json")
	require.Equal(t, 0, status)
	var table struct {
		Rows []struct {
			Balancer string `json:"case"`
		} `json:"rows"`
	}
	require.NoError(t, json.Unmarshal([]byte(js), &table))
	require.Len(t, table.Rows, 2)
	assert.Equal(t, "join-shortest-queue", table.Rows[1].Balancer)
}

func TestDemo(t *testing.T) {
	out, stderr, status := dsim(t, Config{}, "demo", "--seed", "7")
	require.Equal(t, 0, status, stderr)
	assert.Regexp(t, `seed 7  fingerprint [0-9a-f]{16}  events \d+`, out)
	again, _, _ := dsim(t, Config{}, "demo", "--seed", "7")
	assert.Equal(t, beforeWall(out), beforeWall(again), "same seed, same run")
}

// beforeWall cuts the wall time off the demo's last line.
func beforeWall(out string) string {
	before, _, _ := strings.Cut(out, "wall")
	return before
}

func TestCompareVariesAnyParameter(t *testing.T) {
	out, stderr, status := dsim(t, Config{}, "compare", "paxos-calm", "--seeds", "1-3", "--vary", "variant=correct,follower-local-reads")
	require.Equal(t, 0, status, stderr)
	assert.Contains(t, out, "follower-local-reads")
	assert.Contains(t, out, "linearizability holds", "the pass rate of each check is a column")

	for _, tc := range []struct{ args, want string }{
		{"--vary variant", `--vary "variant": want PARAM=V1,V2,...`},
		{"--vary nosuch=1,2", `protocol paxos has no parameter "nosuch"`},
		{"--vary variant=correct,telepathy", `"telepathy"`},
		{"--vary variant=correct --balancers random", "--vary and --balancers: give one of them"},
		{"--vary variant=correct --png x.png", "--png and --svg draw balancer comparisons"},
	} {
		args := append([]string{"compare", "paxos-calm", "--seeds", "1-2"}, strings.Fields(tc.args)...)
		_, stderr, status := dsim(t, Config{}, args...)
		assert.Equal(t, 2, status, tc.args)
		assert.Contains(t, stderr, tc.want, tc.args)
	}
	out, _, _ = dsim(t, Config{}, "__complete", "compare", "paxos-calm", "--vary", "vari")
	assert.Contains(t, out, "variant=")
	out, _, _ = dsim(t, Config{}, "__complete", "compare", "paxos-calm", "--vary", "variant=no")
	assert.Contains(t, out, "variant=no-dedup")
}
