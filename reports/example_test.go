package reports_test

import (
	"fmt"
	"os"
	"time"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
	"github.com/dsimlab/dsim/reports"
	"github.com/dsimlab/dsim/scenarios"
)

// The text summary of a failed run. Outcomes normally come from
// scenarios.Run; OmitWall leaves out the wall-clock line, the only part
// that changes between runs of the same seed.
func ExampleWriteText() {
	o := &scenarios.Outcome{
		Scenario: "kv-partition", File: "library/kv-partition.yaml", Protocol: "kv", Seed: 8812,
		Fingerprint: "3f9a0c1d2e4b5a69", Events: 48213, SimTime: 5 * time.Second,
		Checks: []checker.Result{
			{Check: "linearizability", Kind: checker.Safety, Verdict: checker.Violated,
				Detail: "no valid order exists for the operations on key \"b\"", Offending: []string{"b"}},
			{Check: "progress", Kind: checker.Liveness, Verdict: checker.Inconclusive,
				Detail: "could not decide", Budget: 10 * time.Second, TimedOut: true},
		},
		Stats: []protocols.Stat{{Name: "ops", Value: 600}, {Name: "latency p99", Value: 12.5, Unit: "ms"}},
	}
	if err := reports.WriteText(os.Stdout, o, reports.OmitWall()); err != nil {
		fmt.Println(err)
	}
	// Output:
	// scenario     kv-partition
	// protocol     kv
	// seed         8812
	// verdict      FAIL (0 holds, 1 violated, 1 inconclusive)
	//
	// safety checks
	//   CHECK            VERDICT   DETAIL
	//   linearizability  VIOLATED  no valid order exists for the operations on key "b" [offending: b]
	//
	// liveness checks
	//   CHECK     VERDICT       DETAIL
	//   progress  INCONCLUSIVE  could not decide (budget 10s, timed out)
	//
	// stats
	//   ops          600
	//   latency p99  12.5 ms
	//
	// faults       0 (0 from the nemesis)
	// fingerprint  3f9a0c1d2e4b5a69
	// events       48213
	// sim time     5s
	// replay       dsim run kv-partition --seed 8812
}

// A sweep adds outcomes as they finish, in any order, and prints the
// failing seeds with the commands that replay them.
func ExampleSweep() {
	var sweep reports.Sweep
	for _, seed := range []uint64{3, 1, 2} {
		verdict := checker.Holds
		if seed == 2 {
			verdict = checker.Violated
		}
		sweep.Add(&scenarios.Outcome{
			Scenario: "paxos-partition", File: "library/paxos-partition.yaml", Seed: seed,
			Fingerprint: fmt.Sprintf("%016x", seed), Events: 1000, SimTime: time.Second,
			Checks: []checker.Result{{Check: "agreement", Verdict: verdict, Detail: "two values decided"}},
			Passed: verdict == checker.Holds,
		})
	}
	sweep.Elapsed = 500 * time.Millisecond
	fmt.Println(sweep.Summary())
	for _, f := range sweep.Report().Failing {
		fmt.Println(f.Replay)
	}
	// Output:
	// 3 runs: 2 passed, 1 violated, 0 inconclusive, 0 crashed; 3000 events; 500ms wall, 6000 events/s, 6.0 seeds/s
	// dsim run paxos-partition --seed 2
}
