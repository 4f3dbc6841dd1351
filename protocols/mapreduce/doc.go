// Package mapreduce simulates MapReduce (Dean and Ghemawat, OSDI 2004) in
// dsim: a coordinator, workers and a shared file service run a real job
// over a generated corpus while workers crash, stall and straggle, and the
// checks compare the job's output with a sequential run of the same
// functions. It plugs into scenarios as the protocol "mapreduce"
// (Protocol).
//
// # Nodes
//
// Build adds three kinds of node to a sim.World:
//
//   - "coord", the coordinator: it assigns map and reduce tasks to
//     workers, tracks every attempt, re-executes what failed workers ran or
//     held, and launches backup tasks near the end of each phase;
//   - "fs", the file service (a stand-in for GFS): it holds the input
//     splits and the output files on its disk, syncing every write, and
//     renames atomically;
//   - "w1".."wN", the workers: each runs up to Config.Slots attempts at a
//     time, keeps its map output in memory (its "local disk": a crash
//     loses it), serves it to reducers, and heartbeats to the coordinator.
//
// One job runs: M map tasks, one per input split (Corpus.Splits), and R
// reduce tasks (Config.Reduces). Map output is partitioned by Partition, a
// fixed hash of the key.
//
//	worker ──heartbeat (running, held, reports)──▶ coord   every Config.Heartbeat
//	worker ◀─reply (kill, ack, locations, lease)── coord
//	worker ◀─assign map m────────────────────────── coord
//	worker ──read in/split-m──▶ fs ──split──▶ worker      map, combine, partition into R buckets
//	worker ──done──▶ coord                                output stays on the worker
//	worker ◀─assign reduce r (M locations)───────── coord  once every map task is done
//	worker ──fetch bucket r──▶ map workers ──data──▶ worker
//	worker ──put tmp/mr-out-r.<attempt>──▶ fs, then ──rename to out/mr-out-r──▶ fs
//	worker ──done──▶ coord                                the job is done when all R are
//
// # Jobs
//
// A Job is a pair of plain Go functions, a MapFunc and a ReduceFunc, plus
// an optional combiner; users can write their own. WordCount (with a
// combiner), InvertedIndex and Grep are built in. Input records are lines
// "name\ttext"; output files hold "key\tvalue" lines sorted by key.
// Sequential runs a job the obvious way on one machine: it is the
// reference the output check compares with.
//
// The corpus is drawn from the run's "workload/corpus" stream: words from
// a Zipf distribution over a vocabulary of generated words (Word), so the
// data, its skew and the job's output are the same for the same seed.
//
// # Time
//
// The real map and reduce work runs at once and costs no virtual time;
// instead each attempt takes simulated time: its input size divided by
// Config.MapRate or Config.ReduceRate times the worker's speed, times a
// per-attempt jitter drawn from the worker's stream. Worker speeds spread
// log-normally (Config.SpeedSigma) from the "mapreduce/speeds" stream, and
// Config.Stragglers of them are Config.StragglerFactor times slower. Every
// node sends data through a modelled network interface: transfers queue
// and take their size over Config.Bandwidth (Config.FSBandwidth for the
// file service), on top of the network's latency.
//
// # Failures
//
// The coordinator counts its own ticks (one per heartbeat period, never
// comparing clock readings) and declares a worker failed when it has not
// heard from it for Config.WorkerTimeout, or at once when the worker
// heartbeats with a new incarnation (it restarted). Failing a worker fails
// its running attempts and its completed map attempts, whose output died
// with it; their tasks go back to idle and run again, and running reducers
// learn the new locations. Reports from failed attempts are refused.
//
// A worker serves map output only while it holds a lease: until half the
// worker timeout after sending a heartbeat the coordinator answered
// (checked both by its clock and by a timer, so neither a paused worker
// nor a clock jump stretches it). A worker the coordinator could have
// declared failed has stopped serving, and when it is heard from again the
// reply that renews its lease first tells it to drop what was failed. So
// no reducer reads the output of an attempt the coordinator gave up on.
//
// A reducer writes its output to a temporary file on the file service and
// renames it into place: two executions of one reduce task (a backup, a
// re-execution, a worker the coordinator wrongly thought dead) leave one
// complete output, never a mixture. Messages are lost, duplicated and
// reordered by the network: workers resend unanswered requests, heartbeats
// repeat completion reports until acknowledged, and the file service's
// operations are idempotent.
//
// With Config.Backups, once every task of the current phase has started
// and at most Config.BackupFraction of it is unfinished, idle slots run a
// second copy of the oldest unfinished tasks; the first copy to finish
// wins. With Config.Checkpoint, the coordinator syncs each task's state to
// its disk as it changes and a restarted coordinator resumes the job;
// without it, the job starts over and workers drop the old epoch's work.
//
// # Checks and the bug zoo
//
// The coordinator records each decision as a fact (EpochStarted,
// AttemptStarted, TaskDone, AttemptFailed, WorkerFailed, WorkerUp,
// JobDone) that the cluster's checks and statistics read by type.
// OutputCheck compares the output files with Sequential's, byte for byte,
// when the coordinator declares the job done and at the end of the run;
// CompletionCheck (liveness) requires the job done with every task
// completed; FailedReadsCheck finds map output served from an attempt the
// coordinator had declared failed. The Variant parameter selects wrong
// versions: NoReexec, InPlace, ReduceEarly, AcceptLate and NoLease; each is
// caught by a library scenario within a few seeds (see TestBugZoo).
//
// # Example
//
//	w, _ := sim.New(sim.Config{Seed: 1})
//	cl, err := mapreduce.Build(w, mapreduce.DefaultConfig())
//	if err != nil { ... }
//	w.At(sim.Time(450*time.Millisecond), func(w *sim.World) { w.Crash(cl.Workers[0]) })
//	w.RunUntil(sim.Time(time.Minute)) // the coordinator stops the run after the job
//	for _, c := range cl.Check(nil) {
//		fmt.Println(c.Check, c.Verdict) // output holds, completion holds, failed-reads holds
//	}
//	fmt.Println(cl.Result().JobTime, cl.Result().Reruns)
//
// # The paper's experiment
//
// The three cases of the paper's sort experiment (normal execution, no
// backup tasks, a share of the workers killed mid-job), with confidence
// intervals and the paper's Figure 3, are package studies'
// (MapReducePaper, which runs this package through its Protocol).
//
// Liveness mode heals every node and wants tasks to complete until the job
// is done.
package mapreduce
