package sim

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// DescribeState returns what the disk holds as canonical text: the durable
// keys and values, then the writes not yet synced, each in key order. Two
// disks have the same text exactly when they read the same and a crash
// would leave them the same, which is what an explorer needs to tell two
// states of a node apart (the node's own Describer cannot see what is
// synced). Syncs is not part of it.
func (s *Storage) DescribeState() string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(s.durable)) {
		b.WriteString(strconv.Quote(k) + "=" + strconv.Quote(string(s.durable[k])) + ";")
	}
	b.WriteString("|")
	for _, k := range slices.Sorted(maps.Keys(s.pending)) {
		if w := s.pending[k]; w.deleted {
			b.WriteString(strconv.Quote(k) + " deleted;")
		} else {
			b.WriteString(strconv.Quote(k) + "=" + strconv.Quote(string(w.value)) + ";")
		}
	}
	return b.String()
}
