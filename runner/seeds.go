package runner

import (
	"fmt"
	"iter"
	"math"
	"strconv"
	"strings"
)

// Seeds is an inclusive range of seeds, First to Last, or one shard of it:
// the seeds whose index in the range is congruent to Shard modulo Of. The
// union of shards 0/N, ..., N-1/N is the whole range, so N machines can split
// a sweep between them. Of 0 (the zero value) means the whole range.
type Seeds struct {
	First, Last uint64
	Shard, Of   uint64
}

// ParseSeeds reads a range as written on a command line: "A-B" (inclusive)
// or a single seed "N".
func ParseSeeds(s string) (Seeds, error) {
	a, b, isRange := strings.Cut(s, "-")
	first, err := strconv.ParseUint(strings.TrimSpace(a), 10, 64)
	if err != nil {
		return Seeds{}, fmt.Errorf("--seeds %q: want A-B or N, e.g. 1-1000", s)
	}
	last := first
	if isRange {
		if last, err = strconv.ParseUint(strings.TrimSpace(b), 10, 64); err != nil {
			return Seeds{}, fmt.Errorf("--seeds %q: want A-B or N, e.g. 1-1000", s)
		}
	}
	if last < first {
		return Seeds{}, fmt.Errorf("--seeds %q: the range is empty (%d > %d)", s, first, last)
	}
	return Seeds{First: first, Last: last}, nil
}

// SetShard keeps only shard "I/N" of the range (0 <= I < N); "" keeps it
// whole.
func (s *Seeds) SetShard(spec string) error {
	if spec == "" {
		s.Shard, s.Of = 0, 0
		return nil
	}
	a, b, ok := strings.Cut(spec, "/")
	i, err1 := strconv.ParseUint(a, 10, 64)
	n, err2 := strconv.ParseUint(b, 10, 64)
	if !ok || err1 != nil || err2 != nil || n == 0 || i >= n {
		return fmt.Errorf("--shard %q: want I/N with 0 <= I < N, e.g. 0/4", spec)
	}
	s.Shard, s.Of = i, n
	return nil
}

// step is the distance between consecutive seeds of the shard.
func (s Seeds) step() uint64 { return max(s.Of, 1) }

// Count returns how many seeds there are, or math.MaxUint64 for the one
// range with more (every uint64, unsharded).
func (s Seeds) Count() uint64 {
	if s.Last < s.First {
		return 0
	}
	span := s.Last - s.First // seeds in the range, minus one
	if s.Shard > span {
		return 0
	}
	n := (span-s.Shard)/s.step() + 1
	if n == 0 { // span+1 overflowed: the whole uint64 range
		return math.MaxUint64
	}
	return n
}

// Contains reports whether seed is one of the seeds.
func (s Seeds) Contains(seed uint64) bool {
	return seed >= s.First && seed <= s.Last && (seed-s.First)%s.step() == s.Shard
}

// All iterates the seeds in increasing order, computing each as it goes.
func (s Seeds) All() iter.Seq[uint64] {
	return func(yield func(uint64) bool) {
		if s.Last < s.First || s.Last-s.First < s.Shard {
			return
		}
		for seed := s.First + s.Shard; ; seed += s.step() {
			if !yield(seed) || s.Last-seed < s.step() {
				return
			}
		}
	}
}

// String writes the seeds back as a command line would: "1-1000", "7", or
// "1-1000 shard 0/4".
func (s Seeds) String() string {
	r := strconv.FormatUint(s.First, 10)
	if s.Last != s.First {
		r += "-" + strconv.FormatUint(s.Last, 10)
	}
	if s.Of > 1 {
		r += fmt.Sprintf(" shard %d/%d", s.Shard, s.Of)
	}
	return r
}
