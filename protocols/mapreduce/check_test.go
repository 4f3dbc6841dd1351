package mapreduce

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/dsimlab/dsim/checker"
	"github.com/dsimlab/dsim/sim"
)

// The checks are tested on runs that pass (above) and on hand-made
// violations here: tampered output, a run cut short, and a forged trace of
// a failed attempt's output being served.

func TestOutputCheckCatchesTamperedOutput(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(cl *Cluster)
		want   string
	}{
		{"a line changed at the end", func(cl *Cluster) {
			st := cl.World.Storage(cl.FS)
			b, _ := st.Get(OutputName(2))
			c := append([]byte(nil), b...)
			c[len(c)-2] ^= 1
			st.Put(OutputName(2), c)
		}, "out/mr-out-2 differs at the end of the run"},
		{"a file deleted at the end", func(cl *Cluster) { cl.World.Storage(cl.FS).Delete(OutputName(0)) },
			"out/mr-out-0 missing at the end of the run"},
		{"a file wrong when the job was done", func(cl *Cluster) { cl.obs.doneOut[5] = []byte("x\t1\n") },
			"out/mr-out-5 differs when the job was done"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl := run(t, 2, DefaultConfig(), nil)
			require.Equal(t, checker.Holds, cl.Check([]string{OutputCheck})[0].Verdict)
			tc.tamper(cl)
			r := cl.Check([]string{OutputCheck})[0]
			assert.Equal(t, checker.Violated, r.Verdict)
			assert.Equal(t, checker.Safety, r.Kind)
			require.NotEmpty(t, r.Offending)
			assert.Contains(t, r.Offending[0], tc.want)
		})
	}
}

func TestChecksOfAnUnfinishedJob(t *testing.T) {
	w, err := sim.New(sim.Config{Seed: 1})
	require.NoError(t, err)
	cl, err := Build(w, DefaultConfig())
	require.NoError(t, err)
	w.RunUntil(sim.Time(500 * time.Millisecond)) // mid map phase
	rs := cl.Check(nil)
	v := verdicts(rs)
	assert.Equal(t, checker.Violated, v[CompletionCheck])
	assert.Equal(t, checker.Liveness, rs[1].Kind)
	assert.Contains(t, rs[1].Offending, "reduce 0")
	assert.Equal(t, checker.Holds, v[OutputCheck], "nothing committed is wrong")
	assert.Equal(t, checker.Holds, v[FailedReadsCheck])

	// A partial output file of an unfinished job is a violation too.
	w.Storage(cl.FS).Put(OutputName(1), []byte("ba\t1\n"))
	assert.Equal(t, checker.Violated, cl.Check([]string{OutputCheck})[0].Verdict)
}

func TestFailedReadsCheckOnAForgedTrace(t *testing.T) {
	w, err := sim.New(sim.Config{Seed: 1})
	require.NoError(t, err)
	cl, err := Build(w, DefaultConfig())
	require.NoError(t, err)
	a, b := newAttemptID(1, 7), newAttemptID(1, 8)
	serve := func(id AttemptID) *sim.Event {
		return &sim.Event{Kind: sim.KindSend, Node: cl.Workers[0], Peer: cl.Workers[1],
			Msg: fetchReply{Reduce: newAttemptID(1, 40), Map: 3, MapAttempt: id, Status: fetchOK, Bytes: 10}}
	}
	cl.obs.event(serve(a)) // before the failure: fine
	cl.obs.event(&sim.Event{Kind: sim.KindRecord, Node: cl.Coord, Text: "mr fail map 3 1.7 on w1: timed out (output lost)"})
	cl.obs.event(serve(b)) // another attempt: fine
	cl.obs.event(&sim.Event{Kind: sim.KindSend, Node: cl.Workers[0], Peer: cl.Workers[1],
		Msg: fetchReply{MapAttempt: a, Status: fetchUnavailable}}) // a refusal: fine
	assert.Equal(t, checker.Holds, cl.Check([]string{FailedReadsCheck})[0].Verdict)
	// An annotation by another node is not the coordinator's decision.
	cl.obs.event(&sim.Event{Kind: sim.KindRecord, Node: cl.Workers[3], Text: "mr fail map 4 1.8 on w1: x"})
	cl.obs.event(serve(b))
	assert.Equal(t, checker.Holds, cl.Check([]string{FailedReadsCheck})[0].Verdict)

	cl.obs.event(serve(a))
	r := cl.Check([]string{FailedReadsCheck})[0]
	assert.Equal(t, checker.Violated, r.Verdict)
	require.Len(t, r.Offending, 1)
	assert.Contains(t, r.Offending[0], "w1 served map 3 attempt 1.7")
}

func TestUnknownCheckIsInconclusive(t *testing.T) {
	cl := run(t, 1, DefaultConfig(), nil)
	r := cl.Check([]string{"linearizability"})
	require.Len(t, r, 1)
	assert.Equal(t, checker.Inconclusive, r[0].Verdict)
	assert.Len(t, cl.Check(nil), len(CheckNames))
}
