package mapreduce

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/dsimlab/dsim/checker"
)

// The names of the checks, as a scenario's "checks:" list writes them.
const (
	// OutputCheck: the job's output files equal those of the sequential
	// reference run (Sequential) byte for byte, both when the coordinator
	// declares the job done and at the end of the run; if the job never
	// completed, every output file present must be right.
	OutputCheck = "output"
	// CompletionCheck: the coordinator declared the job done before the
	// run ended, with every map and reduce task completed (liveness).
	CompletionCheck = "completion"
	// FailedReadsCheck: no worker served a map output to a reducer from
	// an attempt the coordinator had already declared failed.
	FailedReadsCheck = "failed-reads"
)

// CheckNames lists the checks in their usual order.
var CheckNames = []string{OutputCheck, CompletionCheck, FailedReadsCheck}

// Check runs the named checks (every check if names is empty) on the run
// so far, in the order given; an unknown name gives an inconclusive result
// that says so.
func (cl *Cluster) Check(names []string) []checker.Result {
	if len(names) == 0 {
		names = CheckNames
	}
	var out []checker.Result
	for _, n := range names {
		switch n {
		case OutputCheck:
			out = append(out, cl.checkOutput())
		case CompletionCheck:
			out = append(out, cl.checkCompletion())
		case FailedReadsCheck:
			out = append(out, cl.checkFailedReads())
		default:
			out = append(out, checker.Result{Check: n, Verdict: checker.Inconclusive,
				Detail: fmt.Sprintf("mapreduce has no check %q (want one of %s)", n, strings.Join(CheckNames, ", "))})
		}
	}
	return out
}

// diffOutputs compares got with want file by file; missing files count
// only if required. It returns the offending file names with a note.
func diffOutputs(got, want [][]byte, required bool, when string) []string {
	var bad []string
	for r := range want {
		switch {
		case got[r] == nil && !required:
		case got[r] == nil:
			bad = append(bad, fmt.Sprintf("%s missing %s", OutputName(r), when))
		case !bytes.Equal(got[r], want[r]):
			bad = append(bad, fmt.Sprintf("%s differs %s (%s)", OutputName(r), when, firstDiff(got[r], want[r])))
		}
	}
	return bad
}

// firstDiff describes where two output files first differ, by line.
func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("%d lines, want %d; line %d is %q, want %q", len(g)-1, len(w)-1, i+1, clip(gl), clip(wl))
		}
	}
	return "same lines"
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

func (cl *Cluster) checkOutput() checker.Result {
	res := checker.Result{Check: OutputCheck, Kind: checker.Safety}
	want := cl.Expected()
	final := cl.Outputs()
	o := cl.obs
	var bad []string
	if o.res.Done {
		bad = append(diffOutputs(o.doneOut, want, true, "when the job was done"),
			diffOutputs(final, want, true, "at the end of the run")...)
	} else {
		bad = diffOutputs(final, want, false, "at the end of the run")
	}
	present := 0
	for _, f := range final {
		if f != nil {
			present++
		}
	}
	switch {
	case len(bad) > 0:
		res.Verdict, res.Offending = checker.Violated, bad
		res.Detail = fmt.Sprintf("%d of %d checks of the %d output files against the sequential run failed; first: %s",
			len(bad), 2*len(want), len(want), bad[0])
	case o.res.Done:
		res.Verdict = checker.Holds
		res.Detail = fmt.Sprintf("all %d output files equal the sequential run's, when the job was done and at the end", len(want))
	default:
		res.Verdict = checker.Holds
		res.Detail = fmt.Sprintf("the job did not complete; the %d output files present of %d equal the sequential run's", present, len(want))
	}
	return res
}

func (cl *Cluster) checkCompletion() checker.Result {
	res := checker.Result{Check: CompletionCheck, Kind: checker.Liveness}
	o := cl.obs
	missing := o.missingTasks()
	if o.res.Done {
		missing = o.doneMiss // what a later fresh start redoes does not matter
	}
	switch {
	case o.res.Done && len(missing) == 0:
		res.Verdict = checker.Holds
		res.Detail = fmt.Sprintf("job done at %v: %d map and %d reduce tasks completed", o.res.JobTime,
			cl.Config.Corpus.Splits, cl.Config.Reduces)
	case o.res.Done:
		res.Verdict, res.Offending = checker.Violated, missing
		res.Detail = fmt.Sprintf("the coordinator declared the job done with %d tasks not completed, first %s", len(missing), missing[0])
	default:
		res.Verdict, res.Offending = checker.Violated, missing
		res.Detail = fmt.Sprintf("the job was not done when the run ended at %v: %d tasks not completed, first %s",
			cl.World.Now(), len(missing), strings.Join(missing[:min(3, len(missing))], ", "))
	}
	return res
}

func (cl *Cluster) checkFailedReads() checker.Result {
	res := checker.Result{Check: FailedReadsCheck, Kind: checker.Safety}
	o := cl.obs
	if o.res.FailedReads == 0 {
		res.Verdict = checker.Holds
		res.Detail = fmt.Sprintf("no map output was served from any of the %d attempts declared failed", len(o.failedAt))
		return res
	}
	res.Verdict, res.Offending = checker.Violated, o.badReads
	res.Detail = fmt.Sprintf("%d map outputs were served from attempts the coordinator had declared failed; first: %s",
		o.res.FailedReads, o.badReads[0])
	return res
}
