package wal

import (
	"errors"
	"testing"
)

// FuzzOpen stores arbitrary keys and values under the log's prefix and
// opens the log: Open must recover or report ErrCorrupt, never panic.
func FuzzOpen(f *testing.F) {
	f.Add("r/0000000000000001", []byte("k=v"), "c/0000000000000001/m", []byte{1, 2, 3})
	f.Add("r/0000000000000002", []byte("k=v"), "c/0000000000000001/00000000", []byte("x"))
	f.Fuzz(func(t *testing.T, k1 string, v1 []byte, k2 string, v2 []byte) {
		st := NewMemStore()
		st.Put("wal/"+k1, v1)
		st.Put("wal/"+k2, v2)
		st.Sync()
		_, _, err := Open(st, newKV(), Options{})
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error not wrapping ErrCorrupt: %v", err)
		}
	})
}
