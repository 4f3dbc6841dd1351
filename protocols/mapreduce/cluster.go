package mapreduce

import (
	"bytes"
	"fmt"
	"time"

	"github.com/dsimlab/dsim/sim"
	"github.com/dsimlab/dsim/sim/detmath"
)

// Node names of a cluster: the coordinator and the file service; workers
// are "w1" to "wN".
const (
	CoordName = "coord"
	FSName    = "fs"
)

// BinWidth is the width of the time bins Progress counts bytes in.
const BinWidth = 10 * time.Millisecond

// Cluster is a MapReduce job set up in a World: its nodes, its input, and
// an observer that watches the run for the checks, the statistics and the
// progress plot.
type Cluster struct {
	World   *sim.World
	Config  Config
	Coord   sim.NodeID
	FS      sim.NodeID
	Workers []sim.NodeID
	// Speeds are the workers' speed factors (1 nominal; a straggler's is
	// divided by Config.StragglerFactor).
	Speeds []float64
	// Input is the corpus, one entry per map task, as stored in the file
	// service under InputName(m).
	Input [][]byte

	obs      *observer
	expected [][]byte
}

// Build adds a MapReduce cluster to w: the coordinator "coord", the file
// service "fs" holding the corpus (drawn from w.Stream("workload/corpus")),
// and cfg.Workers workers "w1".."wN" whose speeds come from
// w.Stream("mapreduce/speeds"). The coordinator stops the run
// cfg.Linger after the job completes.
func Build(w *sim.World, cfg Config) (*Cluster, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	sh := &shared{cfg: cfg}
	cl := &Cluster{World: w, Config: cfg}
	cl.Input = cfg.Corpus.Generate(w.Stream("workload/corpus"))
	sr := w.Stream("mapreduce/speeds")
	sh.speeds = make([]float64, cfg.Workers)
	for i := range sh.speeds {
		sh.speeds[i] = detmath.Exp(detmath.NormFloat64(sr) * cfg.SpeedSigma) // the same on every architecture
	}
	for _, i := range sr.Perm(cfg.Workers)[:cfg.Stragglers] {
		sh.speeds[i] /= cfg.StragglerFactor
	}
	var err error
	if sh.coord, err = w.AddNode(CoordName, newCoordinator(sh)); err != nil {
		return nil, fmt.Errorf("mapreduce: %w", err)
	}
	if sh.fs, err = w.AddNode(FSName, newFileService(&sh.cfg)); err != nil {
		return nil, fmt.Errorf("mapreduce: %w", err)
	}
	for i := 0; i < cfg.Workers; i++ {
		id, err := w.AddNode(fmt.Sprintf("w%d", i+1), newWorker(sh, i))
		if err != nil {
			return nil, fmt.Errorf("mapreduce: %w", err)
		}
		sh.workers = append(sh.workers, id)
	}
	sh.index = make([]int, len(w.Nodes()))
	for i := range sh.index {
		sh.index[i] = -1
	}
	for i, id := range sh.workers {
		sh.index[id] = i
	}
	st := w.Storage(sh.fs)
	for m, split := range cl.Input {
		st.Put(InputName(m), split)
	}
	st.Sync()
	cl.Coord, cl.FS, cl.Workers, cl.Speeds = sh.coord, sh.fs, sh.workers, sh.speeds
	cl.obs = newObserver(cl)
	w.Observe(cl.obs.event)
	return cl, nil
}

// Expected returns the output files of the sequential reference run
// (Sequential), computed once.
func (cl *Cluster) Expected() [][]byte {
	if cl.expected == nil {
		cl.expected = Sequential(cl.Config.Job, cl.Input, cl.Config.Reduces)
	}
	return cl.expected
}

// Outputs returns the output files on the file service now; a missing file
// is nil.
func (cl *Cluster) Outputs() [][]byte {
	out := make([][]byte, cl.Config.Reduces)
	st := cl.World.Storage(cl.FS)
	for r := range out {
		if b, ok := st.Get(OutputName(r)); ok {
			out[r] = bytes.Clone(b)
		}
	}
	return out
}

// Result is what a run of the job did.
type Result struct {
	Done    bool          // the coordinator declared the job complete
	JobTime time.Duration // virtual time from the start to the first "job done"
	// Attempts started: first runs, re-executions of tasks whose completed
	// output was lost, and backup copies.
	MapAttempts, ReduceAttempts int
	Reruns, Backups             int
	FailedAttempts              int // attempts the coordinator declared failed
	WorkerFailures              int // times a worker was declared failed (timeout or restart)
	CoordinatorEpochs           int // coordinator starts
	InputBytes                  int64
	ShuffleBytes                int64
	OutputBytes                 int64
	FailedReads                 int // map outputs served from attempts already declared failed
}

// Result returns what the run did so far.
func (cl *Cluster) Result() Result { return cl.obs.res }

// Progress is the job's progress over time, in BinWidth bins from time 0:
// bytes read from the input, shuffled between workers and written as
// output, and tasks completed (completions minus completed map outputs
// lost), so a plot can show the phases as the paper's Figure 3 does.
type Progress struct {
	Input, Shuffle, Output []float64 // bytes per bin
	MapsDone, ReducesDone  []int     // completed tasks at the end of each bin
	Maps, Reduces          int       // task counts
	JobTime                time.Duration
}

// Progress returns the job's progress over time.
func (cl *Cluster) Progress() Progress {
	o := cl.obs
	n := max(len(o.input), len(o.shuffle), len(o.output), len(o.doneDelta[0]), len(o.doneDelta[1]))
	p := Progress{Maps: cl.Config.Corpus.Splits, Reduces: cl.Config.Reduces, JobTime: o.res.JobTime,
		Input: pad(o.input, n), Shuffle: pad(o.shuffle, n), Output: pad(o.output, n)}
	for k, dst := range []*[]int{&p.MapsDone, &p.ReducesDone} {
		d := pad(o.doneDelta[k], n)
		sum := 0.0
		for _, x := range d {
			sum += x
			*dst = append(*dst, int(sum))
		}
	}
	return p
}

func pad(xs []float64, n int) []float64 {
	out := make([]float64, n)
	copy(out, xs)
	return out
}

// observer watches a run: the coordinator's facts (its decisions)
// and the messages that carry data.
type observer struct {
	cl  *Cluster
	res Result

	failedAt  map[AttemptID]uint64 // map attempts declared failed, and when (trace position)
	badReads  []string             // the first few failed reads, for the report
	doneTasks [2][]bool            // tasks completed in the coordinator's current job state
	everDone  [2][]bool            // tasks completed at least once in the current job
	doneOut   [][]byte             // output files when the job was declared done
	doneMiss  []string             // tasks never completed when the job was declared done

	input, shuffle, output []float64
	doneDelta              [2][]float64
	completions            int // tasks completed, counting each again after a coordinator restart
}

func newObserver(cl *Cluster) *observer {
	o := &observer{cl: cl, failedAt: map[AttemptID]uint64{}}
	for k, n := range []int{cl.Config.Corpus.Splits, cl.Config.Reduces} {
		o.doneTasks[k], o.everDone[k] = make([]bool, n), make([]bool, n)
	}
	return o
}

func addBin(bins *[]float64, t sim.Time, v float64) {
	i := int(time.Duration(t) / BinWidth)
	for len(*bins) <= i {
		*bins = append(*bins, 0)
	}
	(*bins)[i] += v
}

func (o *observer) event(ev *sim.Event) {
	switch ev.Kind {
	case sim.KindSend:
		switch m := ev.Msg.(type) {
		case fetchReply:
			if m.Status != fetchOK {
				return
			}
			o.res.ShuffleBytes += int64(m.Bytes)
			addBin(&o.shuffle, ev.Time, float64(m.Bytes))
			if _, bad := o.failedAt[m.MapAttempt]; bad {
				o.res.FailedReads++
				if len(o.badReads) < 5 {
					o.badReads = append(o.badReads, fmt.Sprintf("%s served map %d attempt %s to reduce attempt %s at %v",
						o.cl.World.Name(ev.Node), m.Map, m.MapAttempt, m.Reduce, ev.Time))
				}
			}
		case fsReply:
			if len(m.Data) > 0 {
				o.res.InputBytes += int64(len(m.Data))
				addBin(&o.input, ev.Time, float64(len(m.Data)))
			}
		case fsRequest:
			if len(m.Data) > 0 {
				o.res.OutputBytes += int64(len(m.Data))
				addBin(&o.output, ev.Time, float64(len(m.Data)))
			}
		}
	case sim.KindRecord:
		if ev.Node == o.cl.Coord {
			o.fact(ev)
		}
	}
}

// fact follows the coordinator's decisions, which it records as facts.
func (o *observer) fact(ev *sim.Event) {
	switch f := ev.Msg.(type) {
	case EpochStarted:
		o.res.CoordinatorEpochs++
		if !f.Resumed {
			o.restart(ev.Time)
		}
	case AttemptStarted:
		if f.Kind == MapTask {
			o.res.MapAttempts++
		} else {
			o.res.ReduceAttempts++
		}
		if f.Rerun {
			o.res.Reruns++
		} else if f.Backup {
			o.res.Backups++
		}
	case TaskDone:
		o.done(ev.Time, f.Attempt)
	case AttemptFailed:
		o.failed(ev, f)
	case WorkerFailed:
		o.res.WorkerFailures++
	case JobDone:
		if !o.res.Done {
			o.res.Done = true
			o.res.JobTime = time.Duration(ev.Time)
			o.doneOut = o.cl.Outputs()
			o.doneMiss = o.missingTasks()
		}
	}
}

// restart forgets the tasks done: the coordinator starts the job afresh.
func (o *observer) restart(at sim.Time) {
	for k := range o.doneTasks {
		if n := countTrue(o.doneTasks[k]); n > 0 {
			addBin(&o.doneDelta[k], at, -float64(n))
		}
		clear(o.doneTasks[k])
		clear(o.everDone[k])
	}
}

// done notes that a's task completed.
func (o *observer) done(at sim.Time, a Attempt) {
	k, t := kindIndex(a.Kind), a.Task
	if t >= 0 && t < len(o.doneTasks[k]) && !o.doneTasks[k][t] {
		o.doneTasks[k][t], o.everDone[k][t] = true, true
		o.completions++
		addBin(&o.doneDelta[k], at, 1)
	}
}

// failed notes a failed attempt: when a map attempt was first declared
// failed (its output must not be served after), and a completed task whose
// output was lost.
func (o *observer) failed(ev *sim.Event, f AttemptFailed) {
	o.res.FailedAttempts++
	k, t := kindIndex(f.Kind), f.Task
	if f.Kind == MapTask {
		if _, seen := o.failedAt[f.ID]; !seen {
			o.failedAt[f.ID] = ev.Seq
		}
	}
	if f.OutputLost && t >= 0 && t < len(o.doneTasks[k]) && o.doneTasks[k][t] {
		o.doneTasks[k][t] = false
		addBin(&o.doneDelta[k], ev.Time, -1)
	}
}

func countTrue(bs []bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

// missingTasks lists the tasks never completed in the coordinator's
// current job (since its last fresh start), e.g. "map 3", "reduce 0". A
// map task whose output was lost after every reducer had fetched it need
// not run again.
func (o *observer) missingTasks() []string {
	var out []string
	for k, ds := range o.everDone {
		for t, d := range ds {
			if !d {
				out = append(out, fmt.Sprintf("%s %d", TaskKind(k+1), t))
			}
		}
	}
	return out
}
