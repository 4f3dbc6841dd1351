package pbkv

import (
	"testing"

	"github.com/dsimlab/dsim/checker"
)

// FuzzDecode feeds arbitrary bytes to the decoders of log records and
// snapshots: they must reject garbage with an error, never panic, and a
// snapshot they accept must re-encode to an equivalent state.
func FuzzDecode(f *testing.F) {
	s := newStore()
	_ = s.Apply(writeRecord(&Request{Client: "c1", Seq: 1, Op: checker.KVAppend, Key: "k", Value: "v;"}))
	f.Add(writeRecord(&Request{Client: "c1", Seq: 2, Op: checker.KVPut, Key: "k", Value: "w;"}))
	f.Add(primaryRecord(3))
	f.Add(s.Snapshot())
	f.Add(putView([]byte{recView}, View{Num: 2, Primary: 1, PrimaryInc: 1, Backup: 2, BackupInc: 3}))
	f.Fuzz(func(t *testing.T, b []byte) {
		st := newStore()
		_ = st.Apply(b)
		if st.Restore(b) == nil {
			again := newStore()
			if err := again.Restore(st.Snapshot()); err != nil {
				t.Fatalf("re-encoded snapshot rejected: %v", err)
			}
		}
		vs := &vsState{}
		_ = vs.Apply(b)
		_ = vs.Restore(b)
	})
}
