package mapreduce

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWord(t *testing.T) {
	for _, tc := range []struct {
		rank int
		want string
	}{
		{0, "ba"}, {1, "be"}, {4, "bu"}, {5, "da"}, {79, "zu"}, {80, "baba"}, {81, "babe"}, {80 + 6399, "zuzu"}, {80 + 6400, "bababa"},
	} {
		assert.Equal(t, tc.want, Word(tc.rank), "rank %d", tc.rank)
	}
	seen := map[string]bool{}
	for k := 0; k < 20000; k++ {
		w := Word(k)
		require.False(t, seen[w], "rank %d repeats %q", k, w)
		seen[w] = true
	}
}

// tiny is a hand-made corpus of two splits.
var tiny = [][]byte{
	[]byte("d0.0\tthe cat sat\nd0.1\tthe dog\n"),
	[]byte("d1.0\tcat and dog and cat\n"),
}

func TestJobsOnAHandMadeCorpus(t *testing.T) {
	for _, tc := range []struct {
		job  Job
		want string // every partition's lines, concatenated and sorted
	}{
		{WordCount(), "and\t2\ncat\t3\ndog\t2\nsat\t1\nthe\t2\n"},
		{InvertedIndex(), "and\t1 d1.0\ncat\t2 d0.0,d1.0\ndog\t2 d0.1,d1.0\nsat\t1 d0.0\nthe\t2 d0.0,d0.1\n"},
		{Grep(regexp.MustCompile(`\bdog\b`)), "d0.1\tthe dog\nd1.0\tcat and dog and cat\n"},
	} {
		t.Run(tc.job.Name, func(t *testing.T) {
			for _, r := range []int{1, 3} {
				files := Sequential(tc.job, tiny, r)
				require.Len(t, files, r)
				var lines []string
				for i, f := range files {
					for l := range strings.Lines(string(f)) {
						key, _, _ := strings.Cut(l, "\t")
						assert.Equal(t, i, Partition(key, r), "%q is in the file of its partition", key)
						lines = append(lines, l)
					}
				}
				slices.Sort(lines)
				assert.Equal(t, tc.want, strings.Join(lines, ""), "R=%d", r)
			}
		})
	}
}

// distributed runs the distributed code path without the cluster: each
// split mapped (and combined) apart, each partition reduced from every
// split's bucket in split order.
func distributed(job Job, splits [][]byte, r int) [][]byte {
	buckets := make([][][]KeyValue, r)
	for _, s := range splits {
		parts, _ := runMap(job, s, r)
		for p := range parts {
			buckets[p] = append(buckets[p], parts[p])
		}
	}
	out := make([][]byte, r)
	for p := range out {
		out[p] = runReduce(job, buckets[p])
	}
	return out
}

func TestDistributedPathEqualsSequential(t *testing.T) {
	corpus := Corpus{Splits: 12, Records: 15, Words: 9, Vocab: 300, ZipfS: 1.3}.Generate(rand.New(rand.NewPCG(1, 2)))
	for _, job := range []Job{WordCount(), InvertedIndex(), Grep(regexp.MustCompile(`\bka`))} {
		for _, r := range []int{1, 5, 16} {
			assert.Equal(t, Sequential(job, corpus, r), distributed(job, corpus, r), "%s R=%d", job.Name, r)
		}
	}
}

// TestCombinerMustBeAPartialReduce shows the comparison with the sequential
// run catches a combiner that is not a partial reduce: the inverted
// index's reduce, used as its combiner, counts documents twice over.
func TestCombinerMustBeAPartialReduce(t *testing.T) {
	corpus := Corpus{Splits: 4, Records: 10, Words: 8, Vocab: 50, ZipfS: 1.3}.Generate(rand.New(rand.NewPCG(3, 4)))
	bad := InvertedIndex()
	bad.Combine = bad.Reduce
	assert.NotEqual(t, Sequential(bad, corpus, 3), distributed(bad, corpus, 3))
	noCombiner := WordCount()
	noCombiner.Combine = nil
	assert.Equal(t, Sequential(noCombiner, corpus, 3), distributed(noCombiner, corpus, 3))
}

func TestCombinerShrinksTheShuffle(t *testing.T) {
	corpus := Corpus{Splits: 1, Records: 50, Words: 10, Vocab: 100, ZipfS: 1.2}.Generate(rand.New(rand.NewPCG(5, 6)))
	plain := WordCount()
	plain.Combine = nil
	total := func(job Job) int {
		_, sizes := runMap(job, corpus[0], 4)
		n := 0
		for _, s := range sizes {
			n += s
		}
		return n
	}
	assert.Less(t, total(WordCount()), total(plain))
}

func TestPartition(t *testing.T) {
	for _, r := range []int{1, 2, 7, 100} {
		for k := 0; k < 500; k++ {
			p := Partition(Word(k), r)
			require.True(t, p >= 0 && p < r)
			require.Equal(t, p, Partition(Word(k), r), "a fixed function")
		}
	}
	// FNV-1a of "a" is 0xe40c292c: pinned so partitions never move
	// between versions.
	assert.Equal(t, int(uint32(0xe40c292c)%7), Partition("a", 7))
}

func TestJobByName(t *testing.T) {
	for _, name := range Jobs {
		j, err := JobByName(name, "x")
		require.NoError(t, err)
		assert.Equal(t, name, j.Name)
	}
	_, err := JobByName("sort", "")
	assert.ErrorContains(t, err, "unknown job")
	_, err = JobByName("grep", "(")
	assert.ErrorContains(t, err, "grep pattern")
}

func TestCorpusIsDeterministicAndZipfian(t *testing.T) {
	c := Corpus{Splits: 5, Records: 40, Words: 10, Vocab: 500, ZipfS: 1.2}
	a := c.Generate(rand.New(rand.NewPCG(7, 7)))
	b := c.Generate(rand.New(rand.NewPCG(7, 7)))
	other := c.Generate(rand.New(rand.NewPCG(8, 8)))
	assert.Equal(t, a, b)
	assert.NotEqual(t, a, other)
	require.Len(t, a, 5)
	counts := map[string]int{}
	records := 0
	for m, s := range a {
		parseRecords(s, func(name, text string) {
			assert.True(t, strings.HasPrefix(name, fmt.Sprintf("d%d.", m)), name)
			ws := strings.Fields(text)
			assert.Len(t, ws, 10)
			for _, w := range ws {
				counts[w]++
			}
			records++
		})
	}
	assert.Equal(t, 5*40, records)
	top := ""
	for w, n := range counts {
		if n > counts[top] {
			top = w
		}
	}
	assert.Equal(t, Word(0), top, "the rank-0 word is the most frequent")
	assert.Greater(t, counts[Word(0)], 10*counts[Word(20)], "frequencies fall off like a power law")
}
