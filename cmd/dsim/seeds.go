package main

import (
	"fmt"
	"strconv"
	"strings"
)

// seedRange is an inclusive range of seeds, as written on the command line
// ("1-1000" or "42").
type seedRange struct{ first, last uint64 }

func parseSeeds(s string) (seedRange, error) {
	a, b, isRange := strings.Cut(s, "-")
	first, err := strconv.ParseUint(strings.TrimSpace(a), 10, 64)
	if err != nil {
		return seedRange{}, fmt.Errorf("--seeds %q: want A-B or N, e.g. 1-1000", s)
	}
	last := first
	if isRange {
		if last, err = strconv.ParseUint(strings.TrimSpace(b), 10, 64); err != nil {
			return seedRange{}, fmt.Errorf("--seeds %q: want A-B or N, e.g. 1-1000", s)
		}
	}
	if last < first {
		return seedRange{}, fmt.Errorf("--seeds %q: the range is empty (%d > %d)", s, first, last)
	}
	return seedRange{first, last}, nil
}

// shard is one of n disjoint parts of a seed range: seeds whose index in
// the range is congruent to i modulo n. The union of 0/n, ..., (n-1)/n is
// the whole range.
type shard struct{ i, n uint64 }

func parseShard(s string) (shard, error) {
	if s == "" {
		return shard{0, 1}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	i, err1 := strconv.ParseUint(a, 10, 64)
	n, err2 := strconv.ParseUint(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || n == 0 || i >= n {
		return shard{}, fmt.Errorf("--shard %q: want I/N with 0 <= I < N, e.g. 0/4", s)
	}
	return shard{i, n}, nil
}

// seeds lists the seeds of r that belong to shard sh.
func (r seedRange) seeds(sh shard) []uint64 {
	var out []uint64
	for s := r.first + sh.i; s <= r.last && s >= r.first; s += sh.n {
		out = append(out, s)
	}
	return out
}
