package wal

import (
	"testing"
)

// BenchmarkCrashAtEveryEvent times the exhaustive crash-point test of one
// seed (about 200 crash points, each a run crashed, recovered and run to
// its end): what TestCrashAtEveryEvent pays per seed and mode.
func BenchmarkCrashAtEveryEvent(b *testing.B) {
	for _, mode := range []struct {
		name   string
		atomic bool
	}{{"incremental", false}, {"atomic", true}} {
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			points := 0
			for b.Loop() {
				st := crashEveryEvent(1, mode.atomic, false)
				if len(st.failures) > 0 {
					b.Fatal(st.failures[0])
				}
				points += st.points
			}
			b.ReportMetric(float64(points)/float64(b.N), "crash-points/op")
		})
	}
}

// BenchmarkAppendSync appends one record and syncs it, checkpointing every
// 100 records, on an in-memory store.
func BenchmarkAppendSync(b *testing.B) {
	st := newMemStore(nil, -1)
	l, _, err := Open(st, newKV(), Options{Every: 100})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := uint64(1); b.Loop(); i++ {
		if _, err := l.Append(record(i)); err != nil {
			b.Fatal(err)
		}
		l.Sync()
		if l.Due() {
			l.Checkpoint()
		}
	}
}
