package cli

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
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
