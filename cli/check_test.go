package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
)

func TestCheckExitStatuses(t *testing.T) {
	dir := t.TempDir()
	good := `{"version":1,"model":"register","operations":[
 {"client":0,"call":0,"return":10,"outcome":"ok","input":{"op":"write","value":"x"}},
 {"client":1,"call":20,"return":30,"outcome":"ok","input":{"op":"read"},"output":{"value":"x"}}]}`
	goodFile := writeTemp(t, dir, "good.json", good)
	badFile := writeTemp(t, dir, "bad.json", strings.Replace(good, `"output":{"value":"x"}`, `"output":{"value":"y"}`, 1))
	broken := writeTemp(t, dir, "broken.json", strings.Replace(good, `"op":"read"`, `"op":"raed"`, 1))
	for _, tc := range []struct {
		args   []string
		status int
		out    string // in stdout
		errOut string // in stderr
	}{
		{[]string{goodFile}, 0, "2 operations\nlinearizability (safety): holds", ""},
		{[]string{goodFile, "--model", "register", "--budget", "1m"}, 0, "holds", ""},
		{[]string{badFile}, 1, "violated", ""},
		{[]string{badFile, "--allow-inconclusive"}, 1, "violated", ""},
		{[]string{broken}, 2, "", "broken.json: checker: bad history: operation 1 (line 3): input.op:"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out, stderr, status := dsim(t, Config{}, append([]string{"check"}, tc.args...)...)
			assert.Equal(t, tc.status, status, out+stderr)
			assert.Contains(t, out, tc.out)
			assert.Contains(t, stderr, tc.errOut)
		})
	}
}

func TestCheckReadsJepsenHistoriesAndTheMemoryFlag(t *testing.T) {
	dir := t.TempDir()
	good := "{:type :invoke, :f :write, :value 3, :process 0}\n{:type :ok, :f :write, :value 3, :process 0}\n" +
		"{:type :invoke, :f :read, :value nil, :process 1}\n{:type :ok, :f :read, :value 3, :process 1}\n"
	bad := strings.Replace(good, ":type :ok, :f :read, :value 3", ":type :ok, :f :read, :value 4", 1)
	for name, data := range map[string]string{"good.edn": good, "bad.edn": bad} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644))
	}
	var out, errOut bytes.Buffer
	code := Run(context.Background(), Config{}, []string{"check", filepath.Join(dir, "good.edn")}, &out, &errOut)
	assert.Equal(t, 0, code, errOut.String())
	assert.Contains(t, out.String(), "2 operations")
	out.Reset()
	code = Run(context.Background(), Config{}, []string{"check", filepath.Join(dir, "bad.edn"), "--check-memory", "1GiB"}, &out, &errOut)
	assert.Equal(t, 1, code, errOut.String())
	assert.Contains(t, out.String(), "violated")
	defer checker.SetMemoryLimit(0)
	errOut.Reset()
	code = Run(context.Background(), Config{}, []string{"check", filepath.Join(dir, "bad.edn"), "--check-memory", "lots"}, &out, &errOut)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut.String(), `"lots" is not a size (want e.g. 512MiB, 4GiB)`)
}

func TestByteSizeFlag(t *testing.T) {
	for in, want := range map[string]uint64{"1024": 1024, "512MiB": 512 << 20, "4GiB": 4 << 30, "2GB": 2e9, "7 KiB": 7 << 10} {
		var b byteSizeFlag
		require.NoError(t, b.Set(in), in)
		assert.Equal(t, want, uint64(b), in)
	}
	for _, in := range []string{"", "0", "-1", "4XB", "99999999999999999999GiB", "GiB"} {
		var b byteSizeFlag
		assert.Error(t, b.Set(in), in)
	}
}
