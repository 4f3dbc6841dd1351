// Package runner runs many seeds of a scenario side by side: the engine
// behind `dsim sweep`, `dsim compare`, studies and dsimtest. Each run is
// single-threaded and deterministic (package scenarios); the runner only
// decides which seeds run on which goroutine, so what it reports does not
// depend on the number of jobs, only the order results arrive in does.
//
// Seeds are given as a range, optionally one shard of it, and iterated
// lazily, so a range as wide as every uint64 costs nothing until it runs:
//
//	seeds, err := runner.ParseSeeds("1-10000")
//	if err != nil { ... }
//	if err := seeds.SetShard("0/4"); err != nil { ... } // the first of four machines
//	var sum reports.Sweep
//	err = runner.Run(ctx, s, seeds.All(), runner.Options{Jobs: 8}, func(r runner.Result) {
//		sum.Add(r.Outcome)
//	})
//
// Options.CheckDeterminism runs a share of the seeds twice (Checked picks
// them from a hash of the seed, so the same ones in every shard) and
// compares them (CheckTwice: fingerprints first, traces event by event if
// they differ): a Result's Divergence is the first event where the second
// run parted from the first.
//
// Run stops starting new seeds when the context is cancelled (an
// interrupted sweep keeps every result it reported), when FailFast is set
// and a run failed, or when a run could not be set up at all (bad input,
// returned as the error).
package runner
