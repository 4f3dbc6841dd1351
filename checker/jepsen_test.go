package checker

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// checkJepsen reads a Jepsen history and checks it.
func checkJepsen(t *testing.T, history, model string) (LinResult, string) {
	t.Helper()
	ops, name, err := ReadJepsenHistory(strings.NewReader(history), model)
	require.NoError(t, err)
	m, err := ModelByName(name)
	require.NoError(t, err)
	res, err := CheckLinearizable(m, ops, 0)
	require.NoError(t, err)
	return res, name
}

func TestJepsenRegisterHistories(t *testing.T) {
	tests := []struct {
		name, history string
		want          Verdict
	}{
		{"write then read", `
{:type :invoke, :f :write, :value 3, :process 0, :time 10, :index 0}
{:type :ok, :f :write, :value 3, :process 0, :time 20, :index 1}
{:type :invoke, :f :read, :value nil, :process 1, :time 30, :index 2}
{:type :ok, :f :read, :value 3, :process 1, :time 40, :index 3}`, Holds},
		{"a stale read", `
{:type :invoke, :f :write, :value 3, :process 0}
{:type :ok, :f :write, :value 3, :process 0}
{:type :invoke, :f :read, :value nil, :process 1}
{:type :ok, :f :read, :value nil, :process 1}`, Violated},
		{"an indeterminate write may have taken effect", `
{:type :invoke, :f :write, :value 1, :process 0}
{:type :info, :f :write, :value 1, :process 0}
{:type :invoke, :f :read, :value nil, :process 5}
{:type :ok, :f :read, :value 1, :process 5}`, Holds},
		{"a failed write did not take effect", `
{:type :invoke, :f :write, :value 1, :process 0}
{:type :fail, :f :write, :value 1, :process 0}
{:type :invoke, :f :read, :value nil, :process 5}
{:type :ok, :f :read, :value 1, :process 5}`, Violated},
		{"cas that succeeded and one that failed", `
{:type :invoke, :f :write, :value 1, :process 0}
{:type :ok, :f :write, :value 1, :process 0}
{:type :invoke, :f :cas, :value [1 2], :process 1}
{:type :ok, :f :cas, :value [1 2], :process 1}
{:type :invoke, :f :cas, :value [1 3], :process 2}
{:type :fail, :f :cas, :value [1 3], :process 2}
{:type :invoke, :f :read, :value nil, :process 0}
{:type :ok, :f :read, :value 2, :process 0}`, Holds},
		{"a cas that cannot have succeeded", `
{:type :invoke, :f :write, :value 1, :process 0}
{:type :ok, :f :write, :value 1, :process 0}
{:type :invoke, :f :cas, :value [5 2], :process 1}
{:type :ok, :f :cas, :value [5 2], :process 1}`, Violated},
		{"nemesis events are left out, and Knossos's vector form is read", `[
{:process :nemesis, :type :info, :f :start, :value nil}
{:process 0, :type :invoke, :f :write, :value 2}
{:process 0, :type :ok, :f :write, :value 2}
{:process :nemesis, :type :info, :f :stop, :value "healed"}
{:process 1, :type :invoke, :f :read, :value nil}
{:process 1, :type :ok, :f :read, :value 2}]`, Holds},
		{"an invocation never completed is unknown", `
{:type :invoke, :f :write, :value 7, :process 0}
{:type :invoke, :f :read, :value nil, :process 1}
{:type :ok, :f :read, :value 7, :process 1}`, Holds},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, model := checkJepsen(t, tt.history, "")
			assert.Equal(t, "register", model)
			assert.Equal(t, tt.want, res.Verdict, res.Detail)
		})
	}
}

func TestJepsenIndependentKeys(t *testing.T) {
	history := `
{:type :invoke, :f :write, :value [1 3], :process 0}
{:type :ok, :f :write, :value [1 3], :process 0}
{:type :invoke, :f :write, :value [2 4], :process 1}
{:type :ok, :f :write, :value [2 4], :process 1}
{:type :invoke, :f :cas, :value [2 [4 5]], :process 1}
{:type :ok, :f :cas, :value [2 [4 5]], :process 1}
{:type :invoke, :f :read, :value [1 nil], :process 2}
{:type :ok, :f :read, :value [1 3], :process 2}
{:type :invoke, :f :read, :value [2 nil], :process 2}
{:type :ok, :f :read, :value [2 5], :process 2}`
	res, model := checkJepsen(t, history, "")
	assert.Equal(t, "kv", model)
	assert.Equal(t, Holds, res.Verdict, res.Detail)
	res, _ = checkJepsen(t, strings.Replace(history, ":value [2 5]", ":value [2 4]", 1), "")
	assert.Equal(t, Violated, res.Verdict)
	assert.Equal(t, []string{"2"}, res.Offending)
}

func TestJepsenHistoryErrors(t *testing.T) {
	tests := []struct{ name, history, model, want string }{
		{"not EDN", `{:type :invoke, :f`, "", "invalid EDN"},
		{"not a map", `[1 2]`, "", "event 0: want a map"},
		{"unknown :f", `{:type :invoke, :f :frob, :value 1, :process 0, :index 7}`, "", "event 0 (:index 7): :f :frob is not one of the register model's operations (:cas, :read, :write)"},
		{"unknown :type", `{:type :maybe, :f :read, :value nil, :process 0}`, "", ":type :maybe is not :invoke"},
		{"completion without invocation", `{:type :ok, :f :read, :value 1, :process 3}`, "", ":ok of process 3, which has no invocation open"},
		{"two invocations at once", "{:type :invoke, :f :read, :value nil, :process 0}\n{:type :invoke, :f :read, :value nil, :process 0}", "", "event 1: process 0 invokes again"},
		{"bad cas", `{:type :invoke, :f :cas, :value 3, :process 0}`, "", "a cas takes [expected new]"},
		{"a map as a value", `{:type :invoke, :f :write, :value {:a 1}, :process 0}`, "", "want an integer, string, keyword or nil"},
		{"kv without a pair", `{:type :invoke, :f :write, :value 3, :process 0}`, "kv", "a kv operation's :value is [key value]"},
		{"missing :type", `{:f :read, :value nil, :process 0}`, "", ":type is missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := ReadJepsenHistory(strings.NewReader(tt.history), tt.model)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrBadHistory)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	_, _, err := ReadJepsenHistory(strings.NewReader(`{:type :invoke, :f :read, :value nil, :process 0}`), "queue")
	assert.ErrorIs(t, err, ErrUnknownModel)
}

// FuzzReadJepsenHistory: no input makes the reader panic, and every error
// wraps ErrBadHistory.
func FuzzReadJepsenHistory(f *testing.F) {
	f.Add([]byte("{:type :invoke, :f :write, :value 3, :process 0}\n{:type :ok, :f :write, :value 3, :process 0}"))
	f.Add([]byte("[{:process 0, :type :invoke, :f :cas, :value [1 2]} {:process 0, :type :info, :f :cas, :value [1 2]}]"))
	f.Add([]byte("{:type :invoke, :f :read, :value [1 nil], :process 2, :error #error {:a 1}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _, err := ReadJepsenHistory(strings.NewReader(string(data)), "")
		if err != nil && !strings.Contains(err.Error(), "bad history") && !strings.Contains(err.Error(), "unknown model") {
			t.Fatalf("error without ErrBadHistory: %v", err)
		}
	})
}

// TestPorcupinesPublicHistories checks the key-value histories porcupine is
// tested on: the linearizable one holds, and the two that are not are
// violated, found by the fast mode (a 50-client one ran 21 minutes and took
// 23 GB in the verbose mode, with no verdict).
func TestPorcupinesPublicHistories(t *testing.T) {
	for _, tc := range []struct {
		file string
		want Verdict
	}{
		{"porcupine-kv-c50-ok.edn", Holds},
		{"porcupine-kv-c50-bad.edn", Violated},
		{"porcupine-kv-c10-bad.edn", Violated},
	} {
		t.Run(tc.file, func(t *testing.T) {
			f, err := os.Open(filepath.Join("testdata", tc.file))
			require.NoError(t, err)
			defer f.Close()
			ops, model, format, err := ReadAnyHistory(f, "")
			require.NoError(t, err)
			assert.Equal(t, "kv", model)
			assert.Equal(t, "edn", format)
			res, err := CheckLinearizable(KVModel(), ops, time.Minute)
			require.NoError(t, err)
			assert.Equal(t, tc.want, res.Verdict, res.Detail)
			if tc.want == Violated {
				assert.Len(t, res.Offending, 1)
			}
		})
	}
}

// BenchmarkFastModeOnAPublicViolation reads and checks porcupine's 50-client
// key-value history with a violation: one op is one whole check. The goal is
// well under a second.
func BenchmarkFastModeOnAPublicViolation(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "porcupine-kv-c50-bad.edn"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		ops, _, err := ReadJepsenHistory(bytes.NewReader(data), "")
		if err != nil {
			b.Fatal(err)
		}
		res, err := CheckLinearizable(KVModel(), ops, time.Minute)
		if err != nil || res.Verdict != Violated {
			b.Fatalf("%v %s", err, res.Detail)
		}
	}
}
