package mapreduce

import "strconv"

// The facts below are the coordinator's decisions, recorded with
// sim.Context.Record; the cluster's observer reads them to follow the job.
// Each String reproduces the stable line that describes the fact in traces
// and that the run's fingerprint hashes, e.g.
//
//	mr epoch 2 resumed: 12/16 maps, 0/4 reduces done
//	mr start map 3 1.7 on w2
//	mr done map 3 1.7 on w2
//	mr fail map 3 1.7 on w2: timed out (output lost)
//	mr worker w2 failed: timed out
//	mr worker w2 up
//	mr job done

// EpochStarted is the coordinator starting epoch Epoch: from scratch, or
// Resumed from its checkpoint with the tasks done there.
type EpochStarted struct {
	Epoch                uint32
	Resumed              bool
	MapsDone, Maps       int
	ReducesDone, Reduces int
}

// String describes the fact.
func (f EpochStarted) String() string {
	how := " fresh: "
	if f.Resumed {
		how = " resumed: "
	}
	b := strconv.AppendUint(append(make([]byte, 0, 64), "mr epoch "...), uint64(f.Epoch), 10)
	b = appendRatio(append(b, how...), f.MapsDone, f.Maps)
	b = appendRatio(append(b, " maps, "...), f.ReducesDone, f.Reduces)
	return string(append(b, " reduces done"...))
}

// Attempt names one attempt at a task: its kind and index, its id, and
// the worker (by name) it runs on.
type Attempt struct {
	Kind   TaskKind
	Task   int
	ID     AttemptID
	Worker string
}

// appendTo appends the attempt as "map 3 1.7 on w2".
func (a Attempt) appendTo(b []byte) []byte {
	b = strconv.AppendInt(append(append(b, a.Kind.String()...), ' '), int64(a.Task), 10)
	b = a.ID.appendTo(append(b, ' '))
	return append(append(b, " on "...), a.Worker...)
}

// AttemptStarted is the coordinator assigning an attempt: a task's first,
// a Rerun of a task that ran before, or a Backup copy of a running one.
type AttemptStarted struct {
	Attempt
	Rerun, Backup bool
}

// String describes the fact.
func (f AttemptStarted) String() string {
	verb := "mr start "
	switch {
	case f.Backup:
		verb = "mr backup "
	case f.Rerun:
		verb = "mr rerun "
	}
	return string(f.appendTo(append(make([]byte, 0, 48), verb...)))
}

// TaskDone is the coordinator accepting an attempt's result: its task is
// completed.
type TaskDone struct{ Attempt }

// String describes the fact.
func (f TaskDone) String() string {
	return string(f.appendTo(append(make([]byte, 0, 48), "mr done "...)))
}

// AttemptFailed is the coordinator declaring an attempt failed, and Why;
// OutputLost says it had completed and its output is gone with its worker.
type AttemptFailed struct {
	Attempt
	Why        string
	OutputLost bool
}

// String describes the fact.
func (f AttemptFailed) String() string {
	b := f.appendTo(append(make([]byte, 0, 64), "mr fail "...))
	b = append(append(b, ": "...), f.Why...)
	if f.OutputLost {
		b = append(b, " (output lost)"...)
	}
	return string(b)
}

// WorkerFailed is the coordinator declaring a worker failed, and Why.
type WorkerFailed struct{ Worker, Why string }

// String describes the fact.
func (f WorkerFailed) String() string { return "mr worker " + f.Worker + " failed: " + f.Why }

// WorkerUp is the coordinator hearing from a worker it had not counted as
// alive.
type WorkerUp struct{ Worker string }

// String describes the fact.
func (f WorkerUp) String() string { return "mr worker " + f.Worker + " up" }

// JobDone is the coordinator declaring the job done.
type JobDone struct{}

// String describes the fact.
func (JobDone) String() string { return "mr job done" }

// appendRatio appends "done/total".
func appendRatio(b []byte, done, total int) []byte {
	b = strconv.AppendInt(b, int64(done), 10)
	return strconv.AppendInt(append(b, '/'), int64(total), 10)
}
