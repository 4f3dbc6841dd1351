package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidate(t *testing.T) {
	out, stderr, status := dsim(t, Config{}, "validate", "echo-calm", "echo-faults")
	assert.Equal(t, 0, status, stderr)
	assert.Contains(t, out, "echo-faults: ok (echo-faults, protocol echo)")

	wrong := writeTemp(t, t.TempDir(), "wrong.yaml", "name: wrong\nprotocol: echo\nnodes: 1\nduration: 1s\nfaults:\n  - at: 5ms\n    crash: n9\n")
	out, stderr, status = dsim(t, Config{}, "validate", "echo-calm", wrong)
	assert.Equal(t, 2, status)
	assert.Contains(t, out, "echo-calm: ok")
	assert.Contains(t, stderr, `wrong.yaml:6: faults[0].crash: no node named "n9"`, "validate sets the protocol up to resolve node names")
	assert.Contains(t, stderr, "dsim: 1 of 2 scenarios are invalid")
}

func TestList(t *testing.T) {
	out, _, status := dsim(t, Config{}, "list")
	require.Equal(t, 0, status)
	assert.Regexp(t, `(?m)^echo-calm\s+echo\s+Three clients ping one server`, out)
	assert.Regexp(t, `(?m)^paxos\s+Multi-Paxos`, out)
	assert.NotContains(t, out, "param interval", "parameters only with --verbose")

	out, _, status = dsim(t, Config{}, "list", "--verbose")
	require.Equal(t, 0, status)
	assert.Contains(t, out, "param interval")

	out, _, status = dsim(t, Config{}, "list", "paxos")
	require.Equal(t, 0, status)
	assert.Regexp(t, `(?m)^paxos\s+Multi-Paxos`, out)
	assert.Regexp(t, `(?m)^  check linearizability\s+the clients' history is linearizable`, out)
	assert.Regexp(t, `(?m)^  param variant\s+`, out)
	assert.NotContains(t, out, "echo", "one protocol only")
}
