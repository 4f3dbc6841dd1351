package runner

import (
	"fmt"
	"io"
	"math"
	"os"

	"github.com/dsimlab/dsim/scenarios"
	"github.com/dsimlab/dsim/tracediff"
)

// DiffContext is how many events before and after the first diverging one
// a determinism check reports.
const DiffContext = 3

// RunTwice runs scenario s with seed twice, each time writing its whole
// trace to a temporary file, and compares the traces: a Divergence says
// where the second run parted from the first, nil that they were the same
// byte for byte (and so were their fingerprints). It is the determinism
// self-check, in the manner of FoundationDB's unseed check: the same seed
// must give the same run, so any difference is a bug (a map iterated in a
// random order, the wall clock, a goroutine, the global random source).
// The first run's Outcome is returned; if either run was interrupted,
// that run's, and nothing is compared. `dsim run --check-determinism` uses
// it; sweeps use CheckTwice, which costs less.
func RunTwice(s *scenarios.Scenario, seed uint64, opts scenarios.RunOptions) (*scenarios.Outcome, *tracediff.Divergence, error) {
	var runs [2]*scenarios.Outcome
	var traces [2]*os.File
	defer func() {
		for _, f := range traces {
			if f != nil {
				f.Close()
				os.Remove(f.Name())
			}
		}
	}()
	user := opts.TraceTo
	for i := range runs {
		f, err := os.CreateTemp("", "dsim-determinism-*.jsonl")
		if err != nil {
			return nil, nil, fmt.Errorf("determinism check: %w", err)
		}
		traces[i] = f
		opts.TraceTo = f
		if i == 0 && user != nil {
			opts.TraceTo = io.MultiWriter(f, user) // the caller's --trace is the first run's
		}
		if i == 1 {
			opts.Watch = nil // and so is the caller's watcher
		}
		if runs[i], err = scenarios.Run(s, seed, opts); err != nil {
			return nil, nil, err
		}
		if runs[i].Interrupted {
			return runs[i], nil, nil // abandoned, like any interrupted run
		}
	}
	d, err := compare(traces, runs)
	return runs[0], d, err
}

// CheckTwice is RunTwice made cheap for sweeps: it runs the seed twice
// without traces and compares their fingerprints and event counts, which
// cover every event's kind, nodes and time and every fact's and
// operation's text; only if they differ does it run the seed twice more,
// with traces, to find the first diverging event (RunTwice). A
// divergence that those two runs do not show again is reported by the
// fingerprints of the first two. A checked seed costs about two runs, not
// two runs with their traces written and compared.
func CheckTwice(s *scenarios.Scenario, seed uint64, opts scenarios.RunOptions) (*scenarios.Outcome, *tracediff.Divergence, error) {
	a, err := scenarios.Run(s, seed, opts)
	if err != nil || a.Interrupted {
		return a, nil, err
	}
	opts.TraceTo = nil
	b, err := scenarios.Run(s, seed, opts)
	if err != nil || b.Interrupted {
		return b, nil, err
	}
	if a.Fingerprint == b.Fingerprint && a.Events == b.Events {
		return a, nil, nil
	}
	_, d, err := RunTwice(s, seed, opts)
	if err == nil && d == nil {
		d = fingerprints(a, b)
		d.A += " (two more runs, traced, were the same)"
	}
	return a, d, err
}

// fingerprints is the divergence of two runs whose traces are not at hand.
func fingerprints(a, b *scenarios.Outcome) *tracediff.Divergence {
	return &tracediff.Divergence{Line: int(min(a.Events, b.Events)) + 1,
		A: fmt.Sprintf("fingerprint %s after %d events", a.Fingerprint, a.Events),
		B: fmt.Sprintf("fingerprint %s after %d events", b.Fingerprint, b.Events)}
}

// compare diffs the two runs' traces, and their fingerprints when the
// traces agree (the fingerprint also covers what a trace line does not
// print in full).
func compare(traces [2]*os.File, runs [2]*scenarios.Outcome) (*tracediff.Divergence, error) {
	for _, f := range traces {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return nil, fmt.Errorf("determinism check: %w", err)
		}
	}
	d, err := tracediff.Diff(traces[0], traces[1], DiffContext)
	if err != nil || d != nil {
		return d, err
	}
	if a, b := runs[0], runs[1]; a.Fingerprint != b.Fingerprint || a.Events != b.Events {
		return fingerprints(a, b), nil
	}
	return nil, nil
}

// Checked reports whether a sweep whose determinism check covers share of
// its seeds (0 to 1) checks seed: a hash of the seed below share. The same
// seeds are checked whatever the shard, jobs or order.
func Checked(seed uint64, share float64) bool {
	switch {
	case share <= 0:
		return false
	case share >= 1:
		return true
	}
	return float64(mix(seed^0x6a09e667f3bcc909)) < share*math.Exp2(64)
}

// mix is splitmix64's finaliser.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}
