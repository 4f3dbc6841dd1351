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
	var b []byte
	for _, k := range slices.Sorted(maps.Keys(s.durable)) {
		b = append(strconv.AppendQuote(append(strconv.AppendQuote(b, k), '='), string(s.durable[k])), ';')
	}
	b = append(b, '|')
	unsynced := slices.SortedFunc(slices.Values(s.pending), func(a, b pendingWrite) int { return strings.Compare(a.key, b.key) })
	for _, w := range unsynced {
		b = strconv.AppendQuote(b, w.key)
		if w.deleted {
			b = append(b, " deleted;"...)
		} else {
			b = append(strconv.AppendQuote(append(b, '='), string(w.value)), ';')
		}
	}
	return string(b)
}
