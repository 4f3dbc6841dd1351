package chash

import (
	"slices"

	"gonum.org/v1/gonum/stat"
)

// LoadStats describes how a set of keys spreads over the members of a
// Hasher. Every count is a number of keys.
type LoadStats struct {
	// Keys is the number of keys measured.
	Keys int
	// Members holds the member names in ascending order.
	Members []string
	// Counts holds the keys owned by each member, in the order of Members;
	// members that own no key count 0.
	Counts []int
	// Min and Max are the smallest and largest entries of Counts.
	Min, Max int
	// Mean is the mean of Counts, in keys per member.
	Mean float64
	// StdDev is the population standard deviation of Counts, in keys.
	StdDev float64
	// MaxOverMean is Max / Mean, the peak-to-average ratio: 1 is a perfect
	// spread. It is 0 when Mean is 0.
	MaxOverMean float64
	// CV is the coefficient of variation StdDev / Mean, 0 for a perfect
	// spread. It is 0 when Mean is 0.
	CV float64
}

// Measure looks up every key in h and returns how they spread over its
// members. It only calls Lookup: to measure a LoadAware hasher under its
// bound, place the keys first (see Place), after which Lookup returns their
// owners.
func Measure(h Hasher, keys []uint64) LoadStats {
	s := LoadStats{Keys: len(keys), Members: h.Members()}
	s.Counts = make([]int, len(s.Members))
	index := make(map[string]int, len(s.Members))
	for i, m := range s.Members {
		index[m] = i
	}
	for _, k := range keys {
		if i, ok := index[h.Lookup(k)]; ok {
			s.Counts[i]++
		}
	}
	if len(s.Counts) == 0 {
		return s
	}
	s.Min, s.Max = slices.Min(s.Counts), slices.Max(s.Counts)
	x := make([]float64, len(s.Counts))
	for i, c := range s.Counts {
		x[i] = float64(c)
	}
	s.Mean, s.StdDev = stat.PopMeanStdDev(x, nil)
	if s.Mean > 0 {
		s.MaxOverMean = float64(s.Max) / s.Mean
		s.CV = s.StdDev / s.Mean
	}
	return s
}

// Count returns the keys owned by member, or 0 for a name not in Members.
func (s LoadStats) Count(member string) int {
	if i, ok := slices.BinarySearch(s.Members, member); ok {
		return s.Counts[i]
	}
	return 0
}

// Moved returns the fraction of keys, from 0 to 1, whose owner differs
// between before and after; it is 0 for no keys. Typical arguments are
// Snapshot(h, keys) taken before a change and h.Lookup after it.
func Moved(before, after func(uint64) string, keys []uint64) float64 {
	if len(keys) == 0 {
		return 0
	}
	moved := 0
	for _, k := range keys {
		if before(k) != after(k) {
			moved++
		}
	}
	return float64(moved) / float64(len(keys))
}

// Snapshot records the owner of every key in h now and returns a lookup
// function over that record, so that h can then change; the function
// returns "" for a key not recorded.
func Snapshot(h Hasher, keys []uint64) func(uint64) string {
	owners := make(map[uint64]string, len(keys))
	for _, k := range keys {
		owners[k] = h.Lookup(k)
	}
	return func(k uint64) string { return owners[k] }
}
