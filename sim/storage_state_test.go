package sim_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/sim"
)

// TestStorageDescribeState: two disks describe alike exactly when they hold
// the same data and would lose the same writes in a crash.
func TestStorageDescribeState(t *testing.T) {
	disk := func(ops func(s *sim.Storage)) string {
		w, err := sim.New(sim.Config{})
		require.NoError(t, err)
		id := w.MustAddNode("n", func() sim.Node { return &timerNode{} })
		ops(w.Storage(id))
		return w.Storage(id).DescribeState()
	}
	synced := disk(func(s *sim.Storage) { s.Put("a", []byte("1")); s.Sync() })
	unsynced := disk(func(s *sim.Storage) { s.Put("a", []byte("1")) })
	assert.NotEqual(t, synced, unsynced, "a crash would lose the unsynced write")
	assert.Equal(t, synced, disk(func(s *sim.Storage) { s.Put("a", []byte("0")); s.Put("a", []byte("1")); s.Sync() }))
	ordered := disk(func(s *sim.Storage) { s.Put("b", nil); s.Put("a", []byte("x")); s.Sync(); s.Delete("b") })
	assert.Equal(t, ordered, disk(func(s *sim.Storage) { s.Put("a", []byte("x")); s.Put("b", nil); s.Sync(); s.Delete("b") }),
		"the order of writes to different keys does not matter")
	assert.Equal(t, `"a"="x";"b"="";|"b" deleted;`, ordered)
	assert.Equal(t, "|", disk(func(*sim.Storage) {}))
}
