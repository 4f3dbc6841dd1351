package main

import (
	"errors"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBinary builds dsim and checks what only a real process shows: the exit
// status through os.Exit, and --version from the binary's build
// information. Everything else is tested in process, in package cli.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "dsim")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, string(out))

	for _, tc := range []struct {
		args   []string
		status int
	}{
		{[]string{"run", "echo-calm"}, 0},
		{[]string{"run", "twopc-blocking"}, 1},
		{[]string{"run", "no-such-scenario"}, 2},
	} {
		err := exec.Command(bin, tc.args...).Run()
		status := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			status = exit.ExitCode()
		} else {
			require.NoError(t, err)
		}
		assert.Equal(t, tc.status, status, "dsim %v", tc.args)
	}

	version, err := exec.Command(bin, "--version").Output()
	require.NoError(t, err)
	assert.Regexp(t, `^dsim \S+ \(module github.com/dsimlab/dsim\)\nrevision \S+`, string(version))
	assert.Regexp(t, `\ngo1\.\d+\S* \w+/\w+\n$`, string(version))
}
