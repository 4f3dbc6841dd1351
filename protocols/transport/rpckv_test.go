package transport

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/dsimlab/dsim/sim"
)

func TestKVClientRoutesKeyIToServerIModN(t *testing.T) {
	c := &KVClient{servers: []sim.NodeID{4, 5, 6}}
	for key, want := range map[string]sim.NodeID{"k0": 4, "k1": 5, "k2": 6, "k3": 4, "k11": 6} {
		assert.Equal(t, want, c.server(key), key)
	}
}
