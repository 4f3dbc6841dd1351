package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDebugServesThePage starts the debug command in process on a free
// port, reads the run's summary from its API, and stops it as ^C would.
func TestDebugServesThePage(t *testing.T) {
	url, out, stop := startDebug(t, "twopc-calm", "--seed", "2", "--port", "0")
	assert.Regexp(t, `^http://127\.0\.0\.1:\d+/$`, url, "bound to this machine only")
	var info struct {
		Scenario string
		Seed     uint64
		Total    uint64
	}
	getJSON(t, url+"api/run", 200, &info)
	assert.Equal(t, "twopc-calm", info.Scenario)
	assert.Equal(t, uint64(2), info.Seed)
	assert.Positive(t, info.Total)
	stop()
	assert.Contains(t, out.String(), "debugging twopc-calm seed 2 at "+url)
}

// TestDebugServesATrace writes a trace with run --trace, serves it with
// debug --trace, and reads the page's API: the trace's records, a state,
// and the routes that need the scenario, which say why they cannot answer.
func TestDebugServesATrace(t *testing.T) {
	file := filepath.Join(t.TempDir(), "run.jsonl")
	_, _, status := dsim(t, Config{}, "run", "echo-faults", "--seed", "3", "--trace", file)
	require.Equal(t, 0, status)
	lines := strings.Count(readString(t, file), "\n")
	for _, tc := range []struct {
		name    string
		args    []string
		records int
		more    string
	}{
		{"whole", nil, lines, ""},
		{"the first records", []string{"--max-records", "100"}, 100, ": the first of more; --max-records reads more"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			url, out, stop := startDebug(t, append([]string{"--trace", file, "--port", "0"}, tc.args...)...)
			var info struct {
				Total uint64
				Nodes []string
				Trace struct {
					File    string
					Records int
					More    bool
				}
			}
			getJSON(t, url+"api/run", 200, &info)
			assert.Equal(t, uint64(tc.records), info.Total)
			assert.Equal(t, file, info.Trace.File)
			assert.Equal(t, tc.more != "", info.Trace.More)
			assert.Equal(t, []string{"server", "c1", "c2", "c3"}, info.Nodes)
			var st struct {
				Events  uint64
				Current []string
			}
			getJSON(t, url+"api/state?at=50", 200, &st)
			assert.Equal(t, uint64(50), st.Events)
			require.Len(t, st.Current, 1)
			assert.True(t, strings.HasPrefix(st.Current[0], "#49 "), st.Current[0])
			var bad struct{ Error string }
			getJSON(t, url+"api/violation", 400, &bad)
			assert.Contains(t, bad.Error, "a trace carries no code")
			stop()
			assert.Contains(t, out.String(), fmt.Sprintf("showing the trace %s (%d records%s) at %s", file, tc.records, tc.more, url))
		})
	}
}

// startDebug starts the debug command in process with args, and returns
// the page's address, what the command printed, and the function that
// stops it as ^C would (checking it stopped so).
func startDebug(t *testing.T, args ...string) (string, *strings.Builder, func()) {
	t.Helper()
	f, err := newFactory(Config{})
	require.NoError(t, err)
	ctx, cancel := context.WithCancelCause(t.Context())
	urls := make(chan string, 1)
	out := &strings.Builder{}
	cmd := newCmdDebug(f, func(opts *debugOptions) error {
		opts.ready = func(url string) { urls <- url }
		return runDebug(opts)
	})
	cmd.SetArgs(args)
	cmd.SetOut(out)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	var url string
	select {
	case url = <-urls:
	case err := <-done:
		t.Fatalf("debug %v stopped: %v", args, err)
	}
	return url, out, func() {
		cancel(errInterruptedForTest)
		assert.ErrorIs(t, <-done, errInterruptedForTest)
	}
}

// getJSON gets url, checks the status and decodes the JSON body into v.
func getJSON(t *testing.T, url string, status int, v any) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, status, resp.StatusCode, url)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(v))
}

// TestDebugTraceErrors checks what debug --trace refuses, with exit status
// 2 and a message that names the file, and the line where it is wrong.
func TestDebugTraceErrors(t *testing.T) {
	dir := t.TempDir()
	good := `{"seq":0,"t":0,"kind":"start","node":"a"}` + "\n"
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"bad JSON", []string{"--trace", writeTemp(t, dir, "bad.jsonl", good+"{\"seq\":1,\n")},
			filepath.Join(dir, "bad.jsonl") + ":2: not a dsim trace: unexpected end of JSON input"},
		{"an unknown kind", []string{"--trace", writeTemp(t, dir, "kind.jsonl", good+`{"seq":1,"t":1,"kind":"warp","node":"a"}`+"\n")},
			filepath.Join(dir, "kind.jsonl") + `:2: not a dsim trace: unknown kind "warp"`},
		{"seq out of order", []string{"--trace", writeTemp(t, dir, "seq.jsonl", good+good)},
			filepath.Join(dir, "seq.jsonl") + ":2: not a dsim trace: seq 0 where 1 was due"},
		{"no file", []string{"--trace", filepath.Join(dir, "missing.jsonl")}, "--trace: open " + filepath.Join(dir, "missing.jsonl")},
		{"a scenario too", []string{"echo-calm", "--trace", "t.jsonl"}, `--trace shows a trace file, which needs no scenario (got "echo-calm")`},
		{"a seed too", []string{"--trace", "t.jsonl", "--seed", "2"}, "[seed trace] were all set"},
		{"a trace as the scenario", []string{"run.jsonl"}, "run.jsonl looks like a trace: show it with dsim debug --trace run.jsonl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, status := dsim(t, Config{}, append([]string{"debug", "--port", "0"}, tc.args...)...)
			assert.Equal(t, 2, status)
			assert.Contains(t, stderr, tc.want)
		})
	}
}

// errInterruptedForTest stands for the signal that stops the command.
var errInterruptedForTest = errors.New("interrupted")

// TestDebugFlags checks the arguments: a scenario or a path, a valid port.
func TestDebugFlags(t *testing.T) {
	_, stderr, status := dsim(t, Config{}, "debug")
	assert.Equal(t, 2, status)
	assert.Contains(t, stderr, "a scenario name or file")
	_, stderr, status = dsim(t, Config{}, "debug", "echo-calm", "--port", "70000")
	assert.Equal(t, 2, status)
	assert.Contains(t, stderr, "--port 70000")
}

// TestRunHTMLCentresOnTheFirstViolation checks that a failing run's report
// draws its diagram around the first violation, which it names, and that
// --window chooses another window by times or by trace records.
func TestRunHTMLCentresOnTheFirstViolation(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "r.html")
	_, _, status := dsim(t, Config{}, "run", "threepc-partition-anomaly", "--seed", "1", "--html", page)
	require.Equal(t, 1, status)
	html := readString(t, page)
	m := regexp.MustCompile(`<tr><th>first violation: atomicity</th><td id="focus">trace record (\d+) at`).FindStringSubmatch(html)
	require.Len(t, m, 2, "the summary names the first violation")
	w := regexp.MustCompile(`Trace records (\d+) to (\d+) \(300 shown of the run's (\d+)\)`).FindStringSubmatch(html)
	require.Len(t, w, 4)
	assert.Less(t, atoi(t, w[1]), atoi(t, m[1]))
	assert.Greater(t, atoi(t, w[2]), atoi(t, m[1]), "the window holds the violation")
	assert.Contains(t, html, `<g class="rule focus">`)
	assert.Contains(t, html, "processed, "+w[3]+" trace records", "summary and diagram count the same records")

	_, _, status = dsim(t, Config{}, "run", "threepc-partition-anomaly", "--seed", "1", "--html", page, "--window", "100-199")
	require.Equal(t, 1, status)
	assert.Contains(t, readString(t, page), "Trace records 100 to 199 (100 shown")
	_, _, status = dsim(t, Config{}, "run", "threepc-partition-anomaly", "--seed", "1", "--html", page, "--window", "150ms-200ms")
	require.Equal(t, 1, status)
	assert.Contains(t, readString(t, page), "simulated time 150ms to 200ms")
	_, stderr, status := dsim(t, Config{}, "run", "echo-calm", "--html", page, "--window", "200ms")
	assert.Equal(t, 2, status)
	assert.Contains(t, stderr, "want FROM-TO")

	_, _, status = dsim(t, Config{}, "run", "echo-faults", "--seed", "7", "--html", page)
	require.Equal(t, 0, status)
	assert.Contains(t, readString(t, page), "The red line marks the first fault.", "a passing run centres on its first fault")
}

// TestCheckGivesTheReportARunGets checks --format json and --html on a
// history: the verdict, the operation no order can place, and porcupine.
func TestCheckGivesTheReportARunGets(t *testing.T) {
	dir := t.TempDir()
	hist := filepath.Join(dir, "h.json")
	page := filepath.Join(dir, "h.html")
	_, _, status := dsim(t, Config{}, "run", "../debugger/testdata/zoo-paxos-follower-local-reads.yaml", "--history", hist)
	require.Equal(t, 1, status)
	out, _, status := dsim(t, Config{}, "check", hist, "--format", "json", "--html", page)
	require.Equal(t, 1, status)
	var rep struct {
		Passed bool
		Replay string
		Checks []struct{ Name, Verdict, Detail string }
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.False(t, rep.Passed)
	assert.Equal(t, "dsim check "+hist, rep.Replay)
	require.Len(t, rep.Checks, 1)
	assert.Equal(t, "violated", rep.Checks[0].Verdict)
	assert.Contains(t, rep.Checks[0].Detail, "the first operation no order can place is operation ")
	html := readString(t, page)
	assert.Contains(t, html, `<iframe class="porcupine"`)
	assert.Contains(t, html, "jump-link", "porcupine's page")
	assert.Contains(t, html, "<code>dsim check "+hist+"</code>")
	assert.NotContains(t, html, "<th>seed</th>", "a history has no seed")
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(b)
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	require.NoError(t, err)
	return n
}

// TestRunPerfetto checks --perfetto: a Chrome trace-event file with the
// check markers, the first violation among them, next to --trace.
func TestRunPerfetto(t *testing.T) {
	dir := t.TempDir()
	file, jsonl := filepath.Join(dir, "t.json"), filepath.Join(dir, "t.jsonl")
	_, _, status := dsim(t, Config{}, "run", "../debugger/testdata/zoo-twopc-early-commit.yaml", "--perfetto", file, "--trace", jsonl)
	require.Equal(t, 1, status)
	var trace struct {
		TraceEvents []struct {
			Name string
			Cat  string
			Ph   string
		}
	}
	require.NoError(t, json.Unmarshal([]byte(readString(t, file)), &trace))
	var checks []string
	for _, e := range trace.TraceEvents {
		if e.Cat == "check" {
			checks = append(checks, e.Name)
		}
	}
	assert.Equal(t, []string{"first violation: atomicity", "atomicity: violated", "isolation: violated", "termination: holds"}, checks)
	assert.NotEmpty(t, readString(t, jsonl), "--trace is written too")
}
