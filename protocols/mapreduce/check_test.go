package mapreduce

import (
	"fmt"
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
	failed := func(node sim.NodeID, task int, id AttemptID) *sim.Event {
		f := AttemptFailed{Attempt: Attempt{Kind: MapTask, Task: task, ID: id, Worker: "w1"}, Why: "timed out", OutputLost: true}
		return &sim.Event{Kind: sim.KindRecord, Node: node, Msg: f, Text: f.String()}
	}
	cl.obs.event(failed(cl.Coord, 3, a))
	cl.obs.event(serve(b)) // another attempt: fine
	cl.obs.event(&sim.Event{Kind: sim.KindSend, Node: cl.Workers[0], Peer: cl.Workers[1],
		Msg: fetchReply{MapAttempt: a, Status: fetchUnavailable}}) // a refusal: fine
	assert.Equal(t, checker.Holds, cl.Check([]string{FailedReadsCheck})[0].Verdict)
	// A fact recorded by another node is not the coordinator's decision,
	// and a note that reads like one is no fact.
	cl.obs.event(failed(cl.Workers[3], 4, b))
	cl.obs.event(&sim.Event{Kind: sim.KindRecord, Node: cl.Coord, Msg: "mr fail map 4 1.8 on w1: x"})
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

// The completion check follows the coordinator's facts: a job declared
// done after every task completed holds; one declared done with a task
// never completed, or after a fresh start forgot the tasks done, is
// violated. A completed map task whose output was lost later need not run
// again.
func TestCompletionCheckOnForgedFacts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		skip    int  // a reduce task never done, -1 for none
		fresh   bool // the coordinator starts afresh before declaring the job done
		lose    bool // a map output is lost before the job is declared done
		verdict checker.Verdict
	}{
		{"every task done", -1, false, false, checker.Holds},
		{"a map output lost after it was done", -1, false, true, checker.Holds},
		{"a reduce task never done", 1, false, false, checker.Violated},
		{"a fresh start forgets the tasks done", -1, true, false, checker.Violated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, err := sim.New(sim.Config{Seed: 1})
			require.NoError(t, err)
			cl, err := Build(w, DefaultConfig())
			require.NoError(t, err)
			record := func(f any) { cl.obs.event(&sim.Event{Kind: sim.KindRecord, Node: cl.Coord, Msg: f}) }
			maps, reduces := cl.Config.Corpus.Splits, cl.Config.Reduces
			record(EpochStarted{Epoch: 1, Maps: maps, Reduces: reduces})
			seq := uint32(0)
			for ki, k := range []TaskKind{MapTask, ReduceTask} {
				for i := range []int{maps, reduces}[ki] {
					seq++
					a := Attempt{Kind: k, Task: i, ID: newAttemptID(1, seq), Worker: "w1"}
					record(AttemptStarted{Attempt: a})
					if k != ReduceTask || i != tc.skip {
						record(TaskDone{a})
					}
				}
			}
			if tc.lose {
				record(AttemptFailed{Attempt: Attempt{Kind: MapTask, Task: 2, ID: newAttemptID(1, 3), Worker: "w1"},
					Why: "timed out", OutputLost: true})
			}
			if tc.fresh {
				record(EpochStarted{Epoch: 2, Maps: maps, Reduces: reduces})
			}
			assert.Equal(t, checker.Violated, cl.Check([]string{CompletionCheck})[0].Verdict, "not declared done yet")
			record(JobDone{})
			r := cl.Check([]string{CompletionCheck})[0]
			assert.Equal(t, tc.verdict, r.Verdict, r.Detail)
			assert.Equal(t, maps+reduces, cl.obs.res.MapAttempts+cl.obs.res.ReduceAttempts)
		})
	}
}

// The facts describe themselves with the stable lines the traces and
// fingerprints have always had.
func TestFactsDescribeThemselves(t *testing.T) {
	a := Attempt{Kind: MapTask, Task: 3, ID: newAttemptID(1, 7), Worker: "w2"}
	r := Attempt{Kind: ReduceTask, Task: 0, ID: newAttemptID(2, 40), Worker: "w10"}
	for _, tc := range []struct {
		fact fmt.Stringer
		want string
	}{
		{EpochStarted{Epoch: 1, MapsDone: 0, Maps: 16, ReducesDone: 0, Reduces: 4}, "mr epoch 1 fresh: 0/16 maps, 0/4 reduces done"},
		{EpochStarted{Epoch: 2, Resumed: true, MapsDone: 12, Maps: 16, Reduces: 4}, "mr epoch 2 resumed: 12/16 maps, 0/4 reduces done"},
		{AttemptStarted{Attempt: a}, "mr start map 3 1.7 on w2"},
		{AttemptStarted{Attempt: r, Rerun: true}, "mr rerun reduce 0 2.40 on w10"},
		{AttemptStarted{Attempt: a, Backup: true}, "mr backup map 3 1.7 on w2"},
		{TaskDone{r}, "mr done reduce 0 2.40 on w10"},
		{AttemptFailed{Attempt: a, Why: "restarted"}, "mr fail map 3 1.7 on w2: restarted"},
		{AttemptFailed{Attempt: a, Why: "timed out", OutputLost: true}, "mr fail map 3 1.7 on w2: timed out (output lost)"},
		{WorkerFailed{Worker: "w2", Why: "timed out"}, "mr worker w2 failed: timed out"},
		{WorkerUp{Worker: "w2"}, "mr worker w2 up"},
		{JobDone{}, "mr job done"},
	} {
		assert.Equal(t, tc.want, tc.fact.String())
	}
}
