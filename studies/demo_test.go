package studies_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/studies"
)

func TestDemoHoldsAndIsDeterministic(t *testing.T) {
	o1, r1, err := studies.Demo(5)
	require.NoError(t, err)
	o2, r2, err := studies.Demo(5)
	require.NoError(t, err)
	assert.True(t, r1.Holds())
	assert.True(t, o1.Passed, "the scenario's echo check agrees")
	assert.Equal(t, r1, r2)
	assert.Equal(t, o1.Fingerprint, o2.Fingerprint)
	assert.Equal(t, 600, r1.Pings)
	assert.Less(t, r1.Answered, r1.Pings, "the demo's faults lose some pings")
	o3, _, err := studies.Demo(6)
	require.NoError(t, err)
	assert.NotEqual(t, o1.Fingerprint, o3.Fingerprint, "another seed, another run")
}
