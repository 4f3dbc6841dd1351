package mapreduce

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/dsimlab/dsim/sim/detmath"
)

// Corpus describes the generated input: Splits input splits (one per map
// task) of Records records each, every record Words words drawn from a
// vocabulary of Vocab words with Zipf's law of exponent ZipfS (> 1), so the
// most frequent words are, as in real text, the shortest.
type Corpus struct {
	Splits  int
	Records int
	Words   int
	Vocab   int
	ZipfS   float64
}

// Word returns the vocabulary's word of rank k (from 0): k+1 written in
// bijective base 80 with one consonant-vowel syllable per digit, so ranks
// 0 to 79 are one syllable ("ba", "be", ...), the next 6400 two, and so on.
func Word(k int) string {
	const consonants, vowels = "bdfghjklmnprstvz", "aeiou"
	const base = len(consonants) * len(vowels)
	var b []byte
	for n := k + 1; n > 0; {
		d := (n - 1) % base
		b = append(b, vowels[d%len(vowels)], consonants[d/len(vowels)])
		n = (n - 1) / base
	}
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
	return string(b)
}

// Generate draws the corpus from r: the contents of each split, as lines
// "name\ttext" where the name of record i of split m is "dM.I". The same r
// state gives the same corpus, on every architecture: the words are drawn
// by sim/detmath's Zipf, math/rand/v2's on amd64.
func (c Corpus) Generate(r *rand.Rand) [][]byte {
	zipf := detmath.NewZipf(r, c.ZipfS, 1, uint64(max(c.Vocab, 1)-1))
	words := make([]string, c.Vocab)
	for i := range words {
		words[i] = Word(i)
	}
	splits := make([][]byte, c.Splits)
	var line strings.Builder
	for m := range splits {
		var b bytes.Buffer
		for i := 0; i < c.Records; i++ {
			line.Reset()
			fmt.Fprintf(&line, "d%d.%d\t", m, i)
			for j := 0; j < c.Words; j++ {
				if j > 0 {
					line.WriteByte(' ')
				}
				line.WriteString(words[zipf.Uint64()])
			}
			line.WriteByte('\n')
			b.WriteString(line.String())
		}
		splits[m] = b.Bytes()
	}
	return splits
}
