package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests run the built binary as a user would, on inputs that used to
// exhaust the machine or lose what a sweep found, under a hard limit on
// virtual memory (ulimit -v) and GOMEMLIMIT, and with signals.

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// binary builds dsim once for the tests of this file.
func binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "dsim-bounded")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "dsim")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("%v: %s", err, out)
		}
	})
	require.NoError(t, buildErr)
	return binPath
}

// limited runs dsim with args in dir under a 4 GiB address-space limit and
// a 1 GiB GOMEMLIMIT, killing it after a minute, and returns its output and
// exit status.
func limited(t *testing.T, dir string, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	script := `ulimit -v 4194304 && exec "$0" "$@"`
	cmd := exec.CommandContext(ctx, "sh", append([]string{"-c", script, binary(t)}, args...)...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), "GOMEMLIMIT=1GiB")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	require.NoError(t, ctx.Err(), "dsim %v did not finish within a minute", args)
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return out.String(), errOut.String(), exit.ExitCode()
	}
	require.NoError(t, err)
	return out.String(), errOut.String(), 0
}

// TestPathologicalInputsGetAClearAnswer: each input that once took gigabytes
// now gets a clear error (exit 2) or an inconclusive verdict (exit 1) in a
// bounded process.
func TestPathologicalInputsGetAClearAnswer(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	echo := "name: e\nprotocol: echo\nnodes: 1\nduration: 1s\n"
	write("million.yaml", echo+"clients: 1000000\n")
	write("nemesis.yaml", strings.Replace(echo, "1s", "1000h", 1)+"clients: 1\nnemesis:\n  kinds: [crash]\n  interval: 1ns\n")
	var faults strings.Builder
	faults.WriteString(echo + "clients: 1\nfaults:\n")
	for faults.Len() < 50<<20 {
		faults.WriteString("  - {at: 1ms, crash: server}\n")
	}
	write("faults.yaml", faults.String())
	write("rate.yaml", echo+"clients: 1\nworkload: {ops: 10, rate: 1e-12}\n")
	write("hard.json", hardHistory(24))

	tests := []struct {
		name   string
		args   []string
		status int
		want   string
	}{
		{"a million clients", []string{"validate", "million.yaml"}, 2, "more than the limit of 100000"},
		{"a nemesis every nanosecond", []string{"validate", "nemesis.yaml"}, 2, "more than the limit of 100000"},
		{"a 50 MB list of faults", []string{"validate", "faults.yaml"}, 2, "larger than 8 MiB"},
		{"a rate that overflows", []string{"validate", "rate.yaml"}, 2, "out of range"},
		{"a hundred million seeds, failing fast", []string{"sweep", "twopc-blocking", "--seeds", "1-100000000", "--fail-fast", "--jobs", "1"}, 1, "1 runs"},
		{"a hard history with a time budget", []string{"check", "hard.json", "--budget", "1s"}, 1, "the 1s budget ran out"},
		{"a hard history with a memory limit", []string{"check", "hard.json", "--check-memory", "64MiB"}, 1, "the 64 MiB memory limit was reached"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, status := limited(t, dir, tt.args...)
			assert.Equal(t, tt.status, status, "%s\n%s", out, errOut)
			assert.Contains(t, out+errOut, tt.want)
		})
	}
}

// hardHistory is n concurrent writes and a read of a value none wrote, as
// register history JSON: porcupine must try every order of the writes.
func hardHistory(n int) string {
	var b strings.Builder
	b.WriteString(`{"model": "register", "operations": [`)
	for i := range n {
		fmt.Fprintf(&b, `{"client": %d, "call": 0, "return": 100, "input": {"op": "write", "value": "%d"}},`, i, i)
	}
	fmt.Fprintf(&b, `{"client": %d, "call": 200, "return": 300, "input": {"op": "read"}, "output": {"value": "never"}}]}`, n)
	return b.String()
}

// started starts dsim with args in dir and returns the running command and
// its output buffers.
func started(t *testing.T, dir string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(binary(t), args...)
	cmd.Dir = dir
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	return cmd, &out, &errOut
}

// waitForLines waits until path has at least n lines.
func waitForLines(t *testing.T, path string, n int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		if data, err := os.ReadFile(path); err == nil && bytes.Count(data, []byte("\n")) >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never reached %d lines", path, n)
}

// exitStatus waits for cmd and returns its exit status.
func exitStatus(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	err := cmd.Wait()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return exit.ExitCode()
	}
	require.NoError(t, err)
	return 0
}

// TestSignalsStopASweepAndKeepWhatItFound: SIGINT and SIGTERM stop a long
// sweep, which prints the summary of the runs that finished, as complete
// JSON marked interrupted, and exits 130 or 143; its --out file holds the
// same runs.
func TestSignalsStopASweepAndKeepWhatItFound(t *testing.T) {
	for _, tc := range []struct {
		sig    syscall.Signal
		status int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			runs := filepath.Join(dir, "runs.jsonl")
			cmd, out, errOut := started(t, dir, "sweep", "paxos-nemesis", "--seeds", "0-18446744073709551615",
				"--format", "json", "--out", runs, "--jobs", "2")
			waitForLines(t, runs, 6)
			require.NoError(t, cmd.Process.Signal(tc.sig))
			assert.Equal(t, tc.status, exitStatus(t, cmd), errOut.String())
			var doc struct {
				Runs        int  `json:"runs"`
				Interrupted bool `json:"interrupted"`
			}
			require.NoError(t, json.Unmarshal(out.Bytes(), &doc), "complete JSON: %s", out)
			assert.True(t, doc.Interrupted)
			assert.GreaterOrEqual(t, doc.Runs, 5)
			data, err := os.ReadFile(runs)
			require.NoError(t, err)
			assert.Equal(t, doc.Runs+1, bytes.Count(data, []byte("\n")), "a header and every run the summary counts")
			assert.Contains(t, errOut.String(), "interrupted by")
		})
	}
}

// TestAKilledSweepResumes: a sweep killed with SIGKILL loses only the runs
// in flight; resumed from its --out file, it prints the digest of a sweep
// that was never interrupted.
func TestAKilledSweepResumes(t *testing.T) {
	dir := t.TempDir()
	runs := filepath.Join(dir, "runs.jsonl")
	args := []string{"sweep", "paxos-calm", "--seeds", "1-150", "--format", "json", "--jobs", "2"}
	cmd, _, _ := started(t, dir, append(args, "--out", runs)...)
	waitForLines(t, runs, 20)
	require.NoError(t, cmd.Process.Kill())
	_ = cmd.Wait()

	resumed, errOut, status := limited(t, dir, append(args, "--resume", runs)...)
	require.Equal(t, 0, status, errOut)
	whole, _, status := limited(t, dir, args...)
	require.Equal(t, 0, status)
	assert.Equal(t, digest(t, whole), digest(t, resumed))
}

func digest(t *testing.T, out string) string {
	t.Helper()
	var doc struct {
		Runs   int    `json:"runs"`
		Digest string `json:"digest"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc), out)
	return fmt.Sprintf("%d runs, digest %s", doc.Runs, doc.Digest)
}

// TestALongRunIsTracedInBoundedMemory: a thousand simulated hours with
// --trace streams the trace to its file as the run goes, in a bounded
// process; SIGINT stops the run and keeps the trace so far.
func TestALongRunIsTracedInBoundedMemory(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "long.yaml"),
		[]byte("name: long\nprotocol: detector\nnodes: 4\nduration: 1000h\n"), 0o644))
	trace := filepath.Join(dir, "trace.jsonl")
	cmd, out, errOut := started(t, dir, "run", "long.yaml", "--trace", trace, "--html", filepath.Join(dir, "r.html"))
	waitForLines(t, trace, 100_000)
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	assert.Equal(t, 130, exitStatus(t, cmd), errOut.String())
	assert.Contains(t, out.String(), "INTERRUPTED")
	info, err := os.Stat(trace)
	require.NoError(t, err)
	assert.Greater(t, info.Size(), int64(1<<20), "the trace was written as the run went")
}
