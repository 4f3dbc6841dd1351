package mapreduce_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/dsimlab/dsim/protocols/mapreduce"
	"github.com/dsimlab/dsim/sim"
)

// Example runs a word count on eight workers, crashes one of them in the
// middle of the map phase, and checks the output against the sequential
// run.
func Example() {
	w, err := sim.New(sim.Config{Seed: 1})
	if err != nil {
		panic(err)
	}
	cl, err := mapreduce.Build(w, mapreduce.DefaultConfig())
	if err != nil {
		panic(err)
	}
	w.At(sim.Time(450*time.Millisecond), func(w *sim.World) { w.Crash(cl.Workers[0]) })
	w.RunUntil(sim.Time(time.Minute))

	r := cl.Result()
	fmt.Println("done:", r.Done, "worker failures:", r.WorkerFailures, "re-executed maps:", r.Reruns > 0)
	for _, c := range cl.Check(nil) {
		fmt.Println(c.Check, c.Verdict)
	}
	// The most frequent word of the Zipf corpus, in its reduce task's file.
	for line := range strings.Lines(string(cl.Outputs()[mapreduce.Partition("ba", 8)])) {
		if word, count, _ := strings.Cut(strings.TrimSpace(line), "\t"); word == "ba" {
			fmt.Println(word, "appears", count, "times")
		}
	}
	// Output:
	// done: true worker failures: 1 re-executed maps: true
	// output holds
	// completion holds
	// failed-reads holds
	// ba appears 1673 times
}
