package kv

import (
	"io"
	"slices"
	"time"

	"gonum.org/v1/gonum/stat"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/protocols"
)

// Linearizable describes CheckLinearizable's check to the scenario loader,
// as an entry of a protocol's Checks.
var Linearizable = protocols.CheckInfo{Name: checker.LinearizabilityCheck, Default: true,
	Summary: "the clients' history is linearizable (porcupine, key-value model partitioned by key)"}

// CheckLinearizable checks a key-value history (checker.KVInput and
// checker.KVOutput operations, as checker.FromSim converts a run's) for
// linearizability against checker.KVModel with porcupine, within budget
// (wall clock; zero: none), with the one policy of every dsim check: a
// checker that could not decide is Inconclusive. So a history the checker
// rejects (an error) is Inconclusive with the error as its detail, like a
// budget that ran out. It also returns porcupine's visualization when the
// verdict is not Holds (nil otherwise), for protocols.Report.Visualization.
func CheckLinearizable(hist []checker.Operation, budget time.Duration) (checker.Result, func(io.Writer) error) {
	res, err := checker.CheckLinearizable(checker.KVModel(), hist, budget)
	if err != nil {
		return checker.Result{Check: checker.LinearizabilityCheck, Kind: checker.Safety,
			Verdict: checker.Inconclusive, Detail: err.Error()}, nil
	}
	if res.Verdict == checker.Holds {
		return res.Result, nil
	}
	return res.Result, res.WriteVisualization
}

// Stats returns the standard statistics of a key-value history: how many
// operations were invoked, completed and left with an unknown outcome, and
// the latency of the completed ones (mean, median and 99th percentile, in
// milliseconds of virtual time; left out if none completed).
func Stats(hist []checker.Operation) []protocols.Stat {
	var unknown int
	lat := make([]float64, 0, len(hist))
	for _, op := range hist {
		if op.Outcome == checker.OK {
			lat = append(lat, float64(op.Return-op.Call)/float64(time.Millisecond))
		} else {
			unknown++
		}
	}
	st := []protocols.Stat{
		{Name: "operations", Value: float64(len(hist))},
		{Name: "operations completed", Value: float64(len(lat))},
		{Name: "operations with unknown outcome", Value: float64(unknown)},
	}
	if len(lat) == 0 {
		return st
	}
	slices.Sort(lat)
	return append(st,
		protocols.Stat{Name: "latency mean", Value: stat.Mean(lat, nil), Unit: "ms"},
		protocols.Stat{Name: "latency p50", Value: stat.Quantile(0.5, stat.Empirical, lat, nil), Unit: "ms"},
		protocols.Stat{Name: "latency p99", Value: stat.Quantile(0.99, stat.Empirical, lat, nil), Unit: "ms"})
}
