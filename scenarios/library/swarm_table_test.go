package library_test

import (
	"flag"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/scenarios/library"
)

var (
	swarmTable   = flag.Int("swarm-table", 0, "TestSwarmTable: seeds per bug-zoo variant, with and without --swarm (0: skip)")
	swarmGeneric = flag.Bool("swarm-generic", false, "TestSwarmTable: sweep each variant's protocol's nemesis scenario instead of the scenario made for it")
	swarmOnly    = flag.String("swarm-zoo", "", "TestSwarmTable: only the variants whose name contains this")
)

// TestSwarmTable sweeps every bug-zoo variant's scenario over seeds 1..N,
// with and without swarm testing, and prints the README's table: for
// each, the first seed whose run a check violates, the median number of
// seeds a sweep from a random seed runs until its first detection, and
// the share of seeds that detect it. Run it with
//
//	go test ./scenarios/library -run TestSwarmTable -swarm-table 1000 -v -timeout 3h
//
// With -swarm-generic every variant is swept on its protocol's nemesis
// scenario, the one scenario a user with no bug in mind would sweep.
func TestSwarmTable(t *testing.T) {
	n := *swarmTable
	if n == 0 {
		t.Skip("set -swarm-table N to sweep every bug-zoo variant over N seeds")
	}
	t.Log("| variant | scenario | first (plain) | median (plain) | rate (plain) | first (swarm) | median (swarm) | rate (swarm) |")
	t.Log("|---|---|---|---|---|---|---|---|")
	for _, z := range library.Zoo {
		if !strings.Contains(z.Variant, *swarmOnly) {
			continue
		}
		name := z.Scenario
		if *swarmGeneric {
			name = strings.SplitN(name, "-", 2)[0] + "-nemesis"
		}
		s, err := library.Load(name)
		if err != nil {
			continue // a protocol without a nemesis scenario
		}
		s = s.WithParam("variant", z.Variant)
		plain := detections(t, s, n, scenarios.RunOptions{})
		swarm := detections(t, s, n, scenarios.RunOptions{Swarm: true})
		t.Logf("| `%s` | %s | %s | %s | %s | %s | %s | %s |", z.Variant, name,
			firstSeed(plain), medianToDetection(plain, n), rate(plain, n),
			firstSeed(swarm), medianToDetection(swarm, n), rate(swarm, n))
	}
}

// detections runs seeds 1..n of s on every core and returns those whose
// run a check violated (or that crashed), sorted.
func detections(t *testing.T, s *scenarios.Scenario, n int, opts scenarios.RunOptions) []int {
	var mu sync.Mutex
	var found []int
	seeds := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for seed := range seeds {
				o, err := scenarios.Run(s, uint64(seed), opts)
				if err != nil {
					t.Error(err)
					continue
				}
				if _, violated, _ := o.Counts(); violated > 0 || o.Crash != nil {
					mu.Lock()
					found = append(found, seed)
					mu.Unlock()
				}
			}
		}()
	}
	for seed := 1; seed <= n; seed++ {
		seeds <- seed
	}
	close(seeds)
	wg.Wait()
	slices.Sort(found)
	return found
}

func firstSeed(found []int) string {
	if len(found) == 0 {
		return "—"
	}
	return fmt.Sprint(found[0])
}

// medianToDetection is the median, over the sweep's n starting seeds, of
// how many seeds a sweep runs from there (wrapping around) to its first
// detection: what a sweep from a random seed should expect.
func medianToDetection(found []int, n int) string {
	if len(found) == 0 {
		return "—"
	}
	dist := make([]int, 0, n)
	j := 0
	for s := 1; s <= n; s++ {
		for j < len(found) && found[j] < s {
			j++
		}
		next := found[0] + n // wrap around
		if j < len(found) {
			next = found[j]
		}
		dist = append(dist, next-s+1)
	}
	slices.Sort(dist)
	return fmt.Sprint(dist[(len(dist)-1)/2])
}

func rate(found []int, n int) string {
	return fmt.Sprintf("%.1f%%", 100*float64(len(found))/float64(n))
}

// TestMedianToDetection checks the table's arithmetic on small cases.
func TestMedianToDetection(t *testing.T) {
	require.Equal(t, "1", medianToDetection([]int{1, 2, 3, 4}, 4))
	require.Equal(t, "1", medianToDetection([]int{2, 4}, 4)) // distances 2,1,2,1: the lower median
	require.Equal(t, "5", medianToDetection([]int{10}, 10))  // 10,9,...,1: median of 1..10
	require.Equal(t, "—", medianToDetection(nil, 10))        // never
	require.Equal(t, "50.0%", rate([]int{1, 2}, 4))          // half
}
